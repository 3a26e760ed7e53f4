package main

import (
	"slices"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/common/workspace"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/model-api-auth0/model-api-auth0/internal/plan"
	"github.com/model-api-auth0/model-api-auth0/internal/plan/recorder"
	"github.com/model-api-auth0/model-api-auth0/internal/tenant/stackconfig"
)

func registered(p *plan.Plan, name string) bool {
	return slices.ContainsFunc(p.Resources, func(r *recorder.Resource) bool { return r.Name == name })
}

// People log in through the web app (confidential) and the CLI (public):
// code flow, rotating refresh tokens, an organization unless said
// otherwise, and a user-type grant with exactly the configured scopes.
func TestAppInputs(t *testing.T) {
	p := evaluate(t, "test", baseConfig())
	ref := recorder.Reference
	refresh := map[string]any{"rotationType": "rotating", "expirationType": "expiring", "tokenLifetime": 2592000.0,
		"idleTokenLifetime": 1296000.0, "infiniteTokenLifetime": false, "infiniteIdleTokenLifetime": false}
	assert.Equal(t, map[string]any{
		"name": "gateway", "description": "Managed by Pulumi", "appType": "regular_web", "grantTypes": []any{"authorization_code", "refresh_token"},
		"callbacks":         []any{"https://models.example.com/callback", "http://localhost:8080/callback"},
		"allowedLogoutUrls": []any{"https://models.example.com/"},
		"isFirstParty":      true, "oidcConformant": true, "jwtConfiguration": map[string]any{"alg": "RS256"},
		"organizationUsage": "require", "organizationRequireBehavior": "post_login_prompt", "refreshToken": refresh,
	}, find(t, p, "web-app").Inputs.Mappable())
	assert.Equal(t, map[string]any{
		"name": "cli", "description": "Managed by Pulumi", "appType": "native", "grantTypes": []any{"authorization_code", "refresh_token"},
		"callbacks":    []any{"http://127.0.0.1:8976/callback"},
		"isFirstParty": true, "oidcConformant": true, "jwtConfiguration": map[string]any{"alg": "RS256"},
		"organizationUsage": "allow", "refreshToken": refresh,
	}, find(t, p, "cli-app").Inputs.Mappable(), "no organizationRequireBehavior without require")

	checks := []struct {
		what      string
		got, want any
	}{
		{"web app authenticates with its secret", input(find(t, p, "web-app-credentials"), "authenticationMethod"), "client_secret_post"},
		{"the CLI has no secret", input(find(t, p, "cli-app-credentials"), "authenticationMethod"), "none"},
		{"web grant", find(t, p, "web-app-grant").Inputs.Mappable(), map[string]any{"clientId": ref("web-app", "clientId"),
			"audience": "https://models.example.com/", "scopes": []any{"read:models", "invoke:models"}, "subjectType": "user"}},
		{"CLI grant", find(t, p, "cli-app-grant").Inputs.Mappable(), map[string]any{"clientId": ref("cli-app", "clientId"),
			"audience": "https://models.example.com/", "scopes": []any{"read:models"}, "subjectType": "user"}},
		{"M2M grants stay client grants", input(find(t, p, "client-batch-scorer-grant"), "subjectType"), nil},
		{"connection enabled for people's apps only", input(find(t, p, "connection-clients"), "enabledClients"),
			[]any{ref("web-app", "clientId"), ref("cli-app", "clientId")}},
		{"connection clients' connection", input(find(t, p, "connection-clients"), "connectionId"), ref("connection", "id")},
	}
	for _, c := range checks {
		assert.Equal(t, c.want, c.got, c.what)
	}
	assert.Contains(t, find(t, p, "web-app-grant").Dependencies, find(t, p, "api-scopes").URN, "a grant names declared scopes")
	assert.Equal(t, find(t, p, "connection").URN, find(t, p, "connection-clients").Parent)
}

// Renaming an application is an update of the same client: its logical name
// does not follow its name, so its client ID survives.
func TestAppRenameKeepsURN(t *testing.T) {
	raw := baseConfig()
	raw[stackconfig.KeyWebApp] = `{"name":"portal","callbacks":["https://models.example.com/callback"]}`
	p := evaluate(t, "test", raw)
	assert.Equal(t, "portal", input(find(t, p, "web-app"), "name"))
	assert.Contains(t, p.Exports["clientSecrets"].Value, "portal", "the secret is listed under the new name")
}

// `{}`, the default Pulumi.yaml gives the three keys, declares nothing; the
// connection's application list is still authoritative, and empty.
func TestAppsAndTenantAreOptional(t *testing.T) {
	raw := baseConfig()
	for _, key := range []string{stackconfig.KeyWebApp, stackconfig.KeyCLIApp, stackconfig.KeyTenant} {
		raw[key] = `{}`
	}
	p := evaluate(t, "test", raw)
	for _, name := range []string{"web-app", "web-app-grant", "cli-app", "tenant"} {
		assert.False(t, registered(p, name), "%s is registered", name)
	}
	assert.Equal(t, []any{}, input(find(t, p, "connection-clients"), "enabledClients"))
	assert.NotContains(t, p.Exports, "webApp")
	assert.NotContains(t, p.Exports, "cliApp")
	assert.Equal(t, map[string]any{"batch-scorer": recorder.Reference("client-batch-scorer-credentials", "clientSecret"),
		"catalog": recorder.Reference("client-catalog-credentials", "clientSecret")}, p.Exports["clientSecrets"].Value)
}

// The CLI must not require the optional keys: a key Pulumi.yaml declares
// without a default is required in every stack.
func TestOptionalKeysHaveDefaults(t *testing.T) {
	proj, err := workspace.LoadProject("Pulumi.yaml")
	require.NoError(t, err)
	for _, key := range []string{stackconfig.KeyWebApp, stackconfig.KeyCLIApp, stackconfig.KeyTenant} {
		decl, ok := proj.Config[key]
		require.True(t, ok, key)
		assert.Equal(t, "object", decl.TypeName(), key)
		assert.Equal(t, map[string]any{}, decl.Default, "%s: default {} (declares nothing)", key)
	}
}

func TestTenantSettings(t *testing.T) {
	raw := baseConfig()
	p := evaluate(t, "test", raw)
	assert.Equal(t, map[string]any{"resourceParameterProfile": "compatibility"}, find(t, p, "tenant").Inputs.Mappable())
	assert.NotContains(t, find(t, p, "client-batch-scorer").Dependencies, find(t, p, "tenant").URN,
		"without the flag, clients need not wait for the tenant")

	raw[stackconfig.KeyTenant] = `{"enableClientConnections":false}`
	p = evaluate(t, "test", raw)
	assert.Equal(t, map[string]any{"flags": map[string]any{"enableClientConnections": false}}, find(t, p, "tenant").Inputs.Mappable())
	for _, name := range []string{"client-batch-scorer", "web-app", "cli-app"} {
		assert.Contains(t, find(t, p, name).Dependencies, find(t, p, "tenant").URN,
			"%s is created after Auth0 stops enabling every connection for new applications", name)
	}
}

// A client whose grant allows or requires an organization gets a token for
// the organizations it is linked to, and the outputs say which.
func TestClientOrganizations(t *testing.T) {
	raw := baseConfig()
	raw[stackconfig.KeyClients] = `[{"name":"acme-batch","scopes":["invoke:models"],"organizationUsage":"require","organizations":["acme","globex"]},
		{"name":"any-org","scopes":["read:models"],"organizationUsage":"allow","allowAnyOrganization":true}]`
	p := evaluate(t, "test", raw)
	ref := recorder.Reference
	for _, org := range []string{"acme", "globex"} {
		link := find(t, p, "client-acme-batch-org-"+org)
		assert.Equal(t, map[string]any{"grantId": ref("client-acme-batch-grant", "id"), "organizationId": ref("org-"+org, "id")}, link.Inputs.Mappable())
		assert.Equal(t, find(t, p, "client-acme-batch").URN, link.Parent)
		assert.Contains(t, link.Dependencies, find(t, p, "org-"+org).URN)
	}
	assert.False(t, slices.ContainsFunc(p.Resources, func(r *recorder.Resource) bool {
		return r.Type == "auth0:index/organizationClientGrant:OrganizationClientGrant" && r.Parent == find(t, p, "client-any-org").URN
	}),
		"a grant for any organization needs no link")
	clients := p.Exports["clients"].Value.(map[string]any)
	assert.Equal(t, map[string]any{"clientId": ref("client-acme-batch", "clientId"), "grantId": ref("client-acme-batch-grant", "id"),
		"organizationUsage": "require", "allowAnyOrganization": false, "organizations": []any{"acme", "globex"}}, clients["acme-batch"])
	assert.Equal(t, true, clients["any-org"].(map[string]any)["allowAnyOrganization"])
}

// In an organization that assigns membership on login, each declared member
// is its own OrganizationMember, so that people who joined at login are left
// alone; elsewhere one authoritative list keeps its URN.
func TestMembershipFollowsAssignMembershipOnLogin(t *testing.T) {
	raw := baseConfig()
	raw[stackconfig.KeyOrganizations] = `[
		{"name":"acme","displayName":"Acme","members":[{"userId":"auth0|abc123","roles":["model-user"]}]},
		{"name":"globex","displayName":"Globex","assignMembershipOnLogin":true,
		 "members":[{"email":"alice@acme.example.com","roles":["model-viewer"]},{"userId":"auth0|def456"}]}]`
	p := evaluate(t, "test", raw)
	ref := recorder.Reference

	assert.Equal(t, []any{"auth0|abc123"}, input(find(t, p, "org-acme-members"), "members"), "the authoritative list, URN unchanged")
	assert.False(t, registered(p, "org-acme-member-auth0|abc123"))

	assert.False(t, registered(p, "org-globex-members"), "an authoritative list would remove people who joined at login")
	assert.Equal(t, map[string]any{"organizationId": ref("org-globex", "id"), "userId": ref("user-alice@acme.example.com", "id")},
		find(t, p, "org-globex-member-alice@acme.example.com").Inputs.Mappable())
	assert.Equal(t, map[string]any{"organizationId": ref("org-globex", "id"), "userId": "auth0|def456"},
		find(t, p, "org-globex-member-auth0|def456").Inputs.Mappable())
	roles := find(t, p, "org-globex-member-alice@acme.example.com-roles")
	assert.Contains(t, roles.Dependencies, find(t, p, "org-globex-member-alice@acme.example.com").URN, "roles after the membership")
	assert.Equal(t, find(t, p, "org-globex").URN, find(t, p, "org-globex-member-auth0|def456").Parent)
}

// The secrets of people's applications travel only as Pulumi secrets, and
// the CLI, a public client, has none to export.
func TestAppSecrets(t *testing.T) {
	p := evaluate(t, "test", baseConfig())
	secrets := p.Exports["clientSecrets"]
	assert.True(t, secrets.Secret)
	assert.Contains(t, secrets.Value, "gateway")
	assert.NotContains(t, secrets.Value, "cli")
	for _, name := range []string{"webApp", "cliApp"} {
		assert.False(t, p.Exports[name].Secret, "%s holds no secret and is readable by the gateway", name)
		assert.NotContains(t, mustJSON(p.Exports[name].Value), "clientSecret", name)
	}
	assert.Contains(t, find(t, p, "web-app-credentials").Outputs, resource.PropertyKey("clientSecret"))
}
