package websession

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"

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
		Transport: &proofTransport{key: key, base: cmp.Or[http.RoundTripper](base.Transport, http.DefaultTransport), nonce: &w.tokenNonce}}
	return oidc.ClientContext(ctx, client)
}

// tenantNonce is the last DPoP nonce the tenant's token endpoint asked for
// (RFC 9449 section 8), shared by every session's proofs: it is the
// server's, not the key's.
type tenantNonce struct {
	mu    sync.Mutex
	value string
}

func (n *tenantNonce) get() string {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.value
}

func (n *tenantNonce) set(v string) {
	n.mu.Lock()
	n.value = v
	n.mu.Unlock()
}

// proofTransport adds a proof of key to each token request. A tenant that
// answers 400 use_dpop_nonce with a DPoP-Nonce gets the request again,
// once, with that nonce, as Auth0 asks.
type proofTransport struct {
	key   *dpop.Key
	base  http.RoundTripper
	nonce *tenantNonce
}

func (t *proofTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := t.send(req, t.nonce.get(), false)
	if err != nil || resp.StatusCode != http.StatusBadRequest || resp.Header.Get("DPoP-Nonce") == "" || req.GetBody == nil {
		return resp, err
	}
	nonce := resp.Header.Get("DPoP-Nonce")
	t.nonce.set(nonce)
	resp.Body.Close()
	return t.send(req, nonce, true)
}

// send sends req with a new proof; again, with a new copy of its body.
func (t *proofTransport) send(req *http.Request, nonce string, again bool) (*http.Response, error) {
	proof, err := t.key.Proof(req.Method, req.URL.String(), "", nonce)
	if err != nil {
		return nil, err
	}
	r := req.Clone(req.Context()) // a RoundTripper must not change the caller's request
	if again {
		if r.Body, err = req.GetBody(); err != nil {
			return nil, err
		}
	}
	r.Header.Set(dpop.Header, proof)
	return t.base.RoundTrip(r)
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
