// Command model-api-auth0 is the Pulumi program that declares, in Auth0,
// everything needed to protect a model API: the API and its scopes, RBAC
// roles, a database connection, organizations with their members,
// machine-to-machine clients with least-privilege grants, and the
// applications people log in through.
//
// This directory is the Pulumi project: `pulumi up` builds it and the engine
// runs it. `go run . plan` runs the same program offline, under a recording
// mock engine, and shows what `pulumi up` would do (internal/plan).
// The tests call program under mocks; engine_*_test.go run it through the
// real Pulumi CLI.
package main

import (
	"fmt"
	"io"
	"maps"
	"os"
	"slices"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/model-api-auth0/model-api-auth0/internal/plan"
)

// planCommand is the first argument that makes the program plan offline
// instead of running under the engine.
const planCommand = "plan"

func main() {
	args := os.Args[1:]
	if len(args) > 0 && args[0] == planCommand {
		os.Exit(plan.Main(args[1:], os.Stdout, os.Stderr, program))
	}
	if !underEngine(os.Getenv) {
		os.Exit(notUnderEngine(os.Stderr, args))
	}
	pulumi.Run(func(ctx *pulumi.Context) error { return deploy(ctx) })
}

// program is the Pulumi program: it loads and validates the stack
// configuration (raw, as the engine passes it), declares the tenant and
// exports what an API and its clients need, returning the exports for the
// offline plan to resolve. Nothing is registered when the configuration is
// bad.
func program(ctx *pulumi.Context, raw map[string]string) (map[string]pulumi.Input, error) {
	cfg, err := loadConfig(ctx, raw)
	if err != nil {
		return nil, err
	}
	t, err := Provision(ctx, cfg)
	if err != nil {
		return nil, err
	}
	exports := t.Exports()
	for _, name := range slices.Sorted(maps.Keys(exports)) {
		ctx.Export(name, exports[name])
	}
	return exports, nil
}

// deploy is the program as the engine runs it: with the configuration the
// engine hands it (stackKeys: see EngineConfig).
func deploy(ctx *pulumi.Context, stackKeys ...string) error {
	raw, err := EngineConfig(ctx, stackKeys...)
	if err != nil {
		return err
	}
	_, err = program(ctx, raw)
	return err
}

// underEngine reports whether the Pulumi engine started this process: it
// hands a program the addresses of its resource monitor and of itself, or
// (older language hosts) asks it for its plugins, in these variables, which
// pulumi.Run reads.
func underEngine(getenv func(string) string) bool {
	for _, name := range []string{pulumi.EnvMonitor, pulumi.EnvEngine, "PULUMI_PLUGINS"} {
		if getenv(name) != "" {
			return true
		}
	}
	return false
}

// notUnderEngine says what to run instead, where pulumi.Run would only fail
// with "missing project name", and returns the exit status of a usage error.
func notUnderEngine(stderr io.Writer, args []string) int {
	if len(args) > 0 {
		fmt.Fprintf(stderr, "model-api-auth0: unknown command %q\n", args[0])
	}
	fmt.Fprint(stderr, `model-api-auth0 is a Pulumi program: the Pulumi engine runs it, with a stack's configuration.
  pulumi preview --stack dev    what it would change in the stack's Auth0 tenant
  pulumi up --stack dev         make those changes
  go run . plan -stack dev      what pulumi up would do, offline: no Pulumi CLI, no Auth0 account
                                (go run . plan -help for its flags)
`)
	return 2
}
