// Package websession logs people in at the gateway, as a browser app of
// the tenant: OpenID Connect authorization code flow with PKCE, state and
// nonce (github.com/coreos/go-oidc/v3 and golang.org/x/oauth2), Auth0's
// `organization` and `audience` parameters, and server-side sessions
// (github.com/alexedwards/scs/v2, in memory or in Redis).
//
// The browser holds only a random session ID in an HttpOnly, SameSite=Lax
// cookie (Secure, and named __Host-session, unless the gateway is reached on
// a loopback address over http); a request carrying it twice is refused.
// The session's tokens stay in the store, sealed with AES-GCM and bound to
// the session's key; the ID is replaced at login. A login in progress is no
// session: a small sealed record, bounded in number, found by the browser's
// login cookie and the state, and taken once. A browser's calls to the
// guarded routes may use the session instead of a bearer header: the
// session's access token is then checked by the guard exactly as a bearer
// token would be (or, when the gateway takes DPoP, as a DPoP-bound token
// with a proof of the session's own key, dpop.go), and the upstream sees
// neither the token nor the cookie.
// State-changing calls with the cookie must come from the gateway's own
// origin. A logout wins over any refresh in flight, ends the tunnels opened
// with the session, and revokes its refresh token at the tenant.
package websession

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/alexedwards/scs/v2"
	"golang.org/x/sync/singleflight"

	"github.com/model-api-auth0/model-api-auth0/guard"
	"github.com/model-api-auth0/model-api-auth0/internal/callers/dpop"
)

// Errors of a session-authenticated request.
var (
	// ErrNoSession: the cookie names no session (expired, logged out, or
	// never issued).
	ErrNoSession = errors.New("no such session")
	// ErrSessionEnded: the session's tokens expired and the tenant will not
	// renew them (no refresh token, or it was revoked).
	ErrSessionEnded = errors.New("session ended")
	// ErrStoreUnavailable: the session store (Redis) did not answer.
	ErrStoreUnavailable = errors.New("session store unavailable")
	// ErrTenantUnavailable: the tenant's discovery or token endpoint did not answer.
	ErrTenantUnavailable = errors.New("tenant unavailable")
)

// Patterns are the routes Register serves; a gateway route may not reuse them.
var Patterns = []string{"GET /{$}", "GET /login", "GET /callback", "POST /logout", "GET /logout", "GET /static/"}

// Web is the login, its sessions and its page. It is safe for concurrent use.
type Web struct {
	cfg       Config
	sm        *scs.SessionManager
	origin    string
	tenant    tenant
	refreshes singleflight.Group
	lock      refreshLock
	timing    refreshTiming
	kept      *keptTokens
	tunnels   *tunnels
	sealer    *sealer
	pending   pendingStore // logins in progress
	limit     *loginLimiter
	// tokenNonces are the tenant's DPoP nonces for its token endpoint,
	// shared by every session's proofs: a nonce is the server's.
	tokenNonces dpop.Nonces
	// loginCookie ties a browser's logins in progress to it.
	loginCookie string
	// refused, if set, hears why Authenticate refused a call (access log).
	refused func(r *http.Request, status int, reason string)
}

// OnRefusal sets f to be told why Authenticate refuses a call, as the
// guard's Observer is told of its denials. Call it before serving.
func (w *Web) OnRefusal(f func(r *http.Request, status int, reason string)) { w.refused = f }

func (w *Web) refuse(r *http.Request, status int, reason string) {
	if w.refused != nil {
		w.refused(r, status, reason)
	}
}

// New checks cfg (every problem at once) and prepares the session store.
// The tenant's OpenID configuration is fetched on first use, and again
// until it has been fetched once, so a tenant unreachable at start makes
// logins fail with 503 rather than the gateway.
func New(cfg Config) (*Web, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if cfg.Validator == nil {
		return nil, errors.New("login: no token validator (guard.Validator)")
	}
	cfg.complete()
	sealer, err := newSealer(&cfg)
	if err != nil {
		return nil, err
	}
	limit, err := newLoginLimiter(&cfg)
	if err != nil {
		return nil, err
	}
	w := &Web{cfg: cfg, sm: newSessionManager(&cfg, sealer), origin: origin(cfg.PublicURL), lock: noLock{}, timing: defaultTiming,
		kept: newKeptTokens(), tunnels: newTunnels(), sealer: sealer, pending: newMemoryPending(maxPendingLogins), limit: limit, loginCookie: "gateway_login"}
	if cfg.Redis != nil {
		w.lock, w.pending = redisLock{client: cfg.Redis}, redisPending{client: cfg.Redis, max: maxPendingLogins}
	}
	if w.sm.Cookie.Secure {
		w.loginCookie = "__Host-gateway_login" // as the session cookie: Secure, Path=/, no Domain
	}
	w.tenant.cfg = &w.cfg
	return w, nil
}

// Register adds the login routes and the page to mux.
func (w *Web) Register(mux *http.ServeMux) {
	mux.Handle("GET /{$}", w.withSession(w.page))
	mux.HandleFunc("GET /login", func(rw http.ResponseWriter, r *http.Request) {
		rw.Header().Set("Cache-Control", "no-store")
		w.login(rw, r) // a pending login is no session
	})
	mux.Handle("GET /callback", w.withSession(w.callback))
	mux.Handle("POST /logout", w.withSession(w.logout))
	mux.HandleFunc("GET /logout", func(rw http.ResponseWriter, r *http.Request) {
		rw.Header().Set("Allow", http.MethodPost)
		guard.WriteJSONError(rw, http.StatusMethodNotAllowed, "log out with the button of the gateway's page (POST /logout); a link cannot log you out")
	})
	mux.Handle("GET /static/", staticFiles())
}

// Authenticate lets a browser call next with its session instead of a
// bearer header. A request with an Authorization header is left to the
// guard as it is; one with the session cookie gets the session's access
// token (renewed first if it is about to expire) as its bearer token, or
// as a DPoP token with a proof for this request, for next to check as any
// other. The session cookie never reaches next.
func (w *Web) Authenticate(next http.Handler) http.Handler {
	return http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		if len(r.CookiesNamed(w.sm.Cookie.Name)) == 0 {
			next.ServeHTTP(rw, r)
			return
		}
		id, idErr := w.sessionID(r)
		r = r.Clone(r.Context())
		stripCookie(r.Header, w.sm.Cookie.Name)
		if r.Header.Get("Authorization") != "" {
			next.ServeHTTP(rw, r) // bearer wins; the cookie is not looked at
			return
		}
		if idErr != nil {
			w.ambiguous(rw, r, w.sm.Cookie.Name, idErr, true)
			return
		}
		if err := sameOrigin(r, w.origin); err != nil {
			w.refuse(r, http.StatusForbidden, err.Error())
			guard.WriteJSONError(rw, http.StatusForbidden, err.Error())
			return
		}
		ctx, err := w.sm.Load(r.Context(), id)
		if err != nil {
			w.storeFailed(rw, r, err)
			return
		}
		u, ok := w.sm.Get(ctx, keyUser).(user)
		if !ok {
			if w.sm.Token(ctx) == "" {
				w.clearCookie(ctx, rw)
			}
			w.unauthorized(rw, r, "your session cookie names no logged-in session (it expired, or you logged out): log in again at /login")
			return
		}
		current, err := w.accessToken(ctx, u)
		if err != nil {
			w.tokenFailed(ctx, rw, r, err)
			return
		}
		if err := w.authorize(r, current); err != nil {
			w.tokenFailed(ctx, rw, r, err)
			return
		}
		if r.Header.Get("Upgrade") != "" {
			var closed func()
			ctx, closed = w.openTunnel(ctx, id) // ends with the session
			defer closed()
		}
		next.ServeHTTP(rw, r.WithContext(ctx))
	})
}

// withSession loads the session of the request's cookie (or a new one) for
// h, which saves it explicitly (save) when it changes it.
func (w *Web) withSession(h http.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		rw.Header().Set("Cache-Control", "no-store")
		id, err := w.sessionID(r)
		if err != nil {
			w.ambiguous(rw, r, w.sm.Cookie.Name, err, false)
			return
		}
		ctx, err := w.sm.Load(r.Context(), id)
		if err != nil {
			w.storeDown(rw, r, err)
			return
		}
		h(rw, r.WithContext(ctx))
	})
}

// commit stores the session: a new one (create), or one loaded from the
// store, which is saved back only while it is still there, so that a
// logout meanwhile is not undone (ErrSessionEnded).
func (w *Web) commit(ctx context.Context, create bool) (string, time.Time, error) {
	if create {
		ctx = creating(ctx)
	}
	id, expiry, err := w.sm.Commit(ctx)
	switch {
	case errors.Is(err, errSessionGone):
		return "", time.Time{}, fmt.Errorf("%w: %w", ErrSessionEnded, err)
	case err != nil:
		return "", time.Time{}, fmt.Errorf("%w: %w", ErrStoreUnavailable, err)
	}
	return id, expiry, nil
}

func (w *Web) clearCookie(ctx context.Context, rw http.ResponseWriter) {
	w.sm.WriteSessionCookie(ctx, rw, "", time.Time{})
}
