package stackoutputs_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/model-api-auth0/model-api-auth0/internal/tenant/stackoutputs"
)

// devOutputs writes the outputs of the dev stack's golden plan as `pulumi
// stack output --json` would (IDs only Auth0 knows are ${...} placeholders),
// so that a renamed export breaks this test, not the gateway in production.
func devOutputs(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "..", "testdata", "dev.plan.json"))
	require.NoError(t, err)
	var golden struct {
		Outputs json.RawMessage `json:"outputs"`
	}
	require.NoError(t, json.Unmarshal(b, &golden))
	path := filepath.Join(t.TempDir(), "outputs.json")
	require.NoError(t, os.WriteFile(path, golden.Outputs, 0o600))
	return path
}

func TestLoadReadsWhatTheStackExports(t *testing.T) {
	out, err := stackoutputs.Load(devOutputs(t))
	require.NoError(t, err)
	assert.Equal(t, "RS256", out.SigningAlg)
	assert.Equal(t, "https://api.dev.models.example.com/", out.Audience)
	require.NotNil(t, out.WebApp, "webApp")
	assert.Equal(t, stackoutputs.App{Name: "gateway", ClientID: "${web-app.clientId}", GrantID: "${web-app-grant.id}",
		Callbacks:  []string{"http://localhost:8080/callback", "http://127.0.0.1:8080/callback"},
		LogoutURLs: []string{"http://localhost:8080/", "http://127.0.0.1:8080/"}, OrganizationUsage: "require",
		OrganizationRequireBehavior: "post_login_prompt", Scopes: []string{"read:models", "invoke:models", "read:admin-messages", "read:usage", "read:usage:all"}}, *out.WebApp)
	require.NotNil(t, out.CLIApp, "cliApp")
	assert.Equal(t, "${cli-app.clientId}", out.CLIApp.ClientID)
	assert.Equal(t, []string{"http://127.0.0.1:8976/callback", "http://localhost:8976/callback"}, out.CLIApp.Callbacks)
	assert.Equal(t, stackoutputs.Organizations{"acme": "${org-acme.id}", "globex": "${org-globex.id}"}, out.Organizations)
	assert.Equal(t, stackoutputs.Client{ClientID: "${client-acme-batch.clientId}", GrantID: "${client-acme-batch-grant.id}",
		OrganizationUsage: "require", Organizations: []string{"acme"}}, out.Clients["acme-batch"])
	assert.True(t, out.Clients["acme-batch"].RequiresOrganization())
	assert.False(t, out.Clients["batch-scorer"].RequiresOrganization())
}

// Outputs of a stack from before the web app, the CLI app and signingAlg
// still load: the fields are empty, and the caller decides.
func TestLoadOlderOutputs(t *testing.T) {
	path := filepath.Join(t.TempDir(), "outputs.json")
	require.NoError(t, os.WriteFile(path, []byte(`{"audience":"https://a/","issuer":"https://t.example.com/","clients":{"c":{"clientId":"id","grantId":"g"}}}`), 0o600))
	out, err := stackoutputs.Load(path)
	require.NoError(t, err)
	assert.Empty(t, out.SigningAlg)
	assert.Nil(t, out.WebApp)
	assert.Nil(t, out.CLIApp)
	assert.Equal(t, "id", out.Clients["c"].ClientID)
}

func TestClientOrganization(t *testing.T) {
	out := &stackoutputs.Outputs{
		Organizations: map[string]string{"acme": "org_acme", "globex": "org_globex"},
		Clients: map[string]stackoutputs.Client{
			"linked": {OrganizationUsage: "require", Organizations: []string{"acme"}},
			"any":    {OrganizationUsage: "allow", AllowAnyOrganization: true},
			"deny":   {OrganizationUsage: "deny", Organizations: []string{}},
			"older":  {}, // outputs from before organization links
		},
	}
	cases := []struct {
		client, org, want string
		err               error
		msg               string
	}{
		{client: "linked", org: "acme", want: "org_acme"},
		{client: "linked", org: "org_acme", want: "org_acme"},
		{client: "linked", org: "globex", err: stackoutputs.ErrOrganizationNotAllowed, msg: `client "linked" is linked to these organizations: acme; add globex`},
		{client: "linked", org: "org_globex", err: stackoutputs.ErrOrganizationNotAllowed, msg: "add globex"},
		{client: "any", org: "globex", want: "org_globex"},
		{client: "deny", org: "acme", err: stackoutputs.ErrOrganizationNotAllowed, msg: "organizationUsage deny"},
		{client: "older", org: "globex", want: "org_globex"},
		{client: "linked", org: "initech", err: stackoutputs.ErrUnknownOrganization, msg: "(it has: acme, globex)"},
		{client: "linked", org: "", err: stackoutputs.ErrUnknownOrganization},
		{client: "nope", org: "acme", err: stackoutputs.ErrUnknownClient, msg: "(it has: any, deny, linked, older)"},
	}
	for _, c := range cases {
		got, err := out.ClientOrganization(c.client, c.org)
		if c.err != nil {
			assert.ErrorIs(t, err, c.err, "%s in %q", c.client, c.org)
			assert.ErrorContains(t, err, c.msg, "%s in %q", c.client, c.org)
			assert.Empty(t, got)
			continue
		}
		assert.NoError(t, err, "%s in %q", c.client, c.org)
		assert.Equal(t, c.want, got, "%s in %q", c.client, c.org)
	}
}
