package proxy

import (
	"context"
	"net/http"
	"slices"
	"strings"

	"github.com/model-api-auth0/model-api-auth0/guard"
)

// checkUpgrade refuses (400) a request to switch protocols (Upgrade:
// websocket, h2c, ...) unless the route lists the protocol in its upgrade
// field. httputil.ReverseProxy would otherwise open the tunnel for any
// route.
func checkUpgrade(allowed []string, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		for _, v := range r.Header.Values("Upgrade") {
			for _, proto := range strings.Split(v, ",") {
				name, _, _ := strings.Cut(strings.TrimSpace(proto), "/")
				if !slices.ContainsFunc(allowed, func(a string) bool { return strings.EqualFold(a, name) }) {
					refusedBecause(r, "upgrade not allowed: "+name)
					guard.CloseUnreadBody(w, r)
					guard.WriteJSONError(w, http.StatusBadRequest, "Upgrade to "+strings.TrimSpace(proto)+" is not allowed on this route (a route's upgrade field in the routes file allows it)")
					return
				}
			}
		}
		next.ServeHTTP(w, r)
	})
}

// untilExpiry ends a tunnel when the token that opened it expires: the
// proxy closes both connections of an upgraded request when its context
// is done.
func untilExpiry(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id, ok := guard.IdentityFrom(r.Context())
		if !ok || r.Header.Get("Upgrade") == "" {
			next.ServeHTTP(w, r)
			return
		}
		ctx, cancel := context.WithDeadline(r.Context(), id.ExpiresAt)
		defer cancel()
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}
