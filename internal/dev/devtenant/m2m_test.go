package devtenant_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/golang-jwt/jwt/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/model-api-auth0/model-api-auth0/internal/dev/devtenant"
	"github.com/model-api-auth0/model-api-auth0/internal/dev/devtenant/devtenanttest"
)

func TestClientCredentials(t *testing.T) {
	tn := startTest(t, devtenant.Options{ClientOrganizations: map[string][]string{"org-scorer": {"acme"}}})
	v := devtenanttest.Validator(t, tn)
	acme, globex := tn.OrgID("acme"), tn.OrgID("globex")
	tests := []struct {
		name        string
		client      string
		params      []string // extra form parameters, name value ...
		scope       string   // granted scope claim
		org         string   // org_id claim
		status      int
		err, detail string
	}{
		{name: "all granted scopes", client: "batch-scorer", scope: "invoke:models", status: 200},
		{name: "a subset of the grant", client: "org-scorer", params: []string{"scope", "read:models"}, scope: "read:models", status: 200},
		{name: "a scope not granted", client: "batch-scorer", params: []string{"scope", "invoke:models read:models"},
			status: 403, err: "access_denied", detail: "Client has not been granted scopes: read:models"},
		{name: "a scope the API lacks", client: "batch-scorer", params: []string{"scope", "train:models"},
			status: 403, err: "access_denied", detail: "train:models"},
		{name: "no audience", client: "batch-scorer", params: []string{"audience", ""}, status: 403, err: "access_denied", detail: "No audience"},
		{name: "another audience", client: "batch-scorer", params: []string{"audience", "https://evil.example.com/"},
			status: 403, err: "access_denied", detail: "Service not found: https://evil.example.com/"},
		{name: "wrong secret", client: "batch-scorer", params: []string{"client_secret", "nope"}, status: 401, err: "invalid_client", detail: "wrong client secret"},
		{name: "another client's secret", client: "batch-scorer", params: []string{"client_secret", tn.ClientSecret("model-catalog")}, status: 401, err: "invalid_client"},
		{name: "no secret", client: "batch-scorer", params: []string{"client_secret", ""}, status: 401, err: "invalid_client", detail: "send its client_secret"},
		{name: "unknown client", client: "batch-scorer", params: []string{"client_id", "nobody"}, status: 401, err: "invalid_client", detail: "unknown client"},
		{name: "the web app", client: "gateway", status: 403, err: "unauthorized_client"},
		{name: "organization with a deny grant", client: "batch-scorer", params: []string{"organization", "acme"},
			status: 400, err: "invalid_request", detail: "organizationUsage deny"},
		{name: "allow: a linked organization by name", client: "org-scorer", params: []string{"organization", "acme"},
			scope: "invoke:models read:models", org: acme, status: 200},
		{name: "allow: a linked organization by ID", client: "org-scorer", params: []string{"organization", acme},
			scope: "invoke:models read:models", org: acme, status: 200},
		{name: "allow: no organization", client: "org-scorer", scope: "invoke:models read:models", status: 200},
		{name: "allow: an organization not linked", client: "org-scorer", params: []string{"organization", "globex"},
			status: 403, err: "access_denied", detail: "not linked to the organization globex"},
		{name: "require: no organization", client: "any-org", status: 400, err: "invalid_request", detail: "organizationUsage require"},
		{name: "require with allowAnyOrganization", client: "any-org", params: []string{"organization", "globex"},
			scope: "read:models", org: globex, status: 200},
		{name: "unknown organization", client: "any-org", params: []string{"organization", "org_doesnotexist0000"},
			status: 400, err: "invalid_request", detail: "no organization"},
		{name: "no grant type", client: "batch-scorer", params: []string{"grant_type", ""}, status: 400, err: "invalid_request"},
		{name: "unsupported grant type", client: "batch-scorer", params: []string{"grant_type", "password"}, status: 400, err: "unsupported_grant_type"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tr := postToken(t, tn, m2mForm(tn, tt.client, tt.params...))
			require.Equal(t, tt.status, tr.Status, "%s: %s", tr.Error, tr.Description)
			if tt.status != 200 {
				assert.Equal(t, tt.err, tr.Error)
				assert.Contains(t, tr.Description, tt.detail)
				assert.Empty(t, tr.AccessToken)
				return
			}
			id, err := v.Validate(context.Background(), tr.AccessToken)
			require.NoError(t, err, "the real validator accepts it")
			c := verify(t, tn, tr.AccessToken, tn.Audience())
			clientID := tn.ClientID(tt.client)
			assert.Equal(t, clientID+"@clients", c["sub"])
			assert.Equal(t, clientID, c["azp"])
			assert.Equal(t, tn.Audience(), c["aud"], "a single audience, as a string, as Auth0 does for M2M")
			assert.Equal(t, "client-credentials", c["gty"])
			assert.Equal(t, tt.scope, c["scope"])
			assert.Equal(t, strings.Fields(tt.scope), strs(c["permissions"]))
			assert.Equal(t, 600.0, c["exp"].(float64)-c["iat"].(float64), "the API's tokenLifetime")
			assert.Equal(t, tt.scope, tr.Scope)
			assert.Equal(t, 600, tr.ExpiresIn)
			assert.Equal(t, "Bearer", tr.TokenType)
			if tt.org == "" {
				assert.NotContains(t, c, "org_id")
			} else {
				assert.Equal(t, tt.org, c["org_id"])
				assert.Equal(t, tt.org, id.OrgID)
			}
		})
	}
}

// Malformed requests are refused before any client is looked at.
func TestTokenRequestShape(t *testing.T) {
	tn := startTest(t, devtenant.Options{})
	form := m2mForm(tn, "batch-scorer")
	post := func(body, contentType string, header http.Header) tokenResponse {
		req, err := http.NewRequest(http.MethodPost, tn.TokenURL(), strings.NewReader(body))
		require.NoError(t, err)
		req.Header.Set("Content-Type", contentType)
		for k, v := range header {
			req.Header[k] = v
		}
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		defer resp.Body.Close()
		var tr tokenResponse
		require.NoError(t, jsonDecode(resp, &tr))
		tr.Status = resp.StatusCode
		return tr
	}
	basic := func(id, secret string) http.Header {
		r, _ := http.NewRequest("GET", "/", nil)
		r.SetBasicAuth(url.QueryEscape(id), url.QueryEscape(secret))
		return r.Header
	}
	json := `{"grant_type":"client_credentials","client_id":"` + tn.ClientID("batch-scorer") + `","client_secret":"` +
		tn.ClientSecret("batch-scorer") + `","audience":"` + tn.Audience() + `"}`
	tests := []struct {
		name, body, contentType string
		header                  http.Header
		status                  int
		err, detail             string
	}{
		{"form", form.Encode(), "application/x-www-form-urlencoded", nil, 200, "", ""},
		{"JSON, as Auth0 accepts", json, "application/json", nil, 200, "", ""},
		{"a parameter twice", form.Encode() + "&audience=https://evil.example.com/", "application/x-www-form-urlencoded", nil,
			400, "invalid_request", "audience is given 2 times"},
		{"another content type", form.Encode(), "text/plain", nil, 400, "invalid_request", "Content-Type"},
		{"JSON that is not strings", `{"grant_type":["client_credentials"]}`, "application/json", nil, 400, "invalid_request", "JSON object of strings"},
		{"an oversized body", form.Encode() + "&pad=" + strings.Repeat("x", 70<<10), "application/x-www-form-urlencoded", nil, 400, "invalid_request", "too large"},
		{"basic auth for an M2M client (client_secret_post only)", url.Values{"grant_type": {"client_credentials"}, "audience": {tn.Audience()}}.Encode(),
			"application/x-www-form-urlencoded", basic(tn.ClientID("batch-scorer"), tn.ClientSecret("batch-scorer")), 401, "invalid_client", "client_secret_post"},
		{"basic auth and a secret in the body", form.Encode(), "application/x-www-form-urlencoded",
			basic(tn.ClientID("batch-scorer"), tn.ClientSecret("batch-scorer")), 400, "invalid_request", "authenticates twice"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tr := post(tt.body, tt.contentType, tt.header)
			require.Equal(t, tt.status, tr.Status, "%s: %s", tr.Error, tr.Description)
			assert.Equal(t, tt.err, tr.Error)
			assert.Contains(t, tr.Description, tt.detail)
		})
	}
}

// Every token carries the kid of the published key, and the stack's
// signing algorithm: PS256 when the API says so.
func TestSigningAlgorithm(t *testing.T) {
	for _, alg := range []string{"RS256", "PS256"} {
		t.Run(alg, func(t *testing.T) {
			cfg := testStack(t)
			cfg.API.SigningAlg = alg
			tn := devtenanttest.Start(t, cfg, devtenant.Options{})
			tr := postToken(t, tn, m2mForm(tn, "batch-scorer"))
			require.Equal(t, 200, tr.Status)
			tok, _, err := jwt.NewParser().ParseUnverified(tr.AccessToken, jwt.MapClaims{})
			require.NoError(t, err)
			assert.Equal(t, alg, tok.Method.Alg())
			assert.NotEmpty(t, tok.Header["kid"])
			verify(t, tn, tr.AccessToken, tn.Audience()) // by the key of that kid in the JWKS
		})
	}
	cfg := testStack(t)
	cfg.API.SigningAlg = "HS256"
	_, err := devtenant.New(cfg, devtenant.Options{})
	assert.ErrorContains(t, err, "RS256 or PS256")
}
