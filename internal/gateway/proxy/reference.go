package proxy

import (
	"net/http"

	"github.com/model-api-auth0/model-api-auth0/guard"
)

// ReferenceRoutes are the guarded routes of Auth0's reference API that the
// gateway answers itself (GET /api/messages/public and /healthz need no
// token), with what a token needs to call them: what New serves, for tools
// that reason about the gateway's routes, such as `plan -access`.
func ReferenceRoutes() []Route {
	routes := make([]Route, len(referenceRoutes))
	for i, r := range referenceRoutes {
		routes[i] = r.Route
		routes[i].AllOf = append([]string(nil), r.AllOf...) // the caller's to change
	}
	return routes
}

// ValidateRoutes reports every problem of a route list at once, as New does.
func ValidateRoutes(routes []Route) error { return validateRoutes(routes) }

// answered is a route the gateway answers itself, with a message.
type answered struct {
	Route
	message string
}

// openRoutes need no token.
var openRoutes = []answered{
	{Route{Pattern: "GET /healthz"}, "ok"},
	{Route{Pattern: "GET /api/messages/public"}, PublicMessage},
}

// referenceRoutes are what New serves behind the guard and what
// ReferenceRoutes describes: one table, so the two cannot differ.
var referenceRoutes = []answered{
	{Route{Pattern: "GET /api/messages/protected", Description: "any valid token"}, ProtectedMessage},
	{Route{Pattern: "GET /api/messages/admin", AllOf: []string{AdminPermission}}, AdminMessage},
}

// reservedPatterns are the gateway's own routes, which no proxied route may take.
func reservedPatterns() []string {
	var patterns []string
	for _, r := range append(openRoutes[:len(openRoutes):len(openRoutes)], referenceRoutes...) {
		patterns = append(patterns, r.Pattern)
	}
	return patterns
}

// registerAnswered adds the open routes and, behind auth and the guard, the
// reference routes to mux.
func registerAnswered(mux *http.ServeMux, v *guard.Validator, auth func(http.Handler) http.Handler) {
	for _, r := range openRoutes {
		mux.Handle(r.Pattern, message(r.message))
	}
	for _, r := range referenceRoutes {
		mux.Handle(r.Pattern, auth(v.Require(r.Requirement())(message(r.message))))
	}
}
