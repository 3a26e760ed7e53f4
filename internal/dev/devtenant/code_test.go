package devtenant_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/oauth2"

	"github.com/model-api-auth0/model-api-auth0/internal/dev/devtenant"
	"github.com/model-api-auth0/model-api-auth0/internal/dev/devtenant/devtenanttest"
)

// code logs alice in to acme through the web app and returns the code.
func code(t *testing.T, tn *devtenant.Tenant, changes ...string) string {
	t.Helper()
	cb, err := login(t, tn, nil, devtenant.Credentials{Email: "alice@acme.example.com"}, changes...)
	require.NoError(t, err)
	require.NotEmpty(t, cb.Query().Get("code"), cb.Query().Get("error_description"))
	return cb.Query().Get("code")
}

func TestCodeRedemption(t *testing.T) {
	clk := newClock()
	tn := startTest(t, devtenant.Options{Now: clk.Now})
	tests := []struct {
		name    string
		changes []string // of the token request
		status  int
		err     string
		detail  string
	}{
		{name: "redeemed as issued", status: 200},
		{name: "basic authentication for the web app", status: 200, changes: []string{"client_id", "", "client_secret", "", "basic", "yes"}},
		{name: "wrong verifier", changes: []string{"code_verifier", strings.Repeat("x", 43)}, status: 400, err: "invalid_grant", detail: "code_verifier"},
		{name: "the challenge as the verifier", changes: []string{"code_verifier", oauth2.S256ChallengeFromVerifier(verifier)}, status: 400, err: "invalid_grant"},
		{name: "no verifier", changes: []string{"code_verifier", ""}, status: 400, err: "invalid_grant", detail: "code_verifier"},
		{name: "a verifier too long", changes: []string{"code_verifier", strings.Repeat("v", 129)}, status: 400, err: "invalid_grant"},
		{name: "a verifier with spaces", changes: []string{"code_verifier", verifier + " "}, status: 400, err: "invalid_grant"},
		{name: "another redirect_uri", changes: []string{"redirect_uri", "http://127.0.0.1:9090/callback"}, status: 400, err: "invalid_grant", detail: "redirect_uri"},
		{name: "no redirect_uri", changes: []string{"redirect_uri", ""}, status: 400, err: "invalid_grant", detail: "redirect_uri"},
		{name: "no code", changes: []string{"code", ""}, status: 400, err: "invalid_request", detail: "code is missing"},
		{name: "a made-up code", changes: []string{"code", "ABCDEFGHIJKLMNOPQRSTUVWXYZ"}, status: 400, err: "invalid_grant"},
		{name: "wrong client secret", changes: []string{"client_secret", "nope"}, status: 401, err: "invalid_client"},
		{name: "no client secret", changes: []string{"client_secret", ""}, status: 401, err: "invalid_client"},
		{name: "another client (native)", changes: []string{"client_id", tn.ClientID("cli"), "client_secret", ""}, status: 400, err: "invalid_grant"},
		{name: "an M2M client", changes: []string{"client_id", tn.ClientID("batch-scorer"), "client_secret", tn.ClientSecret("batch-scorer")},
			status: 403, err: "unauthorized_client"},
		{name: "expired", changes: []string{"wait", "yes"}, status: 400, err: "invalid_grant", detail: "expired"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := code(t, tn)
			changes := append([]string{"code", c}, tt.changes...)
			f := url.Values{"grant_type": {"authorization_code"}, "redirect_uri": {"http://127.0.0.1:8080/callback"},
				"code_verifier": {verifier}, "client_id": {tn.ClientID("gateway")}, "client_secret": {tn.ClientSecret("gateway")}}
			basic, wait := false, false
			for i := 0; i+1 < len(changes); i += 2 {
				switch k, v := changes[i], changes[i+1]; {
				case k == "basic":
					basic = true
				case k == "wait":
					wait = true
				case v == "":
					f.Del(k)
				default:
					f.Set(k, v)
				}
			}
			if wait {
				clk.Advance(devtenant.CodeLifetime + time.Second)
			}
			var tr tokenResponse
			if basic {
				req, _ := http.NewRequest(http.MethodPost, tn.TokenURL(), strings.NewReader(f.Encode()))
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				req.SetBasicAuth(url.QueryEscape(tn.ClientID("gateway")), url.QueryEscape(tn.ClientSecret("gateway")))
				resp, err := http.DefaultClient.Do(req)
				require.NoError(t, err)
				defer resp.Body.Close()
				require.NoError(t, jsonDecode(resp, &tr))
				tr.Status = resp.StatusCode
			} else {
				tr = postToken(t, tn, f)
			}
			require.Equal(t, tt.status, tr.Status, "%s: %s", tr.Error, tr.Description)
			assert.Equal(t, tt.err, tr.Error)
			assert.Contains(t, tr.Description, tt.detail)
			if tt.status == 200 {
				assert.NotEmpty(t, tr.AccessToken)
				assert.NotEmpty(t, tr.IDToken)
			} else {
				assert.Empty(t, tr.AccessToken)
			}
		})
	}
}

// A code is single use: a replay is refused and revokes the refresh token
// issued from it (OAuth 2.1 4.1.3). A failed attempt uses the code up too,
// so a verifier cannot be guessed.
func TestCodeReplay(t *testing.T) {
	tn := startTest(t, devtenant.Options{})
	c := code(t, tn)
	first := exchange(t, tn, c)
	require.Equal(t, 200, first.Status)
	require.NotEmpty(t, first.RefreshToken)

	replay := exchange(t, tn, c)
	assert.Equal(t, 400, replay.Status)
	assert.Equal(t, "invalid_grant", replay.Error)
	assert.Contains(t, replay.Description, "already used")

	refreshed := postToken(t, tn, refreshForm(tn, first.RefreshToken))
	assert.Equal(t, "invalid_grant", refreshed.Error, "the refresh token of a replayed code is revoked")

	c = code(t, tn)
	assert.Equal(t, "invalid_grant", exchange(t, tn, c, "code_verifier", strings.Repeat("y", 43)).Error)
	assert.Equal(t, "invalid_grant", exchange(t, tn, c).Error, "the right verifier after a wrong one")

	c = code(t, tn)
	other := exchange(t, tn, c, "client_id", tn.ClientID("cli"), "client_secret", "")
	assert.Equal(t, "invalid_grant", other.Error)
	assert.Equal(t, 200, exchange(t, tn, c).Status, "another client's attempt does not burn the code of its client")
}

func refreshForm(tn *devtenant.Tenant, token string, extra ...string) url.Values {
	f := url.Values{"grant_type": {"refresh_token"}, "refresh_token": {token},
		"client_id": {tn.ClientID("gateway")}, "client_secret": {tn.ClientSecret("gateway")}}
	for i := 0; i+1 < len(extra); i += 2 {
		f.Set(extra[i], extra[i+1])
	}
	return f
}

// Refresh tokens rotate; a reused one is refused and revokes its family.
func TestRefreshRotation(t *testing.T) {
	clk := newClock()
	tn := startTest(t, devtenant.Options{Now: clk.Now})
	v := devtenanttest.Validator(t, tn)
	first := exchange(t, tn, code(t, tn, "organization", "acme"))
	require.NotEmpty(t, first.RefreshToken)

	second := postToken(t, tn, refreshForm(tn, first.RefreshToken))
	require.Equal(t, 200, second.Status, second.Description)
	require.NotEmpty(t, second.RefreshToken)
	assert.NotEqual(t, first.RefreshToken, second.RefreshToken)
	id, err := v.Validate(context.Background(), second.AccessToken)
	require.NoError(t, err)
	assert.Equal(t, tn.OrgID("acme"), id.OrgID, "the organization of the login stays")
	assert.Equal(t, []string{"invoke:models", "read:admin-messages", "read:models"}, id.Permissions)
	assert.NotEmpty(t, second.IDToken)

	narrowed := postToken(t, tn, refreshForm(tn, second.RefreshToken, "scope", "openid read:models offline_access"))
	require.Equal(t, 200, narrowed.Status, narrowed.Description)
	assert.Equal(t, "openid read:models offline_access", narrowed.Scope)

	wider := postToken(t, tn, refreshForm(tn, narrowed.RefreshToken, "scope", "openid train:models"))
	assert.Equal(t, "invalid_scope", wider.Error)

	otherClient := postToken(t, tn, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {narrowed.RefreshToken}, "client_id": {tn.ClientID("cli")}})
	assert.Equal(t, "invalid_grant", otherClient.Error, "bound to its client")

	reused := postToken(t, tn, refreshForm(tn, first.RefreshToken))
	assert.Equal(t, "invalid_grant", reused.Error)
	assert.Contains(t, reused.Description, "already used")
	assert.Equal(t, "invalid_grant", postToken(t, tn, refreshForm(tn, narrowed.RefreshToken)).Error,
		"reuse revokes the newest token of the family too")

	fresh := exchange(t, tn, code(t, tn))
	clk.Advance(devtenant.RefreshTokenLifetime + time.Second)
	assert.Equal(t, "invalid_grant", postToken(t, tn, refreshForm(tn, fresh.RefreshToken)).Error, "expired")

	m2m := postToken(t, tn, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {fresh.RefreshToken},
		"client_id": {tn.ClientID("batch-scorer")}, "client_secret": {tn.ClientSecret("batch-scorer")}})
	assert.Equal(t, "unauthorized_client", m2m.Error)
}

// An API that does not allow offline access: no refresh token, as Auth0.
func TestNoRefreshTokenWithoutOfflineAccess(t *testing.T) {
	cfg := devtenanttest.Stack(t, "dev")
	cfg.API.AllowOfflineAccess = false
	tn := devtenanttest.Start(t, cfg, devtenant.Options{})
	tok, err := tn.Tokens(context.Background(), devtenant.UserLogin{Email: "alice@acme.example.com",
		Scopes: []string{"openid", "offline_access", "read:models"}})
	require.NoError(t, err)
	assert.Empty(t, tok.RefreshToken)
	assert.NotEmpty(t, tok.AccessToken)
}

// The native client is public: PKCE alone protects its codes.
func TestNativeClient(t *testing.T) {
	tn := startTest(t, devtenant.Options{})
	v := devtenanttest.Validator(t, tn)
	c := code(t, tn, "client_id", tn.ClientID("cli"), "redirect_uri", "http://127.0.0.1:53682/callback")
	form := url.Values{"grant_type": {"authorization_code"}, "code": {c}, "redirect_uri": {"http://127.0.0.1:53682/callback"},
		"code_verifier": {verifier}, "client_id": {tn.ClientID("cli")}}
	withSecret := postToken(t, tn, url.Values{"grant_type": {"authorization_code"}, "code": {c}, "client_id": {tn.ClientID("cli")},
		"client_secret": {"anything"}})
	assert.Equal(t, "invalid_client", withSecret.Error)
	tr := postToken(t, tn, form)
	require.Equal(t, 200, tr.Status, tr.Description)
	id, err := v.Validate(context.Background(), tr.AccessToken)
	require.NoError(t, err)
	assert.Equal(t, tn.ClientID("cli"), id.ClientID)
	assert.Empty(t, tn.ClientSecret("cli"))

	tok, err := tn.Tokens(context.Background(), devtenant.UserLogin{Client: "cli", Email: "bob@globex.example.com"})
	require.NoError(t, err)
	id, err = v.Validate(context.Background(), tok.AccessToken)
	require.NoError(t, err)
	assert.Equal(t, tn.OrgID("globex"), id.OrgID)
}

// Concurrent redemptions of one code: exactly one gets tokens.
func TestCodeRedeemedOnceUnderConcurrency(t *testing.T) {
	tn := startTest(t, devtenant.Options{})
	c := code(t, tn)
	const n = 16
	results := make(chan int, n)
	for range n {
		go func() {
			f := url.Values{"grant_type": {"authorization_code"}, "code": {c}, "redirect_uri": {"http://127.0.0.1:8080/callback"},
				"code_verifier": {verifier}, "client_id": {tn.ClientID("gateway")}, "client_secret": {tn.ClientSecret("gateway")}}
			resp, err := http.PostForm(tn.TokenURL(), f)
			if err != nil {
				results <- 0
				return
			}
			resp.Body.Close()
			results <- resp.StatusCode
		}()
	}
	ok := 0
	for range n {
		if <-results == 200 {
			ok++
		}
	}
	assert.Equal(t, 1, ok)
}
