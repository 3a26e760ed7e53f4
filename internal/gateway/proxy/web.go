package proxy

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/model-api-auth0/model-api-auth0/internal/gateway/websession"
)

// sessionAuth lets browsers logged in with web call the guarded routes with
// their session instead of a bearer header; without web it changes nothing.
func sessionAuth(web *websession.Web) func(http.Handler) http.Handler {
	if web == nil {
		return func(h http.Handler) http.Handler { return h }
	}
	web.OnRefusal(func(r *http.Request, _ int, reason string) { refusedBecause(r, reason) }) // the access log's reason
	return func(h http.Handler) http.Handler {
		authenticate := web.Authenticate(h)
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			// A call with cookies and no bearer token is a browser's (the
			// OpenAI SDKs always send a token): the gateway's page reads
			// its refusals as {"message": ...}, whatever the route's shape.
			if info := infoFrom(r.Context()); info != nil && r.Header.Get("Authorization") == "" && r.Header.Get("Cookie") != "" {
				info.openAIErrors = false
			}
			authenticate.ServeHTTP(w, r)
		})
	}
}

// checkWebRoutes reports proxied routes that would take a route of the
// login (/, /login, /callback, /logout, /static/).
func checkWebRoutes(web *websession.Web, routes []Route) error {
	if web == nil {
		return nil
	}
	return checkTaken(websession.Patterns, routes, "the login")
}

// checkTaken reports proxied routes that would take one of the gateway's
// own patterns, which owner serves.
func checkTaken(patterns []string, routes []Route, owner string) error {
	mux := http.NewServeMux()
	for _, p := range patterns {
		mux.HandleFunc(p, func(http.ResponseWriter, *http.Request) {})
	}
	var errs []error
	for i, r := range routes {
		if err := register(mux, r.Pattern); err != nil {
			errs = append(errs, fmt.Errorf("routes[%d] %q: taken by %s (%v)", i, r.Pattern, owner, err))
		}
	}
	return errors.Join(errs...)
}
