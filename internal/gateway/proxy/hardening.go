package proxy

import (
	"cmp"
	"fmt"
	"net/http"
	"strings"

	"github.com/model-api-auth0/model-api-auth0/guard"
)

// routeHandler is what stands between a caller and the upstream on a
// proxied route, in order, each refusing in the route's error shape: a protocol switch the route does not allow
// (400), a body over the route's limit (413), the token (401/403), an
// access_token in a form body (400), then the proxy, whose tunnels end
// with the token.
func routeHandler(r Route, require func(http.Handler) http.Handler, proxy http.Handler) http.Handler {
	h := require(refuseFormToken(untilExpiry(proxy)))
	return withRoute(r.Requirement(), withErrorShape(r.errorShape(), checkUpgrade(r.Upgrade, limitBody(r.maxBody(), h))))
}

// withRoute tells the handlers behind the guard what the route requires:
// a refusal for a model's permission names it with the model's (allowed).
func withRoute(req guard.Requirement, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if info := infoFrom(r.Context()); info != nil {
			info.requirement = req
		}
		next.ServeHTTP(w, r)
	})
}

func (r Route) maxBody() ByteSize { return cmp.Or(r.MaxBody, DefaultMaxBody) }

// hardeningProblems reports what is wrong with a route's maxBody, upgrade
// and errors.
func hardeningProblems(r Route) []error {
	var errs []error
	if r.MaxBody < 0 {
		errs = append(errs, fmt.Errorf("maxBody %d: want a positive size such as 4MiB", r.MaxBody))
	}
	for _, p := range r.Upgrade {
		if p == "" || strings.ContainsAny(p, " \t,/") {
			errs = append(errs, fmt.Errorf("upgrade: %q is not a protocol name such as websocket", p))
		}
	}
	if e := r.Errors; e != "" && e != ErrorsOpenAI && e != ErrorsMessage {
		errs = append(errs, fmt.Errorf("errors %q: want %s (OpenAI's error bodies) or %s ({\"message\": ...})", e, ErrorsOpenAI, ErrorsMessage))
	}
	return errs
}
