package websession

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/model-api-auth0/model-api-auth0/guard"
)

// ErrAmbiguousCookie: a request carries the session cookie more than once.
var ErrAmbiguousCookie = errors.New("ambiguous session cookie")

// maxClearedDepth bounds the paths a refusal clears a planted cookie at.
const maxClearedDepth = 8

// sessionID is the value of the request's session cookie, "" without one.
func (w *Web) sessionID(r *http.Request) (string, error) {
	return cookie(r, w.sm.Cookie.Name, "session")
}

// cookie is the value of the request's cookie name (the what cookie), ""
// without one.
//
// A cookie sent more than once is refused: the browser sends cookies of
// longer paths first, and on plain-http loopback, where a cookie cannot be
// __Host-, any web app on the host (another port: cookies ignore ports)
// can set one of the same name for a narrower path. Taking the first would
// let it choose the session (or the login) a person's requests run with.
func cookie(r *http.Request, name, what string) (string, error) {
	switch cs := r.CookiesNamed(name); len(cs) {
	case 0:
		return "", nil
	case 1:
		return cs[0].Value, nil
	default:
		return "", fmt.Errorf("%w: your browser sent the %s cookie %d times, and the gateway uses none of them "+
			"(another web app on this host may have set one); the ones of narrower paths were cleared: retry, "+
			"or clear this site's cookies and log in again", ErrAmbiguousCookie, what, len(cs))
	}
}

// clearNarrower expires cookie name at every path between / and the
// request's (with and without a trailing slash): a cookie planted for a
// narrower path, which the gateway never sets, is one of them. Its own
// cookie, at /, is left.
func (w *Web) clearNarrower(rw http.ResponseWriter, r *http.Request, name string) {
	segments := strings.Split(strings.Trim(r.URL.Path, "/"), "/")
	for i := range min(len(segments), maxClearedDepth) {
		path := "/" + strings.Join(segments[:i+1], "/")
		for _, p := range []string{path, path + "/"} {
			http.SetCookie(rw, &http.Cookie{Name: name, Path: p, MaxAge: -1, HttpOnly: true, Secure: w.sm.Cookie.Secure})
		}
	}
}

// ambiguous answers a request with cookie name more than once: JSON for an
// API call, the page for a browser route.
func (w *Web) ambiguous(rw http.ResponseWriter, r *http.Request, name string, err error, api bool) {
	w.clearNarrower(rw, r, name)
	if api {
		w.refuse(r, http.StatusBadRequest, ErrAmbiguousCookie.Error())
		guard.WriteJSONError(rw, http.StatusBadRequest, err.Error())
		return
	}
	w.fail(rw, r, http.StatusBadRequest, err.Error())
}

// stripCookie removes the cookie name from the Cookie headers, keeping the
// others: the upstream has no business with the session ID.
func stripCookie(h http.Header, name string) {
	lines := h.Values("Cookie")
	if len(lines) == 0 {
		return
	}
	var kept []string
	for _, line := range lines {
		for part := range strings.SplitSeq(line, ";") {
			n, _, _ := strings.Cut(strings.TrimSpace(part), "=")
			if n != name && strings.TrimSpace(part) != "" {
				kept = append(kept, strings.TrimSpace(part))
			}
		}
	}
	h.Del("Cookie")
	if len(kept) > 0 {
		h.Set("Cookie", strings.Join(kept, "; "))
	}
}
