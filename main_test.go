package main

import (
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/common/workspace"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/model-api-auth0/model-api-auth0/internal/plan"
	"github.com/model-api-auth0/model-api-auth0/internal/plan/recorder"
	"github.com/model-api-auth0/model-api-auth0/internal/tenant/stackconfig"
)

func TestStackFilesEvaluate(t *testing.T) {
	for _, stack := range stacks {
		t.Run(stack, func(t *testing.T) {
			raw := stackConfig(t, stack)
			p := evaluate(t, stack, raw)
			cfg, err := stackconfig.Load(raw, nil)
			require.NoError(t, err)
			want := wantResources(cfg)
			assert.Len(t, p.Resources, want)
			// The engine loads the plugin named by the type token's package,
			// at the version the resource asks for.
			for _, r := range p.Resources {
				assert.True(t, strings.HasPrefix(r.Type, "auth0:"), "%s: type %s is not the auth0 provider's", r.Name, r.Type)
				assert.Equal(t, providerVersion, r.Version, "%s: provider version", r.Name)
			}
		})
	}
}

// wantResources counts what the program must register for a configuration,
// kind by kind, independently of how it does it.
func wantResources(cfg *stackconfig.Config) int {
	// api + scopes + connection + the connection's clients, 2 per role, 3
	// per client and 1 per organization it is linked to, test users.
	want := 4 + 2*len(cfg.Roles) + 3*len(cfg.Clients) + len(cfg.TestUsers)
	for _, c := range cfg.Clients {
		want += len(c.Organizations)
	}
	for _, app := range []*stackconfig.AppConfig{cfg.WebApp, cfg.CLIApp} {
		if app != nil {
			want += 3 // client, credentials, user grant
		}
	}
	if cfg.Tenant != nil {
		want++
	}
	want += 2 * len(cfg.AgentClients) // the client and its user grant
	for _, o := range cfg.Organizations {
		want += 2 // organization, connections
		switch {
		case o.AssignMembershipOnLogin:
			want += len(o.Members) // one membership each
		case len(o.Members) > 0:
			want++ // the authoritative list
		}
		for _, m := range o.Members {
			if len(m.Roles) > 0 {
				want++
			}
		}
	}
	return want
}

func TestProjectFileDeclaresEveryKey(t *testing.T) {
	proj, err := workspace.LoadProject("Pulumi.yaml") // validates against Pulumi's project schema
	require.NoError(t, err)
	assert.Equal(t, stackconfig.Namespace, proj.Name.String())
	assert.Equal(t, "go", proj.Runtime.Name())
	assert.Equal(t, slices.Sorted(slices.Values(stackconfig.ConfigKeys())), slices.Sorted(maps.Keys(proj.Config)),
		"the keys Pulumi.yaml declares are the keys the program reads")
	for key, decl := range proj.Config {
		assert.NotEmpty(t, decl.Description, "%s has no description in Pulumi.yaml", key)
		assert.Equal(t, slices.Contains(stackconfig.SecretKeys, key), decl.Secret, "%s: secret in Pulumi.yaml", key)
	}
}

func TestResourceServerInputs(t *testing.T) {
	p := evaluate(t, "test", baseConfig())
	api := find(t, p, "api")
	assert.Equal(t, map[string]any{
		"name": "Model API", "identifier": "https://models.example.com/", "signingAlg": "RS256",
		"tokenLifetime": 86400.0, "tokenLifetimeForWeb": 7200.0, "allowOfflineAccess": false,
		"enforcePolicies": true, "tokenDialect": "access_token_authz",
		"skipConsentForVerifiableFirstPartyClients": true,
		"subjectTypeAuthorization": map[string]any{
			"user":   map[string]any{"policy": "require_client_grant"},
			"client": map[string]any{"policy": "require_client_grant"},
		},
	}, api.Inputs.Mappable())
	scopes := find(t, p, "api-scopes")
	assert.Equal(t, "https://models.example.com/", input(scopes, "resourceServerIdentifier"))
	assert.Equal(t, []any{
		map[string]any{"name": "read:models", "description": "List models"},
		map[string]any{"name": "invoke:models", "description": "Run inference"},
	}, input(scopes, "scopes"))
	assert.Equal(t, api.URN, scopes.Parent, "the scopes' parent is the API")
}

func TestReferencesAreWired(t *testing.T) {
	p := evaluate(t, "test", baseConfig())
	ref := recorder.Reference
	grant := find(t, p, "client-batch-scorer-grant")
	checks := []struct {
		what      string
		got, want any
	}{
		{"grant clientId", input(grant, "clientId"), ref("client-batch-scorer", "clientId")},
		{"grant audience", input(grant, "audience"), "https://models.example.com/"},
		{"grant scopes", input(grant, "scopes"), []any{"invoke:models"}},
		{"grant organizationUsage", input(grant, "organizationUsage"), "deny"},
		{"credentials clientId", input(find(t, p, "client-batch-scorer-credentials"), "clientId"), ref("client-batch-scorer", "clientId")},
		{"credentials method", input(find(t, p, "client-batch-scorer-credentials"), "authenticationMethod"), "client_secret_post"},
		{"client appType", input(find(t, p, "client-batch-scorer"), "appType"), "non_interactive"},
		{"client grantTypes", input(find(t, p, "client-batch-scorer"), "grantTypes"), []any{"client_credentials"}},
		{"role permissions roleId", input(find(t, p, "role-model-user-permissions"), "roleId"), ref("role-model-user", "id")},
		{"role permissions", input(find(t, p, "role-model-viewer-permissions"), "permissions"), []any{
			map[string]any{"name": "read:models", "resourceServerIdentifier": "https://models.example.com/"}}},
		{"org connections", input(find(t, p, "org-acme-connections"), "enabledConnections"), []any{
			map[string]any{"connectionId": ref("connection", "id"), "assignMembershipOnLogin": false}}},
		{"extra org connection", input(find(t, p, "org-globex-connections"), "enabledConnections"), []any{
			map[string]any{"connectionId": ref("connection", "id"), "assignMembershipOnLogin": false},
			map[string]any{"connectionId": "con_external01"}}},
		{"org connections org", input(find(t, p, "org-acme-connections"), "organizationId"), ref("org-acme", "id")},
		{"members", input(find(t, p, "org-acme-members"), "members"), []any{ref("user-alice@acme.example.com", "id"), "auth0|abc123"}},
		{"member roles by role ID", input(find(t, p, "org-acme-member-auth0|abc123-roles"), "roles"), []any{ref("role-model-viewer", "id"), ref("role-model-user", "id")}},
		{"member roles user", input(find(t, p, "org-acme-member-alice@acme.example.com-roles"), "userId"), ref("user-alice@acme.example.com", "id")},
		{"test user connection", input(find(t, p, "user-alice@acme.example.com"), "connectionName"), "model-users"},
		{"branding", input(find(t, p, "org-acme"), "branding"), map[string]any{"logoUrl": "https://acme.example.com/l.png", "colors": map[string]any{"primary": "#112233"}}},
	}
	for _, c := range checks {
		assert.Equal(t, c.want, c.got, c.what)
	}
	assert.NotContains(t, find(t, p, "org-globex").Inputs, resource.PropertyKey("branding"), "an organization without branding sends branding")
	assert.False(t, slices.ContainsFunc(p.Resources, func(r *recorder.Resource) bool { return r.Name == "org-globex-members" }),
		"an organization without members registers OrganizationMembers")
}

func TestDependencies(t *testing.T) {
	p := evaluate(t, "test", baseConfig())
	cases := []struct{ resource, dependsOn, why string }{
		{"client-batch-scorer-grant", "api-scopes", "a grant can only name scopes the API declares"},
		{"client-batch-scorer-grant", "client-batch-scorer", "the grant is for this client"},
		{"role-model-user-permissions", "api-scopes", "a permission must be a declared scope"},
		{"org-acme-member-auth0|abc123-roles", "org-acme-members", "roles are assigned to members"},
		{"org-acme-members", "user-alice@acme.example.com", "the test user must exist first"},
		{"org-acme-connections", "connection", "the link needs the connection"},
	}
	for _, c := range cases {
		assert.Contains(t, find(t, p, c.resource).Dependencies, find(t, p, c.dependsOn).URN,
			"%s must depend on %s: %s", c.resource, c.dependsOn, c.why)
	}
}

func TestProtection(t *testing.T) {
	for _, protect := range []bool{false, true} {
		raw := baseConfig()
		delete(raw, stackconfig.KeyTestUsers) // test users are refused in protected stacks
		raw[stackconfig.KeyOrganizations] = `[{"name":"acme","displayName":"Acme","members":[{"userId":"auth0|abc123","roles":["model-user"]}]},{"name":"globex","displayName":"Globex"}]`
		if protect {
			raw[stackconfig.KeyProtect] = "true"
		}
		p := evaluate(t, "test", raw)
		for _, r := range p.Resources {
			// Everything: the engine refuses a protected resource only
			// when it reaches it, after deleting what depends on it.
			assert.Equal(t, protect, r.Protect, "protect=%v: %s protect", protect, r.Name)
			assert.Equal(t, protect && r.Name == "connection", r.RetainOnDelete, "protect=%v: %s retainOnDelete", protect, r.Name)
		}
	}
}

func TestExports(t *testing.T) {
	p := evaluate(t, "test", baseConfig())
	ref := recorder.Reference
	assert.Equal(t, map[string]plan.Export{
		"audience":      {Value: "https://models.example.com/"},
		"issuer":        {Value: "https://example.us.auth0.com/"},
		"jwksUri":       {Value: "https://example.us.auth0.com/.well-known/jwks.json"},
		"tokenEndpoint": {Value: "https://example.us.auth0.com/oauth/token"},
		"tenantDomain":  {Value: "example.us.auth0.com"},
		"apiId":         {Value: ref("api", "id")},
		"connectionId":  {Value: ref("connection", "id")},
		"roleIds":       {Value: map[string]any{"model-user": ref("role-model-user", "id"), "model-viewer": ref("role-model-viewer", "id")}},
		"organizations": {Value: map[string]any{"acme": ref("org-acme", "id"), "globex": ref("org-globex", "id")}},
		"signingAlg":    {Value: "RS256"},
		"clients": {Value: map[string]any{
			"batch-scorer": map[string]any{"clientId": ref("client-batch-scorer", "clientId"), "grantId": ref("client-batch-scorer-grant", "id"),
				"organizationUsage": "deny", "allowAnyOrganization": false, "organizations": []any{}},
			"catalog": map[string]any{"clientId": ref("client-catalog", "clientId"), "grantId": ref("client-catalog-grant", "id"),
				"organizationUsage": "allow", "allowAnyOrganization": false, "organizations": []any{}},
		}},
		"webApp": {Value: map[string]any{"name": "gateway", "clientId": ref("web-app", "clientId"), "grantId": ref("web-app-grant", "id"),
			"callbacks":  []any{"https://models.example.com/callback", "http://localhost:8080/callback"},
			"logoutUrls": []any{"https://models.example.com/"}, "scopes": []any{"read:models", "invoke:models"},
			"organizationUsage": "require", "organizationRequireBehavior": "post_login_prompt"}},
		"cliApp": {Value: map[string]any{"name": "cli", "clientId": ref("cli-app", "clientId"), "grantId": ref("cli-app-grant", "id"),
			"callbacks": []any{"http://127.0.0.1:8976/callback"}, "logoutUrls": []any{}, "scopes": []any{"read:models"},
			"organizationUsage": "allow", "organizationRequireBehavior": ""}},
		// The web app's secret is with the M2M clients'; the CLI has none.
		"clientSecrets": {Secret: true, Value: map[string]any{
			"batch-scorer": ref("client-batch-scorer-credentials", "clientSecret"),
			"catalog":      ref("client-catalog-credentials", "clientSecret"),
			"gateway":      ref("web-app-credentials", "clientSecret")}},
	}, p.Exports)
}

// Secrets travel only as secret values: the password is a secret input, and
// no plain input or export contains a secret.
func TestNoSecretInPlainText(t *testing.T) {
	raw := baseConfig()
	password := raw[stackconfig.KeyTestUserPassword]
	p := evaluate(t, "test", raw)
	pw := find(t, p, "user-alice@acme.example.com").Inputs["password"]
	assert.True(t, pw.IsSecret(), "the test user password is sent as %v, not as a secret", pw)
	for _, r := range p.Resources {
		for key, v := range r.Inputs {
			if !v.ContainsSecrets() {
				assert.NotContains(t, resource.NewProperty(resource.PropertyMap{key: v}).String(), password, "%s.%s holds the password in plain text", r.Name, key)
			}
		}
	}
	for name, e := range p.Exports {
		if s := mustJSON(e.Value); !e.Secret {
			assert.NotContains(t, s, password, "export %s", name)
			assert.NotContains(t, s, "clientSecret", "export %s", name)
		}
	}
}

// Logical names come from config names, so reordering every list in the
// configuration leaves every URN as it was.
func TestReorderKeepsURNs(t *testing.T) {
	for _, stack := range stacks {
		raw := stackConfig(t, stack)
		reordered := map[string]string{}
		for k, v := range raw {
			reordered[k] = reverseLists(v)
		}
		require.NotEqual(t, raw, reordered, "%s: reversing changed nothing; the test would prove nothing", stack)
		assert.Equal(t, urns(evaluate(t, stack, raw)), urns(evaluate(t, stack, reordered)), "%s: URNs after reordering lists", stack)
	}
}

func urns(p *plan.Plan) []string {
	var out []string
	for _, r := range p.Resources {
		out = append(out, r.URN)
	}
	return out
}
