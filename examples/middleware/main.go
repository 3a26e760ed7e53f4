// Command middleware is a Go model service protected by the guard package,
// configured from the tenant stack's outputs through the environment:
//
//	AUTH0_DOMAIN=$(pulumi stack output tenantDomain) \
//	AUTH0_AUDIENCE=$(pulumi stack output audience) go run ./examples/middleware
//
// It is served as the gateway is: per-request read and write deadlines
// that let a stream live while it makes progress, a cap on connections, a
// body limit, and panics answered with a JSON 500.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"log"
	"net/http"
	"os"
	"os/signal"
	"syscall"

	"github.com/model-api-auth0/model-api-auth0/guard"
	"github.com/model-api-auth0/model-api-auth0/internal/gateway/proxy"
)

// maxBody bounds a chat request: a long conversation, not an upload.
const maxBody = 4 << 20

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	addr := os.Getenv("LISTEN_ADDR")
	if addr == "" {
		addr = "127.0.0.1:8081"
	}
	if err := serve(ctx, addr, proxy.ServerConfig{}, nil); err != nil {
		log.Fatal(err)
	}
}

// serve runs the service until ctx is done, with the server limits of cfg
// (zero values: the gateway's defaults). ready, if not nil, receives the
// listening address.
func serve(ctx context.Context, addr string, cfg proxy.ServerConfig, ready chan<- string) error {
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
	srv := proxy.NewServer(routes(v), cfg)
	ln, err := proxy.Listen(addr, cfg)
	if err != nil {
		return err
	}
	if ready != nil {
		ready <- ln.Addr().String()
	}
	go func() { <-ctx.Done(); srv.Shutdown(context.Background()) }()
	if err := srv.Serve(ln); err != http.ErrServerClosed {
		return err
	}
	return nil
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
