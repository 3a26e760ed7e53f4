// Command middleware is a Go model service protected by the guard package,
// configured from the tenant stack's outputs through the environment:
//
//	AUTH0_DOMAIN=$(pulumi stack output tenantDomain) \
//	AUTH0_AUDIENCE=$(pulumi stack output audience) go run ./examples/middleware
package main

import (
	"context"
	"encoding/json"
	"log"
	"net/http"
	"os"

	"github.com/model-api-auth0/model-api-auth0/guard"
)

func main() {
	v, err := guard.New(context.Background(), guard.Config{
		Domain:   os.Getenv("AUTH0_DOMAIN"),
		Audience: os.Getenv("AUTH0_AUDIENCE"),
	})
	if err != nil {
		log.Fatal(err)
	}
	mux := http.NewServeMux()
	invoke := v.Require(guard.Requirement{AllOf: []string{"invoke:models"}})
	mux.Handle("POST /v1/chat/completions", invoke(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id, _ := guard.IdentityFrom(r.Context())
		json.NewEncoder(w).Encode(map[string]string{"caller": id.Subject, "org": id.OrgID})
	})))
	log.Fatal(http.ListenAndServe("127.0.0.1:8081", mux))
}
