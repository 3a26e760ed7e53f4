package websession

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/coreos/go-oidc/v3/oidc"

	"github.com/model-api-auth0/model-api-auth0/guard"
	"github.com/model-api-auth0/model-api-auth0/internal/callers/dpop"
)

// DPoP-bound sessions (RFC 9449). When the gateway takes DPoP (Config.DPoP
// allowed or required), each session gets a key of its own at login: the
// code exchange and every refresh carry a proof of it, so the tenant binds
// the session's tokens to it (cnf.jkt, token_type DPoP), and each call the
// session makes through the gateway carries a fresh proof for that call.
// The key lives in the session's sealed record, beside the tokens, so any
// replica sharing the store can sign with it; a token copied out of the
// store is useless without it, and the key never leaves the record: it is
// not logged and not shown on the page.

// bindsTokens reports whether logins ask for DPoP-bound tokens.
func (w *Web) bindsTokens() bool {
	return w.cfg.DPoP == guard.DPoPAllowed || w.cfg.DPoP == guard.DPoPRequired
}

// sessionKey is a session's DPoP key as its record stores it: the PKCS#8
// PEM of the private key. Decoding builds the signer once; the codec keeps
// decoded records, so a request does not parse the key again.
type sessionKey struct{ *dpop.Key }

func (k sessionKey) MarshalJSON() ([]byte, error) {
	b, err := k.MarshalPEM()
	if err != nil {
		return nil, err
	}
	return json.Marshal(string(b))
}

func (k *sessionKey) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	key, err := dpop.ParsePEM([]byte(s))
	if err != nil {
		return err
	}
	k.Key = key
	return nil
}

// String hides the key from anything that prints a user.
func (sessionKey) String() string { return "[DPoP key]" }

// bound reports whether u's access token is DPoP-bound: it goes out as
// `Authorization: DPoP` with a proof of u's key.
func (u user) bound() bool { return u.Key != nil && strings.EqualFold(u.TokenType, "DPoP") }

// authorize sets r's credentials for u's access token: a DPoP-bound one
// with a proof of the session's key for this request as the guard checks
// it (method, the public URL and the path as sent, ath, and the guard's
// current nonce, if it asks for nonces); otherwise a bearer token.
func (w *Web) authorize(r *http.Request, u user) error {
	r.Header.Del(dpop.Header) // only the gateway's proof, never one the browser sent
	if !u.bound() {
		r.Header.Set("Authorization", "Bearer "+u.AccessToken)
		return nil
	}
	nonce := ""
	if w.cfg.DPoPNonce != nil {
		nonce = w.cfg.DPoPNonce()
	}
	proof, err := u.Key.Proof(r.Method, w.cfg.PublicURL+r.URL.EscapedPath(), u.AccessToken, nonce)
	if err != nil {
		return err
	}
	r.Header.Set("Authorization", "DPoP "+u.AccessToken)
	r.Header.Set(dpop.Header, proof)
	return nil
}

// checkBinding checks what the tenant answered to a request that carried a
// proof of key (nil: none was sent): a DPoP token must be bound to key,
// and a gateway requiring DPoP cannot use a bearer token.
func (w *Web) checkBinding(key *dpop.Key, tokenType string, id *guard.Identity) error {
	dpopToken := strings.EqualFold(tokenType, "DPoP")
	switch {
	case key == nil && (dpopToken || id.KeyThumbprint != ""):
		return errors.New("the tenant bound the access token to a DPoP key although the login sent no proof")
	case key == nil:
		return nil
	case dpopToken && id.KeyThumbprint != key.Thumbprint():
		return errors.New("the tenant's DPoP token is not bound to this session's key (cnf.jkt)")
	case !dpopToken && id.KeyThumbprint != "":
		return fmt.Errorf("the tenant answered token_type %q for an access token bound to a key (cnf.jkt)", tokenType)
	case !dpopToken && w.cfg.DPoP == guard.DPoPRequired:
		return fmt.Errorf("the tenant issued a %s token although the login sent a DPoP proof, and the gateway requires DPoP (-dpop required): give the API a proofOfPossession with mechanism dpop in the stack, or run the gateway with -dpop allowed", cmp.Or(tokenType, "bearer"))
	}
	return nil
}

// tenantContext carries, for the token endpoint, the configured HTTP client
// with a proof of key on each request (nil key: the client as it is).
func (w *Web) tenantContext(ctx context.Context, key *dpop.Key) context.Context {
	if key == nil {
		return w.tenant.clientContext(ctx)
	}
	base := w.cfg.HTTPClient
	client := &http.Client{Timeout: base.Timeout, Jar: base.Jar, CheckRedirect: base.CheckRedirect,
		Transport: &dpop.Transport{Key: key, Base: base.Transport, Nonces: &w.tokenNonces}}
	return oidc.ClientContext(ctx, client)
}

// get is k's key; nil for no key.
func (k *sessionKey) get() *dpop.Key {
	if k == nil {
		return nil
	}
	return k.Key
}

// key is the session's DPoP key; nil for a bearer session.
func (u user) key() *dpop.Key { return u.Key.get() }
