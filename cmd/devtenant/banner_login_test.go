package main

import (
	"bufio"
	"context"
	"io"
	"net/http"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/model-api-auth0/model-api-auth0/guard"
	"github.com/model-api-auth0/model-api-auth0/internal/dev/devtenant"
	"github.com/model-api-auth0/model-api-auth0/internal/gateway/proxy/proxytest"
	"github.com/model-api-auth0/model-api-auth0/internal/tenant/stackoutputs"
)

// The person's commands of the banner work as printed: `token login`
// logs the suggested user in (the browser played by devtenant.Login with
// the printed password), and the call's token, fetched by the next line
// without its -call, is that user's in the organization, with the
// permission the call needs.
func TestBannerPersonCommandsLogIn(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the token command; not in -short")
	}
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Skip("bash not found: install bash to check the banner's shell commands")
	}
	bins := buildCommands(t)
	r := start(t, noEnv)
	banner := r.stdout.String()
	password := regexp.MustCompile(`TEST USERS' PASSWORD \(generated[^)]*\): (\S+)`).FindStringSubmatch(banner)[1]
	var email string
	var login, call []string
	for _, line := range nextLines(t, banner) {
		if m := regexp.MustCompile(`^# a person: log in in the browser as (\S+) `).FindStringSubmatch(line); m != nil {
			email = m[1]
			continue
		}
		if strings.HasPrefix(line, "#") || email == "" {
			continue
		}
		args := runInShell(t, bash, line).goArgs[2:]
		if args[0] == "login" {
			login = args
		} else {
			call = args
		}
	}
	require.Equal(t, "alice@acme.example.com", email)
	require.NotNil(t, login)
	require.NotNil(t, call)

	home := t.TempDir()
	environ := []string{"HOME=" + home, "XDG_CONFIG_HOME=" + filepath.Join(home, "config"), "PATH="}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bins["./cmd/token"], append(login, "-no-browser")...)
	cmd.Env = environ
	stderr, err := cmd.StderrPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	out, err := stackoutputs.Load(r.outputs)
	require.NoError(t, err)
	var authURL string
	lines := bufio.NewScanner(stderr)
	for authURL == "" && lines.Scan() {
		if f := strings.TrimSpace(lines.Text()); strings.HasPrefix(f, out.Issuer+"authorize?") {
			authURL = f
		}
	}
	require.NotEmpty(t, authURL, "token login printed no login URL")
	callback, err := devtenant.Login(ctx, nil, authURL, devtenant.Credentials{Email: email, Password: password})
	require.NoError(t, err)
	resp, err := http.Get(callback.String())
	require.NoError(t, err)
	resp.Body.Close()
	rest, _ := io.ReadAll(stderr)
	require.NoError(t, cmd.Wait(), "token login: %s", rest)

	i := slices.Index(call, "-call")
	require.GreaterOrEqual(t, i, 0, "the person's line calls the gateway")
	cmd = exec.CommandContext(ctx, bins["./cmd/token"], slices.Delete(slices.Clone(call), i, i+2)...)
	cmd.Env = environ
	token, err := cmd.Output()
	require.NoError(t, err)
	v, err := guard.New(ctx, guard.Config{Issuer: out.Issuer, Audience: out.Audience, JWKSURL: out.JWKSURI, Logger: proxytest.Quiet})
	require.NoError(t, err)
	id, err := v.Validate(ctx, strings.TrimSpace(string(token)))
	require.NoError(t, err)
	org := flagValues(append([]string{"run", "./cmd/token"}, call...))["-org"]
	assert.Equal(t, out.Organizations[org], id.OrgID)
	require.Equal(t, "http://"+gatewayListen+"/v1/models", call[i+1])
	assert.Contains(t, id.Permissions, "read:models", "what the gateway asks of GET /v1/models")
}
