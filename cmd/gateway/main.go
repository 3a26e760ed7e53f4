// Command gateway enforces the tenant's tokens in front of a model server
// (vLLM, TGI, Ollama, any OpenAI-compatible server):
//
//	gateway -stack-outputs outputs.json -upstream http://127.0.0.1:8000
//	AUTH0_DOMAIN=t.us.auth0.com AUTH0_AUDIENCE=https://api.example.com/ UPSTREAM_URL=http://127.0.0.1:8000 gateway
//
// Flags win over the environment, which wins over the stack outputs
// (`pulumi stack output --json > outputs.json`). Bad configuration stops it
// at start with every problem listed. The gateway itself is
// internal/gateway; this command turns flags and environment into its
// options (flags.go).
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/model-api-auth0/model-api-auth0/internal/gateway"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.LookupEnv, os.Stderr, nil); err != nil {
		fmt.Fprintln(os.Stderr, "gateway:", err)
		os.Exit(1)
	}
}

// run serves until ctx is done; ready, if not nil, receives the listening
// address.
func run(ctx context.Context, args []string, env func(string) (string, bool), stderr io.Writer, ready chan<- string) error {
	o, err := parse(args, env, stderr)
	if err != nil {
		return err
	}
	return gateway.Run(ctx, o, ready)
}
