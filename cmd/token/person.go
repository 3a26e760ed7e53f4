package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"golang.org/x/oauth2"

	"github.com/model-api-auth0/model-api-auth0/internal/callers/tokenstore"
	"github.com/model-api-auth0/model-api-auth0/internal/tenant/stackoutputs"
)

// errLoginAgain marks errors a new `token login` fixes.
var errLoginAgain = errors.New("log in again")

// personToken returns a valid access token of the person's stored login,
// refreshing it if it has expired and saving the rotated refresh token.
// The refresh runs under the login's lock: with rotating refresh tokens,
// two commands refreshing at once would look like a stolen token to the
// tenant, which revokes the login.
func (c *command) personToken(ctx context.Context, t *tenant) (*oauth2.Token, error) {
	store, err := c.store()
	if err != nil {
		return nil, err
	}
	l, unlock, err := lockLogin(store, t)
	if err != nil {
		return nil, err
	}
	defer unlock()
	key := l.Key()
	if l.Token.Valid() {
		return l.Token, nil
	}
	again := loginCommand(l)
	if l.Token.RefreshToken == "" {
		return nil, fmt.Errorf("the login to %s expired at %s and has no refresh token (the API does not allow offline access); %w: %s",
			l.Issuer, l.Token.Expiry.Format("2006-01-02 15:04 MST"), errLoginAgain, again)
	}
	if err := checkEndpoint(l.TokenURL); err != nil {
		return nil, fmt.Errorf("the stored login's token endpoint: %w", err)
	}
	cfg := oauth2.Config{ClientID: l.ClientID, Endpoint: oauth2.Endpoint{TokenURL: l.TokenURL, AuthStyle: oauth2.AuthStyleInParams}}
	ctx = context.WithValue(ctx, oauth2.HTTPClient, &http.Client{Timeout: requestTimeout})
	if ctx, err = c.boundContext(ctx, l.Token); err != nil { // a bound login's refresh needs a proof of its key
		return nil, err
	}
	tok, err := cfg.TokenSource(ctx, l.Token).Token()
	if err != nil {
		var re *oauth2.RetrieveError
		if errors.As(err, &re) && re.ErrorCode == "invalid_grant" {
			store.Delete(key) // refused for good: keep no dead tokens
			return nil, fmt.Errorf("the tenant refused to refresh the login to %s (%s); %w: %s", l.Issuer, re.ErrorDescription, errLoginAgain, again)
		}
		return nil, fmt.Errorf("refreshing the login to %s: %w", l.Issuer, err)
	}
	if stackoutputs.IsOrganizationID(l.Organization) {
		if err := (organization{asked: l.Organization, id: l.Organization, name: l.OrganizationName}).check(tok.AccessToken); err != nil {
			return nil, fmt.Errorf("refreshing the login to %s: %w; %w: %s", l.Issuer, err, errLoginAgain, again)
		}
	}
	l.Token = tok
	if err := store.Save(l); err != nil {
		return nil, fmt.Errorf("the token was refreshed but not saved (%w); the next run will need %s", err, again)
	}
	return tok, nil
}

// lockLogin locks the stored login the flags mean and reads it under the
// lock: another command may have refreshed it meanwhile, or moved it from
// its organization's name to its ID (then it is looked for again, once).
func lockLogin(store *tokenstore.Store, t *tenant) (l *tokenstore.Login, unlock func(), err error) {
	for try := 0; ; try++ {
		key, err := selectLogin(store, t)
		if err != nil {
			return nil, nil, err
		}
		unlock, err := store.Lock(key)
		if err != nil {
			return nil, nil, err
		}
		l, err := store.Load(key)
		if err == nil {
			return l, unlock, nil
		}
		unlock()
		if !errors.Is(err, tokenstore.ErrNotLoggedIn) || !key.Legacy() || try > 0 {
			return nil, nil, err
		}
	}
}

// selectLogin finds the stored login the flags mean: the tenant, API and
// organization given, or the only login stored if they leave a choice.
func selectLogin(store *tokenstore.Store, t *tenant) (tokenstore.Key, error) {
	logins, err := listLogins(store)
	if err != nil {
		return tokenstore.Key{}, err
	}
	var match []*tokenstore.Login
	for _, l := range logins {
		if (t.issuer == "" || l.Issuer == t.issuer) && (t.audience == "" || l.Audience == t.audience) && t.org.matches(l) {
			match = append(match, l)
		}
	}
	switch len(match) {
	case 1:
		return match[0].Key(), nil
	case 0:
		what := "no login is stored"
		if t.issuer != "" || t.audience != "" || t.org.asked != "" {
			what = "no login matches " + describe(tokenstore.Key{Issuer: t.issuer, Audience: t.audience, Organization: t.org.param()}, t.org.name)
		}
		return tokenstore.Key{}, fmt.Errorf("%w: %s; run `token login -stack-outputs outputs.json [-org NAME]`, or give -client NAME for an M2M client", tokenstore.ErrNotLoggedIn, what)
	}
	var list []string
	for _, l := range match {
		list = append(list, "  "+describe(l.Key(), l.OrganizationName))
	}
	return tokenstore.Key{}, fmt.Errorf("%d logins match; pick one with -stack-outputs (or -issuer and -audience) and -org:\n%s", len(match), strings.Join(list, "\n"))
}

// describe names a login for messages; orgName is the organization's
// name, if known.
func describe(k tokenstore.Key, orgName string) string {
	var parts []string
	if k.Issuer != "" {
		parts = append(parts, "tenant "+k.Issuer)
	}
	if k.Audience != "" {
		parts = append(parts, "API "+k.Audience)
	}
	if k.Organization != "" {
		parts = append(parts, "organization "+organization{id: k.Organization, name: orgName}.String())
	} else if k.Issuer != "" && k.Audience != "" {
		parts = append(parts, "no organization")
	}
	return strings.Join(parts, ", ")
}

// loginCommand is the command that makes this login again.
func loginCommand(l *tokenstore.Login) string {
	cmd := fmt.Sprintf("token login -issuer %s -audience %s -client-id %s", l.Issuer, l.Audience, l.ClientID)
	if l.Organization != "" {
		cmd += " -org " + l.Organization
	}
	return cmd
}
