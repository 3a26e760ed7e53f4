package websession

import (
	"errors"
	"fmt"
	"net/http"
)

// ErrCrossOrigin is the error of a state-changing request with a session
// cookie that is not proven to come from the gateway's own pages.
var ErrCrossOrigin = errors.New("cross-origin request refused")

// sameOrigin checks a request authenticated by the session cookie, which a
// browser attaches to requests other sites make. Safe methods pass, unless
// they upgrade the connection. Others
// need proof that the gateway's own page sent them: an Origin header equal
// to the public origin, or (without Origin) Sec-Fetch-Site: same-origin.
// No header at all is refused: a browser sends one of them on every
// cross-origin POST, and a non-browser client has no business with the
// cookie (it sends a bearer token).
//
// net/http.CrossOriginProtection is not used: it lets requests without
// either header through, and compares Origin with the Host header, which
// this gateway never trusts for its own address.
func sameOrigin(r *http.Request, publicOrigin string) error {
	switch r.Method {
	case http.MethodGet, http.MethodHead, http.MethodOptions:
		// A WebSocket handshake is a GET that opens a two-way channel
		// with the session's rights: it needs the same proof.
		if r.Header.Get("Upgrade") == "" {
			return nil
		}
	}
	site := r.Header.Get("Sec-Fetch-Site")
	if site != "" && site != "same-origin" {
		return fmt.Errorf("%w: Sec-Fetch-Site is %q; only the gateway's own pages may send this with a session", ErrCrossOrigin, site)
	}
	switch o := r.Header.Values("Origin"); {
	case len(o) > 1:
		return fmt.Errorf("%w: more than one Origin header", ErrCrossOrigin)
	case len(o) == 1 && o[0] != publicOrigin:
		return fmt.Errorf("%w: Origin %q is not %s", ErrCrossOrigin, o[0], publicOrigin)
	case len(o) == 0 && site == "":
		return fmt.Errorf("%w: neither Origin nor Sec-Fetch-Site says where it comes from; send a bearer token instead of the session cookie", ErrCrossOrigin)
	}
	return nil
}
