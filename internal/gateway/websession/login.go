package websession

import (
	"cmp"
	"context"
	"crypto/rand"
	"crypto/subtle"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"
)

// login starts a login: GET /login[?organization=NAME_OR_ID][&returnTo=/path].
func (w *Web) login(rw http.ResponseWriter, r *http.Request) {
	ctx, q := r.Context(), r.URL.Query()
	org := q.Get("organization")
	if org == "" {
		org = w.cfg.DefaultOrg
	}
	if org != "" && !validOrg(org) {
		w.fail(rw, r, http.StatusBadRequest, fmt.Sprintf("organization %q: want an organization name (a-z, 0-9, _ and -, at most 50) or ID (org_...)", org))
		return
	}
	// The stack's organizations are not listed here: anyone may ask.
	asked, err := w.cfg.resolveOrg(org)
	if err != nil {
		w.fail(rw, r, http.StatusBadRequest, fmt.Sprintf("organization %q: %v: check its spelling, use the organization's ID (org_...), or log in without one", org, err))
		return
	}
	returnTo, err := localPath(q.Get("returnTo"))
	if err != nil {
		w.fail(rw, r, http.StatusBadRequest, err.Error())
		return
	}
	if w.sm.Token(ctx) == "" {
		// A login without a session stores a new one: bounded per client.
		if wait := w.logins.wait(r, w.cfg.Now()); wait > 0 {
			rw.Header().Set("Retry-After", retryAfter(wait))
			w.fail(rw, r, http.StatusTooManyRequests, "too many logins started from your address: retry in "+retryAfter(wait)+" s")
			return
		}
	}
	p, err := w.tenant.provider(ctx)
	if err != nil {
		w.fail(rw, r, http.StatusServiceUnavailable, err.Error()+"; retry in a moment")
		return
	}
	tx := pending{State: rand.Text(), Nonce: rand.Text(), Verifier: oauth2.GenerateVerifier(), Org: asked.param, OrgName: asked.name, ReturnTo: returnTo, Started: w.cfg.Now()}
	list := append(w.pendingLogins(ctx), tx)
	if len(list) > maxPending {
		list = list[len(list)-maxPending:]
	}
	w.sm.Put(ctx, keyPending, list)
	if _, loggedIn := w.sm.Get(ctx, keyUser).(user); !loggedIn {
		// A session that only holds a login in progress is not kept longer
		// than the login may take.
		w.sm.SetDeadline(ctx, w.cfg.Now().Add(loginTimeout))
	}
	if err := w.save(ctx, rw, w.sm.Token(ctx) == ""); errors.Is(err, ErrSessionEnded) {
		w.fail(rw, r, http.StatusConflict, "your session ended while this login started (logged out in another tab?): start again at /login")
		return
	} else if err != nil {
		w.storeDown(rw, r, err)
		return
	}
	opts := []oauth2.AuthCodeOption{
		oauth2.S256ChallengeOption(tx.Verifier),
		oidc.Nonce(tx.Nonce),
		oauth2.SetAuthURLParam("audience", w.cfg.Audience),
	}
	if asked.param != "" {
		opts = append(opts, oauth2.SetAuthURLParam("organization", asked.param))
	}
	http.Redirect(rw, r, p.oauth.AuthCodeURL(tx.State, opts...), http.StatusFound)
}

// callback finishes a login: GET /callback?code=...&state=... (or
// ?error=...&error_description=... when the tenant refused).
func (w *Web) callback(rw http.ResponseWriter, r *http.Request) {
	ctx, q := r.Context(), r.URL.Query()
	tx, status, err := w.takePending(ctx, q.Get("state"))
	if err != nil {
		w.fail(rw, r, status, err.Error())
		return
	}
	if e := q.Get("error"); e != "" {
		w.fail(rw, r, http.StatusForbidden, fmt.Sprintf("the tenant refused the login: %s: %s%s", e, q.Get("error_description"), refusalHint(tx, e)))
		return
	}
	if w.cfg.Now().Sub(tx.Started) > loginTimeout {
		w.fail(rw, r, http.StatusBadRequest, fmt.Sprintf("this login began more than %v ago: start again at /login", loginTimeout))
		return
	}
	code := q.Get("code")
	if code == "" {
		w.fail(rw, r, http.StatusBadRequest, "the callback has no code: start again at /login")
		return
	}
	u, status, err := w.exchange(ctx, tx, code)
	if err != nil {
		w.cfg.Logger.WarnContext(ctx, "login refused", "status", status, "reason", err.Error())
		w.fail(rw, r, status, err.Error())
		return
	}
	// A new session ID at login: an ID planted before it is worth nothing.
	// The session it replaces ends, and its refresh token with it.
	replaced, hadUser := w.sm.Get(ctx, keyUser).(user)
	if err := w.sm.RenewToken(ctx); err != nil {
		w.storeDown(rw, r, err)
		return
	}
	w.sm.Put(ctx, keyUser, u)
	if err := w.save(ctx, rw, true); err != nil {
		w.storeDown(rw, r, err)
		return
	}
	if hadUser {
		w.revoke(ctx, replaced)
	}
	w.cfg.Logger.InfoContext(ctx, "login", "sub", u.Subject, "org_id", u.OrgID)
	http.Redirect(rw, r, tx.ReturnTo, http.StatusSeeOther)
}

// takePending removes the login of state from the session and stores the
// session at once, so that the same state never serves twice.
func (w *Web) takePending(ctx context.Context, state string) (pending, int, error) {
	list := w.pendingLogins(ctx)
	switch {
	case state == "":
		return pending{}, http.StatusBadRequest, errors.New("the callback has no state: start again at /login")
	case len(list) == 0 && w.sm.Token(ctx) == "":
		return pending{}, http.StatusBadRequest, fmt.Errorf("no login is in progress in this browser: it took more than %v, or the session cookie did not come back (cookies blocked, or the login began at another address than %s); start again at %s/login", loginTimeout, w.cfg.PublicURL, w.cfg.PublicURL)
	}
	i := slices.IndexFunc(list, func(p pending) bool { return subtle.ConstantTimeCompare([]byte(p.State), []byte(state)) == 1 })
	if i < 0 {
		return pending{}, http.StatusBadRequest, errors.New("the state matches no login in progress in this browser (already used, expired, or forged): start again at /login")
	}
	tx := list[i]
	list = slices.Delete(list, i, i+1)
	if len(list) == 0 {
		w.sm.Remove(ctx, keyPending)
	} else {
		w.sm.Put(ctx, keyPending, list)
	}
	// Stored now, but the cookie is left as it is: its ID does not change
	// here, and the callback sets it once, with the new ID, at login.
	if _, _, err := w.commit(ctx, false); errors.Is(err, ErrSessionEnded) {
		return pending{}, http.StatusBadRequest, errors.New("the session of this login ended meanwhile (logged out in another tab?): start again at /login")
	} else if err != nil {
		return pending{}, http.StatusServiceUnavailable, err
	}
	return tx, 0, nil
}

// pendingLogins are the session's logins in progress that have not expired.
func (w *Web) pendingLogins(ctx context.Context) []pending {
	list, _ := w.sm.Get(ctx, keyPending).([]pending)
	now := w.cfg.Now()
	return slices.DeleteFunc(slices.Clone(list), func(p pending) bool { return now.Sub(p.Started) > loginTimeout })
}

// exchange redeems code with the login's PKCE verifier and checks what
// comes back: the ID token (signature, issuer, audience, expiry, nonce,
// authorized party, organization) and the access token (by the guard, as
// every call will check it). It returns the status to answer on failure.
func (w *Web) exchange(ctx context.Context, tx pending, code string) (user, int, error) {
	p, err := w.tenant.provider(ctx)
	if err != nil {
		return user{}, http.StatusServiceUnavailable, err
	}
	tok, err := p.oauth.Exchange(w.tenant.clientContext(ctx), code, oauth2.VerifierOption(tx.Verifier))
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
	if id.Subject != idt.Subject || id.OrgID != claims.OrgID {
		return user{}, http.StatusBadGateway, errors.New("the access token and the ID token do not name the same user and organization")
	}
	return user{
		Subject: idt.Subject, Name: claims.Name, Email: claims.Email, OrgID: claims.OrgID,
		// Auth0 adds org_name only on a tenant that allows names.
		OrgName:     cmp.Or(claims.OrgName, w.cfg.Organizations.NameOf(claims.OrgID)),
		AccessToken: tok.AccessToken, RefreshToken: tok.RefreshToken, Expiry: expiry(id.ExpiresAt, tok.Expiry),
	}, 0, nil
}

// localPath accepts a path on this gateway to return to after login, and
// nothing that would send the browser elsewhere (//host, /\host, scheme:).
func localPath(s string) (string, error) {
	if s == "" {
		return "/", nil
	}
	u, err := url.Parse(s)
	if err != nil || !strings.HasPrefix(s, "/") || strings.HasPrefix(s, "//") || strings.HasPrefix(s, `/\`) ||
		u.Scheme != "" || u.Host != "" || strings.ContainsFunc(s, func(r rune) bool { return r < 0x20 || r == 0x7f || r == '\\' }) || len(s) > 1024 {
		return "", fmt.Errorf("returnTo %q: want a path on this gateway, such as /", s)
	}
	return s, nil
}

// expiry prefers the token's own exp claim to the token response's expires_in.
func expiry(claim, response time.Time) time.Time {
	if claim.IsZero() {
		return response
	}
	return claim
}
