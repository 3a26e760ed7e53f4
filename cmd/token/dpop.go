package main

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"

	"golang.org/x/oauth2"

	"github.com/model-api-auth0/model-api-auth0/internal/callers/dpop"
)

// dpopKey is the user's DPoP key, from the login store's directory, made
// on first use.
func (c *command) dpopKey() (*dpop.Key, error) {
	if c.key != nil {
		return c.key, nil
	}
	store, err := c.store()
	if err != nil {
		return nil, err
	}
	if c.key, err = store.DPoPKey(); err != nil {
		return nil, fmt.Errorf("the DPoP key: %w", err)
	}
	return c.key, nil
}

// withProofs makes the oauth2 requests made with ctx (token requests, and
// calls through oauth2.NewClient) carry DPoP proofs of key: nil leaves ctx
// as it is.
func withProofs(ctx context.Context, key *dpop.Key) context.Context {
	if key == nil {
		return ctx
	}
	return context.WithValue(ctx, oauth2.HTTPClient, &http.Client{Timeout: requestTimeout, Transport: &proofTransport{key: key, base: http.DefaultTransport}})
}

// proofTransport adds a DPoP proof to each request: at the token endpoint
// (no Authorization header) a proof that asks for bound tokens, to an API
// one bound to the DPoP token it carries (ath). A request with a bearer
// token gets none: the proof would prove nothing. A server asking for a
// nonce (DPoP-Nonce with use_dpop_nonce) gets the request again, once,
// with it.
type proofTransport struct {
	key    *dpop.Key
	base   http.RoundTripper
	mu     sync.Mutex
	nonces map[string]string // by host
}

func (t *proofTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	scheme, token, _ := strings.Cut(req.Header.Get("Authorization"), " ")
	if scheme != "" && !strings.EqualFold(scheme, "DPoP") {
		return t.base.RoundTrip(req)
	}
	t.mu.Lock()
	nonce := t.nonces[req.URL.Host]
	t.mu.Unlock()
	resp, err := t.send(req, token, nonce)
	if err != nil || !askedForNonce(resp) || req.GetBody == nil && req.Body != nil && req.Body != http.NoBody {
		return resp, err
	}
	nonce = resp.Header.Get("DPoP-Nonce")
	t.mu.Lock()
	if t.nonces == nil {
		t.nonces = map[string]string{}
	}
	t.nonces[req.URL.Host] = nonce
	t.mu.Unlock()
	resp.Body.Close()
	if req.GetBody != nil {
		if req.Body, err = req.GetBody(); err != nil {
			return nil, err
		}
	}
	return t.send(req, token, nonce)
}

func (t *proofTransport) send(req *http.Request, token, nonce string) (*http.Response, error) {
	proof, err := t.key.Proof(req.Method, req.URL.String(), token, nonce)
	if err != nil {
		return nil, err
	}
	r := req.Clone(req.Context()) // a RoundTripper must not change the caller's request
	r.Header.Set(dpop.Header, proof)
	return t.base.RoundTrip(r)
}

// askedForNonce: a 400 from a token endpoint or a 401 from an API, with a
// nonce to use (RFC 9449 sections 8 and 9).
func askedForNonce(resp *http.Response) bool {
	return (resp.StatusCode == http.StatusBadRequest || resp.StatusCode == http.StatusUnauthorized) && resp.Header.Get("DPoP-Nonce") != ""
}

// printProofHeaders prints the two headers of a DPoP request, for a tool
// that sends its own (curl -H @-): the token and a proof for method and
// target bound to it.
func (c *command) printProofHeaders(tok *oauth2.Token, method, target string) error {
	if !strings.EqualFold(tok.Type(), "DPoP") {
		return fmt.Errorf("the token is a %s token, not DPoP-bound: the API does not bind tokens (its proofOfPossession), or the login was made without -dpop", tok.Type())
	}
	key, err := c.dpopKey()
	if err != nil {
		return err
	}
	proof, err := key.Proof(method, target, tok.AccessToken, "")
	if err != nil {
		return err
	}
	fmt.Fprintf(c.stdout, "Authorization: DPoP %s\nDPoP: %s\n", tok.AccessToken, proof)
	return nil
}

// boundContext is ctx with proofs of the user's key when tok is
// DPoP-bound (a login made with -dpop), so that refreshing it and calling
// with it carry proofs; otherwise ctx.
func (c *command) boundContext(ctx context.Context, tok *oauth2.Token) (context.Context, error) {
	if !strings.EqualFold(tok.Type(), "DPoP") {
		return ctx, nil
	}
	key, err := c.dpopKey()
	if err != nil {
		return nil, err
	}
	return withProofs(ctx, key), nil
}

// dpopFlag is -dpop, of token and token login.
const dpopUsage = "ask for a DPoP-bound token (RFC 9449): the tenant binds it to a key kept 0600 beside the logins, and every call signs a proof with it (env TOKEN_DPOP=1)"
