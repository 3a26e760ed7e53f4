package main

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/model-api-auth0/model-api-auth0/internal/dev/devtenant/devtenanttest"
	"github.com/model-api-auth0/model-api-auth0/internal/tenant/stackoutputs"
)

// awkwardStack has names a shell would split or expand, for the banner's quoting.
const awkwardStack = `config:
  auth0:domain: model-api-dev.us.auth0.com
  model-api-auth0:api:
    name: Awkward
    identifier: https://api.dev.models.example.com/
    scopes:
      - {name: read:models, description: List models}
      - {name: invoke:models, description: Run inference}
  model-api-auth0:roles:
    - {name: caller, description: Invokes models, permissions: [invoke:models]}
  model-api-auth0:connection: {name: users}
  model-api-auth0:testUsers:
    - {email: nobody@example.com, name: Nobody}
    - {email: o'brien@example.com, name: O'Brien}
  model-api-auth0:organizations:
    - name: o_brien-co
      displayName: O'Brien & Co
      members:
        - {email: nobody@example.com, roles: []}
        - {email: o'brien@example.com, roles: [caller]}
  model-api-auth0:clients:
    - {name: "Bob's $HOME scorer", description: x, scopes: [invoke:models]}
    - {name: lister, description: x, scopes: [read:models]}
  model-api-auth0:protect: false
`

// Every command the banner suggests is one a shell runs as meant, and
// every flag it gives exists in the command it is given to: the lines are
// run by bash with go and jq stubbed, and the arguments go to the real
// gateway and token binaries followed by -h, which they only reach if
// each flag before parses.
func TestBannerCommandsAreCorrect(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the gateway and token commands; not in -short")
	}
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Skip("bash not found: install bash to check the banner's shell commands")
	}
	bins := buildCommands(t)
	awkward := filepath.Join(t.TempDir(), "Pulumi.awkward.yaml")
	require.NoError(t, os.WriteFile(awkward, []byte(awkwardStack), 0o600))

	for _, tt := range []struct {
		name      string
		args      []string
		outputs   string // a directory with quotes and spaces in it, if set
		m2m       []string
		personOrg string
	}{
		{name: "dev stack", m2m: []string{"batch-scorer", "model-catalog", "acme-batch"}, personOrg: "acme"},
		{name: "names and paths to quote", args: []string{"-config", awkward}, outputs: `it's "here" $HOME`,
			m2m: []string{"Bob's $HOME scorer", "lister"}, personOrg: "o_brien-co"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			args, outputs := tt.args, ""
			if tt.outputs != "" {
				dir := filepath.Join(t.TempDir(), tt.outputs)
				require.NoError(t, os.Mkdir(dir, 0o700))
				outputs = filepath.Join(dir, "outputs.json")
				args = append(args, "-outputs", outputs) // after start's own -outputs: the last one counts
			}
			r := start(t, noEnv, args...)
			r.outputs = cmp.Or(outputs, r.outputs)
			var full stackoutputs.Outputs
			b, err := os.ReadFile(r.outputs)
			require.NoError(t, err)
			require.NoError(t, json.Unmarshal(b, &full))

			lines := nextLines(t, r.stdout.String())
			var gateways, logins int
			var clients, personCalls []string
			for _, line := range lines {
				if strings.HasPrefix(line, "#") {
					continue
				}
				inv := runInShell(t, bash, line)
				target := checkFlags(t, bins, line, inv.goArgs)
				flags := flagValues(inv.goArgs)
				assert.Equal(t, r.outputs, flags["-stack-outputs"], "%s: -stack-outputs reaches the command as written", line)
				switch {
				case target == "gateway":
					gateways++
					assert.Equal(t, "http://"+regexp.MustCompile(`echo model\s+http://(\S+)`).FindStringSubmatch(r.stdout.String())[1], flags["-upstream"])
				case target == "token login":
					logins++
					assert.Equal(t, tt.personOrg, flags["-org"], line)
				case flags["-client"] != "":
					clients = append(clients, flags["-client"])
					if flags["-client"] == "acme-batch" {
						assert.Equal(t, "acme", flags["-org"], "%s: its grant requires an organization", line)
					}
					checkSecret(t, line, inv, r.outputs, full.ClientSecrets[flags["-client"]])
				default:
					personCalls = append(personCalls, flags["-org"])
					assert.Empty(t, inv.secret, "%s: a person's call has no client secret", line)
				}
			}
			assert.Equal(t, 1, gateways, "one gateway command")
			assert.Equal(t, 1, logins, "one token login command")
			assert.Equal(t, tt.m2m, clients, "one call per M2M client")
			assert.Equal(t, []string{tt.personOrg}, personCalls, "the person's call after the login")
		})
	}
}

// nextLines are the banner's lines after "Next, in another terminal:".
func nextLines(t *testing.T, banner string) []string {
	t.Helper()
	_, next, ok := strings.Cut(banner, "Next, in another terminal:\n")
	require.True(t, ok, banner)
	next, _, ok = strings.Cut(next, "Stop with Ctrl-C.")
	require.True(t, ok, banner)
	var lines []string
	for _, l := range strings.Split(strings.TrimSpace(next), "\n") {
		lines = append(lines, strings.TrimSpace(l))
	}
	require.NotEmpty(t, lines)
	return lines
}

// built holds the commands buildCommands built, once for the package's tests.
var built struct {
	once sync.Once
	dir  string
	err  error
}

func TestMain(m *testing.M) {
	code := m.Run()
	if built.dir != "" {
		os.RemoveAll(built.dir)
	}
	os.Exit(code)
}

// buildCommands builds cmd/gateway and cmd/token, the commands the banner
// tells a newcomer to run.
func buildCommands(t *testing.T) map[string]string {
	t.Helper()
	built.once.Do(func() {
		goBin, err := exec.LookPath("go") // go test puts its own go first on PATH
		if err != nil {
			built.err = err
			return
		}
		if built.dir, built.err = os.MkdirTemp("", "devtenant-banner-"); built.err != nil {
			return
		}
		cmd := exec.Command(goBin, "build", "-o", built.dir+string(filepath.Separator), "./cmd/gateway", "./cmd/token")
		cmd.Dir = devtenanttest.RepoRoot(t)
		if out, err := cmd.CombinedOutput(); err != nil {
			built.err = fmt.Errorf("go build: %w: %s", err, out)
		}
	})
	require.NoError(t, built.err)
	exe := map[bool]string{true: ".exe"}[runtime.GOOS == "windows"]
	return map[string]string{"./cmd/gateway": filepath.Join(built.dir, "gateway"+exe), "./cmd/token": filepath.Join(built.dir, "token"+exe)}
}

// invocation is what one banner line did in the shell.
type invocation struct {
	goArgs []string // the arguments of go
	secret string   // AUTH0_CLIENT_SECRET as go saw it
	jqArgs []string // the arguments of jq, if the line ran it
}

// jqAnswer is what the stubbed jq prints.
const jqAnswer = "stub-secret-from-jq"

// runInShell runs a banner line in bash with nothing on PATH but stubs:
// go reports its arguments and AUTH0_CLIENT_SECRET, jq its arguments. A
// line that runs anything else, or go twice, fails.
func runInShell(t *testing.T, bash, line string) invocation {
	t.Helper()
	dir := t.TempDir()
	jqLog := filepath.Join(dir, "jq.args")
	script := `set -eu
go() { printf 'go\0%s\0%d\0' "${AUTH0_CLIENT_SECRET-}" "$#"; printf '%s\0' "$@"; }
jq() { printf '%s\0' "$@" >>"$JQ_LOG"; printf '%s\n' ` + jqAnswer + `; }
` + line + "\n"
	cmd := exec.Command(bash, "--noprofile", "--norc", "-c", script)
	cmd.Env = []string{"PATH=" + dir, "HOME=" + dir, "JQ_LOG=" + jqLog}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	require.NoError(t, cmd.Run(), "bash ran %q: %s", line, stderr.String())
	require.Empty(t, stderr.String(), line)

	fields := strings.Split(strings.TrimSuffix(stdout.String(), "\x00"), "\x00")
	require.True(t, len(fields) >= 3 && fields[0] == "go", "%q does not run go: %q", line, fields)
	n, err := strconv.Atoi(fields[2])
	require.NoError(t, err)
	require.Len(t, fields, 3+n, "%q runs go once", line)
	inv := invocation{secret: fields[1], goArgs: fields[3:]}
	if b, err := os.ReadFile(jqLog); err == nil {
		inv.jqArgs = strings.Split(strings.TrimSuffix(string(b), "\x00"), "\x00")
	}
	return inv
}

// checkFlags runs the binary go run names with the line's arguments and
// -h, and with -h alone: the flag package reaches -h, and prints the same
// help, only if every flag before it exists and its value parses (else its
// error comes first; an argument that is not a flag makes the command
// refuse it). It returns the command: gateway, token, or token login.
func checkFlags(t *testing.T, bins map[string]string, line string, goArgs []string) string {
	t.Helper()
	require.True(t, len(goArgs) >= 2 && goArgs[0] == "run", "%q: want go run ./cmd/...", line)
	bin, ok := bins[goArgs[1]]
	require.True(t, ok, "%q runs %s: want ./cmd/gateway or ./cmd/token", line, goArgs[1])
	args := goArgs[2:]
	name, help := strings.TrimPrefix(goArgs[1], "./cmd/"), []string{"-h"}
	if name == "token" && len(args) > 0 && (args[0] == "login" || args[0] == "logout") {
		name, help = name+" "+args[0], []string{args[0], "-h"}
	}
	want := runHelp(t, bin, help)
	require.Contains(t, want, "-stack-outputs", "%s -h prints its flags", name)
	if got := runHelp(t, bin, append(slices.Clip(args), "-h")); got != want {
		refusal, _, _ := strings.Cut(got, "\n")
		t.Errorf("%q: %s refuses its arguments: %s", line, name, refusal)
	}
	return name
}

// runHelp runs a command that should stop at -h, and returns what it printed.
func runHelp(t *testing.T, bin string, args []string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env = []string{"HOME=" + t.TempDir(), "PATH="}
	out, _ := cmd.CombinedOutput() // -h exits 0 or 1 by command; the output says what happened
	require.NoError(t, ctx.Err(), "%s %q did not stop at -h", bin, args)
	return string(out)
}

// flagValues maps each -flag of the arguments to its value (the next
// argument, as all the banner's flags take one).
func flagValues(goArgs []string) map[string]string {
	values := map[string]string{}
	for i := 2; i < len(goArgs); i++ {
		if strings.HasPrefix(goArgs[i], "-") && i+1 < len(goArgs) {
			values[goArgs[i]] = goArgs[i+1]
			i++
		}
	}
	return values
}

// checkSecret checks that an M2M line gives the token command the client's
// secret from the outputs file: with the real jq if there is one, else by
// reading the filter.
func checkSecret(t *testing.T, line string, inv invocation, outputs, secret string) {
	t.Helper()
	require.NotEmpty(t, secret, "%s: the client has a secret in the outputs", line)
	assert.Equal(t, jqAnswer, inv.secret, "%s: AUTH0_CLIENT_SECRET is what jq printed", line)
	require.Len(t, inv.jqArgs, 3, "%s: jq -r FILTER FILE", line)
	assert.Equal(t, "-r", inv.jqArgs[0])
	assert.Equal(t, outputs, inv.jqArgs[2], "%s: jq reads the outputs file", line)
	if jq, err := exec.LookPath("jq"); err == nil {
		got, err := exec.Command(jq, inv.jqArgs...).Output()
		require.NoError(t, err, line)
		assert.Equal(t, secret, strings.TrimSuffix(string(got), "\n"), "%s: jq finds the client's secret", line)
		return
	}
	t.Logf("jq not found: reading the filter instead of running it (apt-get install jq to run it)")
	key, ok := strings.CutPrefix(inv.jqArgs[1], ".clientSecrets[")
	require.True(t, ok, inv.jqArgs[1])
	var name string
	require.NoError(t, json.Unmarshal([]byte(strings.TrimSuffix(key, "]")), &name), inv.jqArgs[1])
	var full stackoutputs.Outputs
	b, err := os.ReadFile(outputs)
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(b, &full))
	assert.Equal(t, secret, full.ClientSecrets[name], "%s: the filter names the client", line)
}
