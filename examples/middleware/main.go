// Command middleware is a Go model service protected by the guard package,
// configured from the tenant stack's outputs through the environment:
//
//	AUTH0_DOMAIN=$(pulumi stack output tenantDomain) \
//	AUTH0_AUDIENCE=$(pulumi stack output audience) go run ./examples/middleware
//
// It needs guard and the standard library only: a net/http server with a
// deadline on every phase of a request and a cap on the headers, and a
// limit on the body the handler reads.
package main

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/model-api-auth0/model-api-auth0/guard"
)

// maxBody bounds a chat request: a long conversation, not an upload.
const maxBody = 4 << 20

// shutdownGrace is how long requests in flight may take to finish once the
// service is told to stop.
const shutdownGrace = 10 * time.Second

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	srv := newServer(cmp.Or(os.Getenv("LISTEN_ADDR"), "127.0.0.1:8081"))
	if err := serve(ctx, srv, nil); err != nil {
		log.Fatal(err)
	}
}

// newServer is the service's HTTP server. net/http waits forever by
// default, so a client that sends slowly, or never reads, would hold its
// connection and goroutine for good: each phase gets a deadline instead.
func newServer(addr string) *http.Server {
	return &http.Server{
		Addr: addr,
		// A client that dribbles its headers (Slowloris) is cut before any
		// handler runs, and before the token is even looked at.
		ReadHeaderTimeout: 5 * time.Second,
		// The whole request, body included: maxBody in 30 s is 140 KB/s.
		ReadTimeout: 30 * time.Second,
		// The whole answer. A model that streams its answer (SSE) for longer
		// needs a per-request deadline instead (http.ResponseController).
		WriteTimeout: 2 * time.Minute,
		// A kept-alive connection with no request in it.
		IdleTimeout: 2 * time.Minute,
		// An Auth0 access token is a few KiB; net/http's default is 1 MiB.
		MaxHeaderBytes: 64 << 10,
	}
}

// serve runs srv until ctx is done, then shuts it down. ready, if not nil,
// receives the listening address.
func serve(ctx context.Context, srv *http.Server, ready chan<- string) error {
	v, err := guard.New(ctx, guard.Config{
		Domain:     os.Getenv("AUTH0_DOMAIN"),
		Audience:   os.Getenv("AUTH0_AUDIENCE"),
		Issuer:     os.Getenv("AUTH0_ISSUER"),
		JWKSURL:    os.Getenv("AUTH0_JWKS_URL"),
		SigningAlg: os.Getenv("AUTH0_SIGNING_ALG"), // the stack's api.signingAlg; RS256 when empty
	})
	if err != nil {
		return err
	}
	srv.Handler = routes(v)
	ln, err := net.Listen("tcp", srv.Addr)
	if err != nil {
		return err
	}
	if ready != nil {
		ready <- ln.Addr().String()
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	select {
	case err := <-served:
		return err
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), shutdownGrace)
	defer cancel()
	return srv.Shutdown(shutdown)
}

func routes(v *guard.Validator) http.Handler {
	mux := http.NewServeMux()
	invoke := v.Require(guard.Requirement{AllOf: []string{"invoke:models"}})
	mux.Handle("POST /v1/chat/completions", invoke(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			Model string `json:"model"`
		}
		if r.ContentLength > maxBody {
			guard.WriteJSONError(w, http.StatusRequestEntityTooLarge, "the request body is larger than 4 MiB")
			return
		}
		if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxBody)).Decode(&req); err != nil {
			if tooBig := new(http.MaxBytesError); errors.As(err, &tooBig) {
				guard.WriteJSONError(w, http.StatusRequestEntityTooLarge, "the request body is larger than 4 MiB")
				return
			}
			guard.WriteJSONError(w, http.StatusBadRequest, "want a JSON chat request: "+err.Error())
			return
		}
		id, _ := guard.IdentityFrom(r.Context())
		json.NewEncoder(w).Encode(map[string]string{"caller": id.Subject, "org": id.OrgID, "model": req.Model})
	})))
	return mux
}
