package devtenant_test

import (
	"context"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/model-api-auth0/model-api-auth0/internal/dev/devtenant"
	"github.com/model-api-auth0/model-api-auth0/internal/dev/devtenant/devtenanttest"
)

// login runs /authorize with authParams changed by changes and returns
// where the tenant sent the browser back to.
func login(t *testing.T, tn *devtenant.Tenant, hc *http.Client, cred devtenant.Credentials, changes ...string) (*url.URL, error) {
	t.Helper()
	if cred.Password == "" {
		cred.Password = tn.Password()
	}
	return devtenant.Login(context.Background(), hc, tn.AuthorizeURL()+"?"+authParams(tn, changes...).Encode(), cred)
}

// exchange redeems a code as the web app.
func exchange(t *testing.T, tn *devtenant.Tenant, code string, changes ...string) tokenResponse {
	t.Helper()
	f := url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {"http://127.0.0.1:8080/callback"},
		"code_verifier": {verifier}, "client_id": {tn.ClientID("gateway")}, "client_secret": {tn.ClientSecret("gateway")}}
	for i := 0; i+1 < len(changes); i += 2 {
		if changes[i+1] == "" {
			f.Del(changes[i])
		} else {
			f.Set(changes[i], changes[i+1])
		}
	}
	return postToken(t, tn, f)
}

func jar(t *testing.T) *http.Client {
	j, err := cookiejar.New(nil)
	require.NoError(t, err)
	return &http.Client{Jar: j}
}

// What a member's tokens say, for each way of choosing the organization.
func TestUserLogins(t *testing.T) {
	tn := startTest(t, devtenant.Options{})
	v := devtenanttest.Validator(t, tn)
	tests := []struct {
		name        string
		email       string
		org         string // the organization parameter
		pick        string // the organization picked when asked
		wantOrg     string
		permissions []string
		scope       string
	}{
		{name: "admin of the organization asked for", email: "alice@acme.example.com", org: "acme", wantOrg: "acme",
			permissions: []string{"invoke:models", "read:admin-messages", "read:models"},
			scope:       "openid profile email read:models invoke:models read:admin-messages offline_access"},
		{name: "by organization ID", email: "alice@acme.example.com", org: tn.OrgID("acme"), wantOrg: "acme",
			permissions: []string{"invoke:models", "read:admin-messages", "read:models"},
			scope:       "openid profile email read:models invoke:models read:admin-messages offline_access"},
		{name: "the only organization, not asked for", email: "bob@globex.example.com", wantOrg: "globex",
			permissions: []string{"invoke:models", "read:models"}, scope: "openid profile email read:models invoke:models offline_access"},
		{name: "roles differ per organization: acme", email: "carol@both.example.com", org: "acme", wantOrg: "acme",
			permissions: []string{"read:models"}, scope: "openid profile email read:models offline_access"},
		{name: "roles differ per organization: globex", email: "carol@both.example.com", org: "globex", wantOrg: "globex",
			permissions: []string{"invoke:models", "read:models"}, scope: "openid profile email read:models invoke:models offline_access"},
		{name: "several organizations: picked", email: "carol@both.example.com", pick: "globex", wantOrg: "globex",
			permissions: []string{"invoke:models", "read:models"}, scope: "openid profile email read:models invoke:models offline_access"},
		{name: "no organization", email: "dave@nowhere.example.com", permissions: []string{}, scope: "openid profile email offline_access"},
		{name: "membership on login (globex assigns it)", email: "dave@nowhere.example.com", org: "globex", wantOrg: "globex",
			permissions: []string{}, scope: "openid profile email offline_access"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cb, err := login(t, tn, nil, devtenant.Credentials{Email: tt.email, Organization: tt.pick},
				"organization", tt.org, "state", "s-"+tt.name, "nonce", "n-"+tt.name)
			require.NoError(t, err)
			require.Empty(t, cb.Query().Get("error"), cb.Query().Get("error_description"))
			assert.Equal(t, "s-"+tt.name, cb.Query().Get("state"))
			tr := exchange(t, tn, cb.Query().Get("code"))
			require.Equal(t, 200, tr.Status, tr.Description)

			id, err := v.Validate(context.Background(), tr.AccessToken)
			require.NoError(t, err, "the real validator accepts it")
			c := verify(t, tn, tr.AccessToken, tn.Audience())
			assert.Equal(t, tn.UserID(tt.email), c["sub"])
			assert.Regexp(t, `^auth0\|[0-9a-f]{24}$`, c["sub"])
			assert.Equal(t, []string{tn.Audience(), tn.Issuer() + "userinfo"}, strs(c["aud"]))
			assert.Equal(t, tn.ClientID("gateway"), c["azp"])
			assert.Equal(t, tt.scope, c["scope"])
			require.Contains(t, c, "permissions", "the access_token_authz dialect always has permissions")
			assert.Equal(t, tt.permissions, strs(c["permissions"]))
			assert.Equal(t, 600.0, c["exp"].(float64)-c["iat"].(float64))
			assert.NotContains(t, c, "gty")
			if tt.wantOrg != "" {
				assert.Equal(t, tn.OrgID(tt.wantOrg), c["org_id"])
				assert.Equal(t, tt.wantOrg, c["org_name"])
				assert.Equal(t, tn.OrgID(tt.wantOrg), id.OrgID)
			} else {
				assert.NotContains(t, c, "org_id")
			}

			idc := verify(t, tn, tr.IDToken, tn.ClientID("gateway"))
			assert.Equal(t, "n-"+tt.name, idc["nonce"])
			assert.Equal(t, tt.email, idc["email"])
			assert.Equal(t, true, idc["email_verified"])
			assert.NotEmpty(t, idc["name"])
			assert.Equal(t, c["sub"], idc["sub"])
			assert.Equal(t, c["org_id"], idc["org_id"])
			assert.NotEmpty(t, tr.RefreshToken, "offline_access on an API that allows it")
		})
	}
}
