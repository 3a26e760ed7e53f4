package main

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/oauth2"

	"github.com/model-api-auth0/model-api-auth0/internal/tokenstore"
)

// Logging out asks the tenant to revoke the refresh token (RFC 7009, as
// the public client), and forgets the login even when the tenant does not.
func TestLogoutRevokesTheRefreshToken(t *testing.T) {
	for _, c := range []struct {
		name    string
		status  int
		warning bool
	}{
		{"revoked", http.StatusOK, false},
		{"tenant without revocation", http.StatusNotFound, true},
		{"tenant failing", http.StatusServiceUnavailable, true},
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

			var stderr syncBuffer
			cmd := &command{env: env(nil), stderr: &stderr, store: storeFn}
			require.NoError(t, cmd.run(t.Context(), []string{"logout", "-issuer", key.Issuer}))
			assert.Equal(t, url.Values{"client_id": {"cli-id"}, "token": {"refresh-secret"}, "token_type_hint": {"refresh_token"}}, got)
			_, err := store.Load(key)
			assert.ErrorIs(t, err, tokenstore.ErrNotLoggedIn)
			if c.warning {
				assert.Contains(t, stderr.String(), "warning: the tenant did not revoke the refresh token")
			} else {
				assert.NotContains(t, stderr.String(), "warning")
			}
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
