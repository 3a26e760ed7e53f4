package devtenant_test

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/oauth2"

	"github.com/model-api-auth0/model-api-auth0/internal/dev/devtenant"
)

const verifier = "a-code-verifier-of-at-least-43-characters-0123456789"

// authParams are a valid authorization request of the web app, for
// tests to change (an empty value deletes).
func authParams(tn *devtenant.Tenant, changes ...string) url.Values {
	q := url.Values{
		"response_type": {"code"}, "client_id": {tn.ClientID("gateway")}, "redirect_uri": {"http://127.0.0.1:8080/callback"},
		"scope": {"openid profile email read:models invoke:models read:admin-messages offline_access"}, "audience": {tn.Audience()},
		"state": {"st-1"}, "nonce": {"n-1"},
		"code_challenge": {oauth2.S256ChallengeFromVerifier(verifier)}, "code_challenge_method": {"S256"},
	}
	for i := 0; i+1 < len(changes); i += 2 {
		if changes[i+1] == "" {
			q.Del(changes[i])
		} else {
			q.Set(changes[i], changes[i+1])
		}
	}
	return q
}

// noRedirects is a client that shows each response as it is.
var noRedirects = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

// Requests whose client or redirect_uri cannot be trusted get a page, never
// a redirect: the tenant must not become an open redirector.
func TestAuthorizeRefusesUntrustedRedirects(t *testing.T) {
	tn := startTest(t, devtenant.Options{})
	tests := []struct {
		name    string
		query   string // raw, when not from authParams
		changes []string
		page    string
	}{
		{name: "no client_id", changes: []string{"client_id", ""}, page: "client_id parameter is missing"},
		{name: "unknown client", changes: []string{"client_id", "nobody"}, page: "No application has the client_id"},
		{name: "an M2M client", changes: []string{"client_id", tn.ClientID("batch-scorer")}, page: "machine-to-machine client"},
		{name: "no redirect_uri", changes: []string{"redirect_uri", ""}, page: "not one of the callback URLs"},
		{name: "another host", changes: []string{"redirect_uri", "http://evil.example.com:8080/callback"}, page: "not one of the callback URLs"},
		{name: "another path", changes: []string{"redirect_uri", "http://127.0.0.1:8080/callback/../evil"}, page: "not one of the callback URLs"},
		{name: "a path prefix", changes: []string{"redirect_uri", "http://127.0.0.1:8080/callbackevil"}, page: "not one of the callback URLs"},
		{name: "https for http", changes: []string{"redirect_uri", "https://127.0.0.1:8080/callback"}, page: "not one of the callback URLs"},
		{name: "userinfo trick", changes: []string{"redirect_uri", "http://127.0.0.1:8080@evil.example.com/callback"}, page: "not one of the callback URLs"},
		{name: "an added query", changes: []string{"redirect_uri", "http://127.0.0.1:8080/callback?next=evil"}, page: "not one of the callback URLs"},
		{name: "a fragment", changes: []string{"redirect_uri", "http://127.0.0.1:8080/callback#x"}, page: "not one of the callback URLs"},
		{name: "port 0", changes: []string{"redirect_uri", "http://127.0.0.1:0/callback"}, page: "not one of the callback URLs"},
		{name: "a port that is not a number", changes: []string{"redirect_uri", "http://127.0.0.1:08080/callback"}, page: "not one of the callback URLs"},
		{name: "the native client on a non-loopback host", changes: []string{"client_id", tn.ClientID("cli"), "redirect_uri", "http://example.com:5000/callback"},
			page: "not one of the callback URLs"},
		{name: "a parameter twice", query: authParams(tn).Encode() + "&redirect_uri=http://evil.example.com/", page: "redirect_uri is given 2 times"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q := tt.query
			if q == "" {
				q = authParams(tn, tt.changes...).Encode()
			}
			resp, err := noRedirects.Get(tn.AuthorizeURL() + "?" + q)
			require.NoError(t, err)
			defer resp.Body.Close()
			body, _ := io.ReadAll(resp.Body)
			assert.Equal(t, http.StatusBadRequest, resp.StatusCode)
			assert.Empty(t, resp.Header.Get("Location"))
			assert.Contains(t, strings.ReplaceAll(string(body), "&#34;", `"`), tt.page)
			assert.Equal(t, "DENY", resp.Header.Get("X-Frame-Options"))
		})
	}
}

// Other errors go back to the verified redirect_uri, with the state exactly
// as sent.
func TestAuthorizeErrorsGoBackToTheClient(t *testing.T) {
	tn := startTest(t, devtenant.Options{})
	const state = "a state & with = odd ?characters/ é %20"
	tests := []struct {
		name    string
		changes []string
		err     string
		detail  string
	}{
		{"implicit flow", []string{"response_type", "token"}, "unsupported_response_type", "code only"},
		{"no PKCE", []string{"code_challenge", "", "code_challenge_method", ""}, "invalid_request", "PKCE is required"},
		{"plain PKCE", []string{"code_challenge_method", "plain", "code_challenge", verifier}, "invalid_request", "S256"},
		{"a challenge of the wrong length", []string{"code_challenge", "abc"}, "invalid_request", "43 characters"},
		{"form_post", []string{"response_mode", "form_post"}, "invalid_request", "response_mode"},
		{"another audience", []string{"audience", "https://evil.example.com/"}, "access_denied", "Service not found"},
		{"unknown organization", []string{"organization", "nope"}, "invalid_request", "parameter organization is invalid"},
		{"unknown prompt", []string{"prompt", "select_account"}, "invalid_request", "prompt"},
		{"prompt=none without a session", []string{"prompt", "none"}, "login_required", "not logged in"},
		{"an oversized state", []string{"state", strings.Repeat("s", 2049)}, "invalid_request", "2048 bytes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q := authParams(tn, append([]string{"state", state}, tt.changes...)...)
			resp, err := noRedirects.Get(tn.AuthorizeURL() + "?" + q.Encode())
			require.NoError(t, err)
			resp.Body.Close()
			require.Equal(t, http.StatusFound, resp.StatusCode)
			loc, err := resp.Location()
			require.NoError(t, err)
			assert.Equal(t, "127.0.0.1:8080", loc.Host)
			assert.Equal(t, "/callback", loc.Path)
			assert.Equal(t, tt.err, loc.Query().Get("error"))
			assert.Contains(t, loc.Query().Get("error_description"), tt.detail)
			if len(q.Get("state")) <= 2048 {
				assert.Equal(t, state, loc.Query().Get("state"))
			}
			assert.Empty(t, loc.Query().Get("code"))
		})
	}
}

// Loopback redirect URIs: any port for the web app's wildcard callbacks and
// for the native client (RFC 8252), exact elsewhere.
func TestLoopbackRedirects(t *testing.T) {
	tn := startTest(t, devtenant.Options{})
	for _, tt := range []struct{ client, redirect string }{
		{"gateway", "http://127.0.0.1:1/callback"},
		{"gateway", "http://localhost:65535/callback"},
		{"cli", "http://127.0.0.1:49152/callback"},
		{"cli", "http://127.0.0.1/callback"},
		{"cli", "http://[::1]:5000/callback"},
	} {
		t.Run(tt.client+" "+tt.redirect, func(t *testing.T) {
			q := authParams(tn, "client_id", tn.ClientID(tt.client), "redirect_uri", tt.redirect)
			cb, err := devtenant.Login(context.Background(), nil, tn.AuthorizeURL()+"?"+q.Encode(),
				devtenant.Credentials{Email: "alice@acme.example.com", Password: tn.Password()})
			require.NoError(t, err)
			assert.Equal(t, tt.redirect, strings.Split(cb.String(), "?")[0])
			assert.NotEmpty(t, cb.Query().Get("code"))
			assert.Equal(t, "st-1", cb.Query().Get("state"))
		})
	}
}

// The login page of an organization shows its name and branding colors.
func TestLoginPageBranding(t *testing.T) {
	tn := startTest(t, devtenant.Options{})
	resp, err := http.Get(tn.AuthorizeURL() + "?" + authParams(tn, "organization", "acme").Encode())
	require.NoError(t, err)
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Contains(t, string(body), "Acme Corp")
	assert.Contains(t, string(body), "background:#0059d6")
	assert.Contains(t, string(body), "background:#f5f7fa")
	assert.Contains(t, resp.Header.Get("Content-Security-Policy"), "frame-ancestors 'none'")
	assert.Equal(t, "no-store", resp.Header.Get("Cache-Control"))
}
