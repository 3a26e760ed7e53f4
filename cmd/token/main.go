// Command token gets access tokens for the tenant's API, for a machine
// (an M2M client, with the client-credentials grant) or for a person (a
// browser login from the command line), prints them or calls an API with
// them.
//
//	# A machine: one of the stack's M2M clients.
//	export AUTH0_CLIENT_SECRET=...        # or pipe it in with -secret-stdin
//	token -stack-outputs outputs.json -client batch-scorer
//	token -stack-outputs outputs.json -client batch-scorer -call http://localhost:8080/v1/models
//
//	# A person: log in once in the browser, then use the stored login.
//	token login -stack-outputs outputs.json -org acme
//	token -call http://localhost:8080/v1/models     # as the person logged in
//	token                                           # prints the person's access token
//	token logout
//
//	# DPoP: tokens bound to a key of this user's, useless to whoever copies them.
//	token -client batch-scorer -dpop -call http://localhost:8080/v1/models
//	token -client batch-scorer -dpop -dpop-proof GET http://localhost:8080/v1/models | curl -H @- http://localhost:8080/v1/models
//
// The client secret is read from AUTH0_CLIENT_SECRET or standard input,
// never from a flag: flags end up in shell history and process listings.
// Access tokens go to standard output only, for piping; never to logs or
// errors.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/model-api-auth0/model-api-auth0/internal/callers/dpop"
	"github.com/model-api-auth0/model-api-auth0/internal/callers/tokenstore"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	c := &command{env: os.LookupEnv, stdin: os.Stdin, stdout: os.Stdout, stderr: os.Stderr, store: tokenstore.Default, browse: openBrowser}
	if err := c.run(ctx, os.Args[1:]); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			os.Exit(0)
		}
		fmt.Fprintln(os.Stderr, "token:", err)
		os.Exit(1)
	}
}

// command is one run of the program, with what it reads and writes.
type command struct {
	env            func(string) (string, bool)
	stdin          io.Reader
	stdout, stderr io.Writer
	// store is where people's logins are kept.
	store func() (*tokenstore.Store, error)
	// browse opens a URL in the person's browser.
	browse func(url string) error
	// key is the DPoP key, once loaded (dpop.go).
	key *dpop.Key
}

func (c *command) getenv(k string) string { v, _ := c.env(k); return v }

func (c *command) run(ctx context.Context, args []string) error {
	if len(args) > 0 {
		switch args[0] {
		case "login":
			return c.login(ctx, args[1:])
		case "logout":
			return c.logout(ctx, args[1:])
		}
	}
	return c.token(ctx, args)
}
