package devtenant_test

import (
	"bytes"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/model-api-auth0/model-api-auth0/internal/dev/devtenant"
)

// revokeResponse is /oauth/revoke's answer: an empty body, or RFC 6749 error JSON.
type revokeResponse struct {
	Status      int
	Body        string
	Error       string `json:"error"`
	Description string `json:"error_description"`
}

func postRevoke(t *testing.T, tn *devtenant.Tenant, form url.Values, basic ...string) revokeResponse {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, tn.RevokeURL(), strings.NewReader(form.Encode()))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if len(basic) == 2 {
		req.SetBasicAuth(url.QueryEscape(basic[0]), url.QueryEscape(basic[1]))
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	r := revokeResponse{Status: resp.StatusCode, Body: string(body)}
	if resp.StatusCode != http.StatusOK {
		require.NoError(t, jsonDecode(&http.Response{Body: io.NopCloser(bytes.NewReader(body))}, &r), string(body))
	}
	assert.Equal(t, "no-store", resp.Header.Get("Cache-Control"))
	return r
}

// webRevoke is the web app revoking token with client_secret_post.
func webRevoke(tn *devtenant.Tenant, token string) url.Values {
	return url.Values{"token": {token}, "client_id": {tn.ClientID("gateway")}, "client_secret": {tn.ClientSecret("gateway")}}
}

// usable reports whether a refresh token of the web app still gets tokens;
// using it rotates it, so it returns the new one.
func usable(t *testing.T, tn *devtenant.Tenant, refresh string) (string, bool) {
	t.Helper()
	tr := postToken(t, tn, refreshForm(tn, refresh))
	return tr.RefreshToken, tr.Status == http.StatusOK
}

// A revoked refresh token, and every token rotated from the same login,
// gets no more tokens; other logins keep theirs.
func TestRevokeRefreshToken(t *testing.T) {
	tests := []struct {
		name   string
		revoke func(first, second string) string // which token of the chain to revoke
	}{
		{"the newest token", func(_, second string) string { return second }},
		{"an old token of the chain revokes the newest", func(first, _ string) string { return first }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tn := startTest(t, devtenant.Options{})
			first := exchange(t, tn, code(t, tn))
			require.NotEmpty(t, first.RefreshToken)
			second, ok := usable(t, tn, first.RefreshToken)
			require.True(t, ok)
			other := exchange(t, tn, code(t, tn)).RefreshToken

			r := postRevoke(t, tn, webRevoke(tn, tt.revoke(first.RefreshToken, second)))
			require.Equal(t, http.StatusOK, r.Status, r.Description)
			assert.Empty(t, r.Body, "Auth0 answers 200 with an empty body")

			refused := postToken(t, tn, refreshForm(tn, second))
			assert.Equal(t, "invalid_grant", refused.Error)
			assert.Empty(t, refused.AccessToken)
			_, ok = usable(t, tn, other)
			assert.True(t, ok, "another login of the same user and client keeps its refresh token")
		})
	}
}

// The native (public) client revokes its own tokens with its client_id
// alone, as `token logout` does.
func TestRevokeAsNativeClient(t *testing.T) {
	tn := startTest(t, devtenant.Options{})
	c := code(t, tn, "client_id", tn.ClientID("cli"), "redirect_uri", "http://127.0.0.1:53682/callback")
	tr := postToken(t, tn, url.Values{"grant_type": {"authorization_code"}, "code": {c}, "redirect_uri": {"http://127.0.0.1:53682/callback"},
		"code_verifier": {verifier}, "client_id": {tn.ClientID("cli")}})
	require.NotEmpty(t, tr.RefreshToken, tr.Description)

	r := postRevoke(t, tn, url.Values{"client_id": {tn.ClientID("cli")}, "token": {tr.RefreshToken}, "token_type_hint": {"refresh_token"}})
	require.Equal(t, http.StatusOK, r.Status, r.Description)
	refreshed := postToken(t, tn, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {tr.RefreshToken}, "client_id": {tn.ClientID("cli")}})
	assert.Equal(t, "invalid_grant", refreshed.Error)
}

// What an attacker might send: someone else's token, bad or no
// credentials, an unknown token. None of it revokes the web app's token;
// answers for tokens the caller does not hold are the same 200 as Auth0's.
func TestRevokeRefusals(t *testing.T) {
	var logs bytes.Buffer
	tn := startTest(t, devtenant.Options{Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	refresh := exchange(t, tn, code(t, tn)).RefreshToken
	require.NotEmpty(t, refresh)
	web, secret := tn.ClientID("gateway"), tn.ClientSecret("gateway")
	tests := []struct {
		name   string
		form   url.Values
		basic  []string
		status int
		err    string
		detail string
	}{
		{name: "another client (public)", form: url.Values{"client_id": {tn.ClientID("cli")}, "token": {refresh}}, status: 200},
		{name: "another client (M2M, with its secret)", status: 200,
			form: url.Values{"client_id": {tn.ClientID("batch-scorer")}, "client_secret": {tn.ClientSecret("batch-scorer")}, "token": {refresh}}},
		{name: "the web app's ID without its secret", form: url.Values{"client_id": {web}, "token": {refresh}},
			status: 401, err: "invalid_client", detail: "send its client_secret"},
		{name: "the web app's ID with a wrong secret", form: url.Values{"client_id": {web}, "client_secret": {"guess"}, "token": {refresh}},
			status: 401, err: "invalid_client", detail: "wrong client secret"},
		{name: "the public client's ID with a secret", form: url.Values{"client_id": {tn.ClientID("cli")}, "client_secret": {"x"}, "token": {refresh}},
			status: 401, err: "invalid_client", detail: "public client"},
		{name: "no client", form: url.Values{"token": {refresh}}, status: 401, err: "invalid_client", detail: "client_id"},
		{name: "an unknown client", form: url.Values{"client_id": {"nobody"}, "token": {refresh}}, status: 401, err: "invalid_client", detail: "unknown client"},
		{name: "no token", form: url.Values{"client_id": {web}, "client_secret": {secret}}, status: 400, err: "invalid_request", detail: "token is missing"},
		{name: "a token given twice", form: url.Values{"client_id": {web}, "client_secret": {secret}, "token": {"unknown", refresh}},
			status: 400, err: "invalid_request", detail: "given 2 times"},
		{name: "an unknown token", form: webRevoke(tn, "not-a-refresh-token"), status: 200},
		{name: "an access token (not revocable, as at Auth0)", form: webRevoke(tn, exchange(t, tn, code(t, tn)).AccessToken), status: 200},
		{name: "basic authentication with a wrong secret", form: url.Values{"token": {refresh}}, basic: []string{web, "guess"},
			status: 401, err: "invalid_client"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := postRevoke(t, tn, tt.form, tt.basic...)
			require.Equal(t, tt.status, r.Status, "%s: %s", r.Error, r.Description)
			assert.Equal(t, tt.err, r.Error)
			assert.Contains(t, r.Description, tt.detail)
			if tt.status == http.StatusOK {
				assert.Empty(t, r.Body, "nothing tells the caller whether the token existed")
			}
			var ok bool
			refresh, ok = usable(t, tn, refresh)
			require.True(t, ok, "the web app's refresh token survives")
		})
	}

	resp, err := http.Get(tn.RevokeURL())
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusMethodNotAllowed, resp.StatusCode)

	r := postRevoke(t, tn, url.Values{"token": {refresh}}, web, secret)
	require.Equal(t, http.StatusOK, r.Status, "the web app may use basic authentication")
	_, ok := usable(t, tn, refresh)
	assert.False(t, ok)
	assert.Contains(t, logs.String(), "/oauth/revoke")
	for _, s := range []string{refresh, secret} {
		assert.NotContains(t, logs.String(), s, "no token or secret in the log")
	}
}

func TestDiscoveryAdvertisesRevocation(t *testing.T) {
	tn := startTest(t, devtenant.Options{})
	var d map[string]any
	resp, err := http.Get(tn.Issuer() + ".well-known/openid-configuration")
	require.NoError(t, err)
	defer resp.Body.Close()
	require.NoError(t, jsonDecode(resp, &d))
	assert.Equal(t, tn.Issuer()+"oauth/revoke", d["revocation_endpoint"])
	assert.Equal(t, tn.RevokeURL(), d["revocation_endpoint"])
}
