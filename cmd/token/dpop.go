package main

import (
	"context"
	"fmt"
	"net/http"
	"strings"

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
	return context.WithValue(ctx, oauth2.HTTPClient, &http.Client{Timeout: requestTimeout, Transport: &dpop.Transport{Key: key}})
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
