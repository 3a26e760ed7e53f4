package websession

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"
)

// pending is a login between /login and /callback: what the callback must
// find again, kept server-side (pendingStore) so that a forged or replayed
// state matches nothing.
type pending struct {
	Nonce    string    `json:"nonce"`
	Verifier string    `json:"verifier"`           // PKCE
	Org      string    `json:"org,omitempty"`      // the organization parameter sent: an ID, or a name sent as given
	OrgName  string    `json:"org_name,omitempty"` // its name, when known
	ReturnTo string    `json:"return_to"`
	Started  time.Time `json:"started"`
}

// A pending login is stored under loginKey(binding, state): binding is the
// random value of the browser's login cookie, so only the browser that
// started the login, coming back with its state, names it (a callback
// carried to another browser is login CSRF). It is no session: a login
// costs a small record that expires with it, and none of a session's.

func loginKey(binding, state string) string {
	sum := sha256.Sum256([]byte(binding + "\x00" + state))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// loginAD is the additional data of a record stored under key with tag:
// it opens only there, as what it was sealed as, and never as a session.
func loginAD(key string, tag byte) string { return "login\x00" + string(rune(tag)) + "\x00" + key }

// seal is v sealed under key, as a record of tag.
func (w *Web) seal(key string, tag byte, v any) ([]byte, error) {
	plain, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	return append([]byte{tag}, w.sealer.seal(loginAD(key, tag), plain)...), nil
}

// open reads a record of key sealed by seal into v.
func (w *Web) open(key string, b []byte, v any) bool {
	if len(b) == 0 {
		return false
	}
	plain, ok := w.sealer.open(loginAD(key, b[0]), b[1:])
	return ok && json.Unmarshal(plain, v) == nil
}

func (w *Web) putPending(ctx context.Context, binding, state string, tx pending) error {
	key := loginKey(binding, state)
	b, err := w.seal(key, tagLogin, tx)
	if err == nil {
		err = w.pending.add(ctx, key, b, loginTimeout)
	}
	if err != nil {
		return fmt.Errorf("%w: %v", ErrStoreUnavailable, err)
	}
	return nil
}

// claim is what a callback finds of its login: the login itself if it is
// the first to come for it, else only where to wait for that one.
type claim struct {
	key   string
	tx    pending
	first bool
}

// claimLogin takes the login a callback finishes out of the store. It
// returns the status to answer on failure.
func (w *Web) claimLogin(r *http.Request) (claim, int, error) {
	state := r.URL.Query().Get("state")
	binding, err := cookie(r, w.loginCookie, "login")
	switch {
	case err != nil:
		return claim{}, http.StatusBadRequest, err
	case state == "":
		return claim{}, http.StatusBadRequest, errors.New("the callback has no state: start again at /login")
	case binding == "":
		return claim{}, http.StatusBadRequest, fmt.Errorf("no login is in progress in this browser: it took more than %v, or the login cookie did not come back (cookies blocked, or the login began at another address than %s); start again at %s/login", loginTimeout, w.cfg.PublicURL, w.cfg.PublicURL)
	}
	c := claim{key: loginKey(binding, state)}
	b, err := w.pending.take(r.Context(), c.key)
	switch {
	case err != nil:
		return claim{}, http.StatusServiceUnavailable, fmt.Errorf("%w: %v", ErrStoreUnavailable, err)
	case len(b) > 0 && b[0] == tagLogin:
		if c.first = w.open(c.key, b, &c.tx); c.first {
			return c, 0, nil
		}
	case len(b) > 0:
		return c, 0, nil // taken by another callback
	}
	return claim{}, http.StatusBadRequest, errors.New("the state matches no login in progress in this browser (already used, expired, or forged): start again at /login")
}

// outcome is how the callback that took a login finished it, kept for the
// other callbacks of that login, which answer the same.
type outcome struct {
	Session  string    `json:"session,omitempty"` // the new session's ID, for the same browser only
	Expiry   time.Time `json:"expiry"`
	ReturnTo string    `json:"return_to,omitempty"`
	Status   int       `json:"status,omitempty"` // of a failure
	Error    string    `json:"error,omitempty"`
}

func (w *Web) settle(ctx context.Context, key string, o outcome) {
	b, err := w.seal(key, tagOutcome, o)
	if err == nil {
		err = w.pending.settle(ctx, key, b)
	}
	if err != nil {
		w.cfg.Logger.WarnContext(ctx, "a login's outcome could not be stored for its other callbacks", "error", err)
	}
}

// settleWait bounds the wait for another callback's outcome: its code
// exchange, the ID token's keys, the session's save.
const settleWait = 3 * tenantTimeout

// awaitOutcome waits for the callback that took the login of key to
// settle it.
func (w *Web) awaitOutcome(ctx context.Context, key string) outcome {
	deadline := time.Now().Add(settleWait)
	for {
		var o outcome
		b, err := w.pending.peek(ctx, key)
		switch {
		case err != nil:
			return outcome{Status: http.StatusServiceUnavailable, Error: storeDownMessage}
		case len(b) == 0:
			return outcome{Status: http.StatusBadRequest, Error: "this login expired: start again at /login"}
		case b[0] == tagOutcome && w.open(key, b, &o):
			return o
		case time.Now().After(deadline):
			return outcome{Status: http.StatusServiceUnavailable, Error: "another request of this browser is still finishing this login: open / in a moment"}
		}
		select {
		case <-ctx.Done():
			return outcome{Status: http.StatusServiceUnavailable, Error: ctx.Err().Error()}
		case <-time.After(awaitPoll):
		}
	}
}

// setLoginCookie ties the browser's logins to it for as long as a login
// may take. Lax: the callback is a top-level GET from the tenant.
func (w *Web) setLoginCookie(rw http.ResponseWriter, binding string) {
	http.SetCookie(rw, &http.Cookie{Name: w.loginCookie, Value: binding, Path: "/", MaxAge: int(loginTimeout.Seconds()),
		HttpOnly: true, Secure: w.sm.Cookie.Secure, SameSite: http.SameSiteLaxMode})
}

func (w *Web) clearLoginCookie(rw http.ResponseWriter) {
	http.SetCookie(rw, &http.Cookie{Name: w.loginCookie, Path: "/", MaxAge: -1, HttpOnly: true, Secure: w.sm.Cookie.Secure, SameSite: http.SameSiteLaxMode})
}
