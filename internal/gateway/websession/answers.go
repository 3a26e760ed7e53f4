package websession

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/model-api-auth0/model-api-auth0/guard"
)

// storeDownMessage is what a person or a client is told when the session
// store does not answer.
const storeDownMessage = "the session store is not answering; retry in a moment (calls with a bearer token are not affected)"

// storeFailed answers an API call (JSON) when the session store fails.
func (w *Web) storeFailed(rw http.ResponseWriter, r *http.Request, err error) {
	w.cfg.Logger.ErrorContext(r.Context(), "session store failed", "path", r.URL.Path, "error", err)
	w.refuse(r, http.StatusServiceUnavailable, "session store unavailable")
	rw.Header().Set("Retry-After", "5")
	guard.WriteJSONError(rw, http.StatusServiceUnavailable, storeDownMessage)
}

// storeDown answers a page (HTML) when the session store fails.
func (w *Web) storeDown(rw http.ResponseWriter, r *http.Request, err error) {
	w.cfg.Logger.ErrorContext(r.Context(), "session store failed", "path", r.URL.Path, "error", err)
	w.fail(rw, r, http.StatusServiceUnavailable, storeDownMessage)
}

func (w *Web) unauthorized(rw http.ResponseWriter, r *http.Request, message string) {
	w.refuse(r, http.StatusUnauthorized, message)
	rw.Header().Set("WWW-Authenticate", fmt.Sprintf("Bearer realm=%q", w.cfg.Audience))
	guard.WriteJSONError(rw, http.StatusUnauthorized, message)
}

// tokenFailed answers a session whose access token cannot be had.
func (w *Web) tokenFailed(ctx context.Context, rw http.ResponseWriter, r *http.Request, err error) {
	switch {
	case errors.Is(err, ErrSessionEnded):
		if derr := w.destroy(ctx); derr == nil {
			w.clearCookie(ctx, rw)
		}
		w.unauthorized(rw, r, "your session ended (logged out, or its tokens expired and cannot be renewed): log in again at /login")
	case errors.Is(err, ErrStoreUnavailable):
		w.storeFailed(rw, r, err)
	default:
		w.cfg.Logger.WarnContext(ctx, "token renewal failed", "path", r.URL.Path, "error", err)
		w.refuse(r, http.StatusServiceUnavailable, "session token renewal failed")
		rw.Header().Set("Retry-After", "5")
		guard.WriteJSONError(rw, http.StatusServiceUnavailable, "your access token expired and the tenant cannot renew it right now; retry in a moment")
	}
}
