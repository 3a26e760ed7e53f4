package main

import (
	"github.com/model-api-auth0/model-api-auth0/internal/testing/syncbuf"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/oauth2"

	"github.com/model-api-auth0/model-api-auth0/internal/callers/tokenstore"
)

// Logging out asks the dev tenant to revoke the refresh token (RFC 7009,
// as the public client): the token, and the chain it was rotated in, get
// no more tokens, and nothing is left stored.
func TestLogoutRevokesTheRefreshToken(t *testing.T) {
	for _, c := range []struct {
		name string
		orgs []string
		args []string
	}{
		{"one login", []string{"acme"}, []string{"logout", "-org", "acme"}},
		{"every login", []string{"acme", "globex"}, []string{"logout", "-all"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			e := newLoginEnv(t, true)
			var refresh []string
			for _, org := range c.orgs {
				_, stderr, err := e.run(&browser{tn: e.tn, email: "alice@acme.example.com"}, "login", "-stack-outputs", e.outputs, "-org", org)
				require.NoError(t, err, stderr)
				refresh = append(refresh, e.storedLogin(org).Token.RefreshToken)
			}
			// A refresh first, so that the token revoked is a rotated one.
			expire(t, e, c.orgs[0])
			_, stderr, err := e.run(nil, "-org", c.orgs[0])
			require.NoError(t, err, stderr)
			rotated := e.storedLogin(c.orgs[0]).Token.RefreshToken
			require.NotEqual(t, refresh[0], rotated)
			refresh[0] = rotated

			_, stderr, err = e.run(nil, c.args...)
			require.NoError(t, err, stderr)
			assert.NotContains(t, stderr, "warning", "the dev tenant revokes")
			assert.Equal(t, len(c.orgs), strings.Count(stderr, "Logged out of"))
			for i, rt := range refresh {
				assert.NotContains(t, stderr, rt)
				resp, err := http.PostForm(e.tn.TokenURL(), url.Values{"grant_type": {"refresh_token"}, "refresh_token": {rt},
					"client_id": {e.tn.ClientID(e.tn.NativeName())}})
				require.NoError(t, err)
				resp.Body.Close()
				assert.Equal(t, http.StatusBadRequest, resp.StatusCode, "the refresh token of %s still works", c.orgs[i])
			}
			store, _ := e.store()
			logins, err := store.List()
			require.NoError(t, err)
			assert.Empty(t, logins)
		})
	}
}

// A tenant that does not revoke (one without the endpoint, or failing)
// gets a warning, and the login is forgotten all the same. The request is
// the one Auth0 expects of a public client.
func TestLogoutWhenTheTenantDoesNotRevoke(t *testing.T) {
	for _, c := range []struct {
		name   string
		status int
	}{
		{"tenant without revocation", http.StatusNotFound},
		{"tenant failing", http.StatusServiceUnavailable},
	} {
		t.Run(c.name, func(t *testing.T) {
			var got url.Values
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.Method == http.MethodPost && r.URL.Path == "/oauth/revoke" {
					r.ParseForm()
					got = r.PostForm
				}
				w.WriteHeader(c.status)
			}))
			defer srv.Close()
			key := tokenstore.Key{Issuer: srv.URL + "/", Audience: "https://api.example/"}
			storeFn := tempStore(t)
			store, _ := storeFn()
			require.NoError(t, store.Save(&tokenstore.Login{Issuer: key.Issuer, Audience: key.Audience, ClientID: "cli-id", TokenURL: key.Issuer + "oauth/token",
				Token: &oauth2.Token{AccessToken: "access-secret", RefreshToken: "refresh-secret", Expiry: time.Now().Add(time.Hour)}}))

			var stderr syncbuf.Buffer
			cmd := &command{env: env(nil), stderr: &stderr, store: storeFn}
			require.NoError(t, cmd.run(t.Context(), []string{"logout", "-issuer", key.Issuer}))
			assert.Equal(t, url.Values{"client_id": {"cli-id"}, "token": {"refresh-secret"}, "token_type_hint": {"refresh_token"}}, got)
			_, err := store.Load(key)
			assert.ErrorIs(t, err, tokenstore.ErrNotLoggedIn)
			assert.Contains(t, stderr.String(), "warning: the tenant did not revoke the refresh token")
			assert.NotContains(t, stderr.String(), "secret")
		})
	}
}

func TestLogoutWithoutLogin(t *testing.T) {
	_, _, err := runToken(t, nil, "", "logout")
	assert.ErrorIs(t, err, tokenstore.ErrNotLoggedIn)
	_, stderr, err := runToken(t, nil, "", "logout", "-all")
	require.NoError(t, err)
	assert.Contains(t, stderr, "No login is stored.")
}
