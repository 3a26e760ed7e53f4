package devtenant_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/model-api-auth0/model-api-auth0/internal/dev/devtenant"
)

// loggedIn is a browser with a session of the tenant, and its ID token.
func loggedIn(t *testing.T, tn *devtenant.Tenant) (*http.Client, string) {
	t.Helper()
	browser := jar(t)
	tok, err := tn.Tokens(context.Background(), devtenant.UserLogin{Email: "alice@acme.example.com", HTTPClient: browser})
	require.NoError(t, err)
	browser.CheckRedirect = noRedirects.CheckRedirect
	return browser, tok.Extra("id_token").(string)
}

// sessionEnded reports whether the browser must log in again.
func sessionEnded(t *testing.T, tn *devtenant.Tenant, browser *http.Client) bool {
	t.Helper()
	resp, _ := get(t, browser, tn.AuthorizeURL()+"?"+authParams(tn, "prompt", "none").Encode())
	loc, err := resp.Location()
	require.NoError(t, err)
	return loc.Query().Get("error") == "login_required"
}

func TestLogout(t *testing.T) {
	tn := startTest(t, devtenant.Options{})
	web, cli := tn.ClientID("gateway"), tn.ClientID("cli")
	tests := []struct {
		name     string
		path     string
		params   url.Values
		hint     bool   // send the session's ID token as id_token_hint
		status   int    // 302 redirect, 200 logged-out page, 400 error page
		location string // of a redirect
		page     string
	}{
		{name: "auth0 logout to an allowed URL", path: "v2/logout", params: url.Values{"client_id": {web}, "returnTo": {"http://127.0.0.1:8080/"}},
			status: 302, location: "http://127.0.0.1:8080/"},
		{name: "auth0 logout without returnTo", path: "v2/logout", status: 200, page: "You are logged out"},
		{name: "auth0 logout to a URL not allowed", path: "v2/logout", params: url.Values{"client_id": {web}, "returnTo": {"http://evil.example.com/"}},
			status: 400, page: "not an allowed logout URL"},
		{name: "auth0 logout to another path", path: "v2/logout", params: url.Values{"client_id": {web}, "returnTo": {"http://127.0.0.1:8080/evil"}},
			status: 400, page: "not an allowed logout URL"},
		{name: "auth0 logout with returnTo but no client", path: "v2/logout", params: url.Values{"returnTo": {"http://127.0.0.1:8080/"}},
			status: 400, page: "needs the client_id"},
		{name: "oidc logout with a hint", path: "oidc/logout", hint: true,
			params: url.Values{"post_logout_redirect_uri": {"http://localhost:3000/"}, "state": {"a b&c"}},
			status: 302, location: "http://localhost:3000/?state=a+b%26c"},
		{name: "oidc logout with client_id", path: "oidc/logout",
			params: url.Values{"client_id": {web}, "post_logout_redirect_uri": {"http://127.0.0.1:1234/"}}, status: 302, location: "http://127.0.0.1:1234/"},
		{name: "oidc logout with a hint of another client", path: "oidc/logout", hint: true,
			params: url.Values{"client_id": {cli}, "post_logout_redirect_uri": {"http://127.0.0.1/"}}, status: 400, page: "differs from the audience"},
		{name: "oidc logout with a forged hint", path: "oidc/logout", params: url.Values{"id_token_hint": {"eyJhbGciOiJub25lIn0.eyJhdWQiOiJ4In0."},
			"post_logout_redirect_uri": {"http://127.0.0.1:8080/"}}, status: 400, page: "not an ID token of this tenant"},
		{name: "oidc logout with no client", path: "oidc/logout", params: url.Values{"post_logout_redirect_uri": {"http://127.0.0.1:8080/"}},
			status: 400, page: "needs an id_token_hint or the client_id"},
		{name: "oidc logout to a URL not allowed", path: "oidc/logout", hint: true,
			params: url.Values{"post_logout_redirect_uri": {"http://evil.example.com/"}}, status: 400, page: "not an allowed logout URL"},
		{name: "oidc logout without a redirect", path: "oidc/logout", status: 200, page: "You are logged out"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			browser, idToken := loggedIn(t, tn)
			require.False(t, sessionEnded(t, tn, browser))
			q := url.Values{}
			for k, v := range tt.params {
				q[k] = v
			}
			if tt.hint {
				q.Set("id_token_hint", idToken)
			}
			resp, page := get(t, browser, tn.Issuer()+tt.path+"?"+q.Encode())
			assert.Equal(t, tt.status, resp.StatusCode)
			if tt.location != "" {
				assert.Equal(t, tt.location, resp.Header.Get("Location"))
			} else {
				assert.Empty(t, resp.Header.Get("Location"))
				assert.Contains(t, strings.ReplaceAll(page, "&#34;", `"`), tt.page)
			}
			assert.True(t, sessionEnded(t, tn, browser), "every logout request ends the session")
		})
	}
}

func TestUserinfo(t *testing.T) {
	tn := startTest(t, devtenant.Options{})
	tok, err := tn.Tokens(context.Background(), devtenant.UserLogin{Email: "bob@globex.example.com"})
	require.NoError(t, err)
	m2m := postToken(t, tn, m2mForm(tn, "batch-scorer"))
	for _, tt := range []struct {
		name, token string
		status      int
	}{
		{"a user's token", tok.AccessToken, 200},
		{"an M2M token: not for userinfo", m2m.AccessToken, 401},
		{"no token", "", 401},
		{"a tampered token", tok.AccessToken[:len(tok.AccessToken)-4] + "AAAA", 401},
	} {
		t.Run(tt.name, func(t *testing.T) {
			req, _ := http.NewRequest(http.MethodGet, tn.Issuer()+"userinfo", nil)
			if tt.token != "" {
				req.Header.Set("Authorization", "Bearer "+tt.token)
			}
			resp, err := http.DefaultClient.Do(req)
			require.NoError(t, err)
			defer resp.Body.Close()
			var info map[string]any
			require.NoError(t, jsonDecode(resp, &info))
			require.Equal(t, tt.status, resp.StatusCode, info)
			if tt.status == 200 {
				assert.Equal(t, tn.UserID("bob@globex.example.com"), info["sub"])
				assert.Equal(t, "bob@globex.example.com", info["email"])
				assert.Equal(t, tn.OrgID("globex"), info["org_id"])
			} else {
				assert.NotEmpty(t, resp.Header.Get("WWW-Authenticate"))
			}
		})
	}
}
