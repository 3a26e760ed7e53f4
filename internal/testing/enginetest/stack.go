package enginetest

import (
	"context"
	"fmt"
	"maps"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/auto"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/events"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optdestroy"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optpreview"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optup"
	"github.com/pulumi/pulumi/sdk/v3/go/common/apitype"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/model-api-auth0/model-api-auth0/internal/tenant/stackconfig"
	"github.com/model-api-auth0/model-api-auth0/internal/testing/auth0double"
)

// Passphrase encrypts the secrets of the test stacks (passphrase provider).
const Passphrase = "enginetest-passphrase"

// Stack is one stack of the project under the real engine, with its own
// work dir, file backend, Pulumi home and tenant (a provider double). Its
// methods report failures to the test that made it: call them from that
// test, not from its subtests.
type Stack struct {
	Name   string
	Root   string // the project: the real Pulumi.yaml and stack files
	Dir    string // the work dir: copies the CLI may write to
	Double *auth0double.Provider
	Auto   auto.Stack

	t       testing.TB
	ctx     context.Context
	cli     auto.PulumiCommand
	env     map[string]string
	program Program
}

// Program is the tenant program as the engine runs it inline: it reads its
// configuration from ctx and declares the tenant. The SDK cannot list the
// configuration an inline program gets, so it is handed the keys of the
// stack file, for unknown keys to be reported as under `pulumi up`.
type Program func(ctx *pulumi.Context, stackKeys ...string) error

// NewStack creates the stack `name` from Root's Pulumi.yaml and
// Pulumi.<name>.yaml. The CLI writes into a stack file (the secrets
// provider's salt, `pulumi config set`), so the work dir holds copies; the
// configuration the engine reads is checked to be the real file's. The
// program is handed in by the project's package main, which nothing can
// import.
func NewStack(t testing.TB, name string, program Program) *Stack {
	t.Helper()
	cli := CLI(t)
	root := ProjectRoot(t)
	double := auth0double.New(Schema(t, root))
	port, stop, err := double.Serve(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(stop)

	dir := t.TempDir()
	for _, f := range []string{"Pulumi.yaml", "Pulumi." + name + ".yaml"} {
		copyFile(t, filepath.Join(root, f), filepath.Join(dir, f))
		keepUnchanged(t, filepath.Join(root, f))
	}
	s := &Stack{Name: name, Root: root, Dir: dir, Double: double, t: t, ctx: t.Context(), cli: cli, program: program}
	s.env = map[string]string{
		"PULUMI_BACKEND_URL":       "file://" + filepath.ToSlash(t.TempDir()),
		"PULUMI_HOME":              t.TempDir(),
		"PULUMI_CONFIG_PASSPHRASE": Passphrase,
		"PULUMI_DEBUG_PROVIDERS":   fmt.Sprintf("auth0:%d", port),
		// The engine must never fetch a plugin: the provider is the double.
		"PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION": "true",
		"PULUMI_SKIP_UPDATE_CHECK":                    "true",
	}
	ws, err := auto.NewLocalWorkspace(s.ctx, auto.WorkDir(dir), auto.Program(s.runInline),
		auto.Pulumi(cli), auto.EnvVars(s.env), auto.SecretsProvider("passphrase"))
	if err != nil {
		t.Fatal(err)
	}
	if s.Auto, err = auto.NewStack(s.ctx, name, ws); err != nil {
		t.Fatalf("pulumi stack init %s: %v", name, err)
	}
	want, err := stackconfig.Read(root, name)
	if err != nil {
		t.Fatal(err)
	}
	if copied := s.Config(); !maps.Equal(want, copied) {
		t.Fatalf("the work dir's Pulumi.%s.yaml no longer holds the real configuration:\n got %v\nwant %v", name, copied, want)
	}
	return s
}

// runInline runs the program with the keys of the work dir's stack file.
func (s *Stack) runInline(ctx *pulumi.Context) error {
	// This runs on the engine's gRPC goroutine: errors, never t.Fatal.
	fromFile, err := stackconfig.Read(s.Dir, s.Name)
	if err != nil {
		return err
	}
	return s.program(ctx, slices.Collect(maps.Keys(fromFile))...)
}

// Config is the work dir's stack configuration, secrets blinded.
func (s *Stack) Config() map[string]string {
	s.t.Helper()
	raw, err := stackconfig.Read(s.Dir, s.Name)
	if err != nil {
		s.t.Fatal(err)
	}
	return raw
}

// URN is the URN of a resource of this stack; typ includes parent types
// ("parent$child").
func (s *Stack) URN(typ, name string) string {
	return "urn:pulumi:" + s.Name + "::" + stackconfig.Namespace + "::" + typ + "::" + name
}

// Steps are the engine's steps by URN, in order: a replacement is
// create-replacement, replace, delete-replaced.
type Steps map[string][]apitype.OpType

// Changes returns the steps that change something, as "op urn" lines.
func (st Steps) Changes() []string {
	var out []string
	for urn, ops := range st {
		for _, op := range ops {
			if op != apitype.OpSame {
				out = append(out, string(op)+" "+urn)
			}
		}
	}
	slices.Sort(out)
	return out
}

// collect gathers the steps of one operation from its event stream. The
// Automation API closes the stream when the operation ends, except when the
// CLI fails before the engine starts (a stack config error): then the steps
// seen within a short grace are returned.
func collect() (chan events.EngineEvent, func(error) Steps) {
	ch := make(chan events.EngineEvent)
	var mu sync.Mutex
	steps := Steps{}
	done := make(chan struct{})
	go func() {
		defer close(done)
		for e := range ch {
			if pre := e.ResourcePreEvent; pre != nil {
				mu.Lock()
				steps[pre.Metadata.URN] = append(steps[pre.Metadata.URN], pre.Metadata.Op)
				mu.Unlock()
			}
		}
	}()
	return ch, func(opErr error) Steps {
		if opErr == nil {
			<-done
		} else {
			select {
			case <-done:
			case <-time.After(5 * time.Second):
			}
		}
		mu.Lock()
		defer mu.Unlock()
		return maps.Clone(steps)
	}
}

// Preview runs `pulumi preview`.
func (s *Stack) Preview(opts ...optpreview.Option) (Steps, error) {
	ch, steps := collect()
	_, err := s.Auto.Preview(s.ctx, append(opts, optpreview.EventStreams(ch))...)
	return steps(err), err
}

// Up runs `pulumi up`.
func (s *Stack) Up(opts ...optup.Option) (Steps, error) {
	ch, steps := collect()
	_, err := s.Auto.Up(s.ctx, append(opts, optup.EventStreams(ch))...)
	return steps(err), err
}

// Destroy runs `pulumi destroy`.
func (s *Stack) Destroy() error {
	_, err := s.Auto.Destroy(s.ctx, optdestroy.Remove())
	return err
}

// Run runs the CLI in the work dir on this stack (`--stack` is added) and
// returns its standard output; the error holds its standard error.
func (s *Stack) Run(args ...string) (string, error) {
	var env []string
	for k, v := range s.env {
		env = append(env, k+"="+v)
	}
	args = append(args, "--stack", s.Name)
	stdout, stderr, _, err := s.cli.Run(s.ctx, s.Dir, nil, nil, nil, env, args...)
	if err != nil {
		return stdout, fmt.Errorf("pulumi %s: %w\n%s", strings.Join(args, " "), err, stderr)
	}
	return stdout, nil
}

// SetSecret runs `pulumi config set --secret key value`.
func (s *Stack) SetSecret(key, value string) {
	s.t.Helper()
	if err := s.Auto.SetConfig(s.ctx, key, auto.ConfigValue{Value: value, Secret: true}); err != nil {
		s.t.Fatal(err)
	}
}
