package websession

import (
	"cmp"
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"golang.org/x/oauth2"

	"github.com/model-api-auth0/model-api-auth0/internal/callers/dpop"
)

// exchange redeems code with the login's PKCE verifier and checks what
// comes back: the ID token (signature, issuer, audience, expiry, nonce,
// authorized party, organization) and the access token (by the guard, as
// every call will check it). It returns the status to answer on failure.
func (w *Web) exchange(ctx context.Context, tx pending, code string) (user, int, error) {
	p, err := w.tenant.provider(ctx)
	if err != nil {
		return user{}, http.StatusServiceUnavailable, err
	}
	var key *sessionKey
	if w.bindsTokens() {
		// A key per session, made once the login comes back: a login in
		// progress costs no key.
		k, err := dpop.NewKey()
		if err != nil {
			return user{}, http.StatusInternalServerError, err
		}
		k.Now = w.cfg.Now // the proofs' iat, on the clock the guard checks them by
		key = &sessionKey{k}
	}
	tok, err := p.oauth.Exchange(w.tenantContext(ctx, key.get()), code, oauth2.VerifierOption(tx.Verifier))
	if re := (*oauth2.RetrieveError)(nil); errors.As(err, &re) {
		return user{}, http.StatusBadRequest, fmt.Errorf("the tenant refused the authorization code (%s: %s): it was already used, has expired, or belongs to another login; start again at /login", re.ErrorCode, re.ErrorDescription)
	} else if err != nil {
		return user{}, http.StatusBadGateway, fmt.Errorf("the tenant's token endpoint did not answer: %v", err)
	}
	rawID, _ := tok.Extra("id_token").(string)
	if rawID == "" {
		return user{}, http.StatusBadGateway, errors.New("the tenant sent no ID token: `openid` must be among the scopes")
	}
	idt, err := p.verifier.Verify(ctx, rawID)
	if err != nil {
		return user{}, http.StatusBadGateway, fmt.Errorf("the tenant's ID token is not valid for this gateway: %v", err)
	}
	if subtle.ConstantTimeCompare([]byte(idt.Nonce), []byte(tx.Nonce)) != 1 {
		return user{}, http.StatusBadRequest, errors.New("the ID token's nonce is not this login's (a replayed or injected token): start again at /login")
	}
	var claims struct {
		AZP     string `json:"azp"`
		Name    string `json:"name"`
		Email   string `json:"email"`
		OrgID   string `json:"org_id"`
		OrgName string `json:"org_name"`
	}
	if err := idt.Claims(&claims); err != nil {
		return user{}, http.StatusBadGateway, fmt.Errorf("the ID token's claims cannot be read: %v", err)
	}
	if (claims.AZP != "" || len(idt.Audience) > 1) && claims.AZP != w.cfg.ClientID {
		return user{}, http.StatusBadGateway, fmt.Errorf("the ID token was issued to client %q, not this gateway's", claims.AZP)
	}
	if tx.Org != "" && !sameOrg(tx.Org, claims.OrgID, claims.OrgName) {
		return user{}, http.StatusForbidden, fmt.Errorf("this login asked for organization %s but the ID token is for %s: start again at /login?organization=%s",
			describeOrg(tx.OrgName, tx.Org), describeOrg(claims.OrgName, claims.OrgID), url.QueryEscape(cmp.Or(tx.OrgName, tx.Org)))
	}
	id, err := w.cfg.Validator.Validate(ctx, tok.AccessToken)
	if err != nil {
		return user{}, http.StatusBadGateway, fmt.Errorf("the tenant issued an access token the gateway does not accept (%v): is the application allowed to request the API %s?", err, w.cfg.Audience)
	}
	if err := w.checkBinding(key.get(), tok.TokenType, id); err != nil {
		return user{}, http.StatusBadGateway, err
	}
	if id.Subject != idt.Subject || id.OrgID != claims.OrgID {
		return user{}, http.StatusBadGateway, errors.New("the access token and the ID token do not name the same user and organization")
	}
	return user{
		Subject: idt.Subject, Name: claims.Name, Email: claims.Email, OrgID: claims.OrgID,
		// Auth0 adds org_name only on a tenant that allows names.
		OrgName:     cmp.Or(claims.OrgName, w.cfg.Organizations.NameOf(claims.OrgID)),
		AccessToken: tok.AccessToken, RefreshToken: tok.RefreshToken, Expiry: expiry(id.ExpiresAt, tok.Expiry),
		TokenType: tok.TokenType, Key: key,
	}, 0, nil
}

// expiry prefers the token's own exp claim to the token response's expires_in.
func expiry(claim, response time.Time) time.Time {
	if claim.IsZero() {
		return response
	}
	return claim
}
