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

// loginAD is the additional data of the login stored under key: a record
// opens only there, and never as a session's.
func loginAD(key string) string { return "login\x00" + key }

func (w *Web) putPending(ctx context.Context, binding, state string, tx pending) error {
	plain, err := json.Marshal(tx)
	if err != nil {
		return err
	}
	key := loginKey(binding, state)
	if err := w.pending.add(ctx, key, w.sealer.seal(loginAD(key), plain), loginTimeout); err != nil {
		return fmt.Errorf("%w: %v", ErrStoreUnavailable, err)
	}
	return nil
}

// pendingOf takes the login a callback finishes out of the store, so that
// it serves once. It returns the status to answer on failure.
func (w *Web) pendingOf(r *http.Request) (pending, int, error) {
	state := r.URL.Query().Get("state")
	binding, err := cookie(r, w.loginCookie, "login")
	switch {
	case err != nil:
		return pending{}, http.StatusBadRequest, err
	case state == "":
		return pending{}, http.StatusBadRequest, errors.New("the callback has no state: start again at /login")
	case binding == "":
		return pending{}, http.StatusBadRequest, fmt.Errorf("no login is in progress in this browser: it took more than %v, or the login cookie did not come back (cookies blocked, or the login began at another address than %s); start again at %s/login", loginTimeout, w.cfg.PublicURL, w.cfg.PublicURL)
	}
	key := loginKey(binding, state)
	b, found, err := w.pending.take(r.Context(), key)
	if err != nil {
		return pending{}, http.StatusServiceUnavailable, fmt.Errorf("%w: %v", ErrStoreUnavailable, err)
	}
	var tx pending
	if plain, ok := w.sealer.open(loginAD(key), b); !found || !ok || json.Unmarshal(plain, &tx) != nil {
		return pending{}, http.StatusBadRequest, errors.New("the state matches no login in progress in this browser (already used, expired, or forged): start again at /login")
	}
	return tx, 0, nil
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
