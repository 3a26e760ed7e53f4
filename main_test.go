package tenant_test

import (
	"maps"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/common/workspace"

	tenant "github.com/model-api-auth0/model-api-auth0"
	"github.com/model-api-auth0/model-api-auth0/internal/auth0"
	"github.com/model-api-auth0/model-api-auth0/internal/plan"
	"github.com/model-api-auth0/model-api-auth0/internal/recorder"
)

func TestStackFilesEvaluate(t *testing.T) {
	for _, stack := range stacks {
		t.Run(stack, func(t *testing.T) {
			raw := stackConfig(t, stack)
			p := evaluate(t, stack, raw)
			cfg, err := tenant.LoadConfig(raw, nil)
			if err != nil {
				t.Fatal(err)
			}
			// api + scopes + connection, 2 per role, 1-3 per org plus member roles, 3 per client, users.
			want := 3 + 2*len(cfg.Roles) + 3*len(cfg.Clients) + len(cfg.TestUsers)
			for _, o := range cfg.Organizations {
				want += 2
				if len(o.Members) > 0 {
					want++
				}
				for _, m := range o.Members {
					if len(m.Roles) > 0 {
						want++
					}
				}
			}
			if len(p.Resources) != want {
				t.Errorf("registered %d resources, want %d", len(p.Resources), want)
			}
			for _, r := range p.Resources {
				if r.Version != auth0.ProviderVersion {
					t.Errorf("%s: provider version %q, want %q", r.Name, r.Version, auth0.ProviderVersion)
				}
			}
		})
	}
}

func TestProjectFileDeclaresEveryKey(t *testing.T) {
	proj, err := workspace.LoadProject("Pulumi.yaml") // validates against Pulumi's project schema
	if err != nil {
		t.Fatal(err)
	}
	if proj.Name != tenant.Namespace || proj.Runtime.Name() != "go" {
		t.Errorf("project %q runtime %q, want %q runtime go", proj.Name, proj.Runtime.Name(), tenant.Namespace)
	}
	declared := slices.Sorted(maps.Keys(proj.Config))
	want := slices.Sorted(slices.Values(tenant.ConfigKeys()))
	if !slices.Equal(declared, want) {
		t.Errorf("Pulumi.yaml declares %v, the program reads %v", declared, want)
	}
	for key, decl := range proj.Config {
		if decl.Description == "" {
			t.Errorf("%s has no description in Pulumi.yaml", key)
		}
		if slices.Contains(tenant.SecretKeys, key) != decl.Secret {
			t.Errorf("%s: secret is %v in Pulumi.yaml", key, decl.Secret)
		}
	}
}

func TestResourceServerInputs(t *testing.T) {
	p := evaluate(t, "test", baseConfig())
	api := find(t, p, "api")
	want := map[string]any{
		"name": "Model API", "identifier": "https://models.example.com/", "signingAlg": "RS256",
		"tokenLifetime": 86400.0, "tokenLifetimeForWeb": 7200.0, "allowOfflineAccess": false,
		"enforcePolicies": true, "tokenDialect": "access_token_authz",
		"skipConsentForVerifiableFirstPartyClients": true,
	}
	if got := api.Inputs.Mappable(); !reflect.DeepEqual(got, want) {
		t.Errorf("api inputs:\n got %v\nwant %v", got, want)
	}
	scopes := find(t, p, "api-scopes")
	if got := input(scopes, "resourceServerIdentifier"); got != "https://models.example.com/" {
		t.Errorf("scopes on %v", got)
	}
	wantScopes := []any{
		map[string]any{"name": "read:models", "description": "List models"},
		map[string]any{"name": "invoke:models", "description": "Run inference"},
	}
	if got := input(scopes, "scopes"); !reflect.DeepEqual(got, wantScopes) {
		t.Errorf("scopes %v, want %v", got, wantScopes)
	}
	if scopes.Parent != api.URN {
		t.Errorf("scopes parent %q, want the API", scopes.Parent)
	}
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
			map[string]any{"connectionId": ref("connection-model-users", "id"), "assignMembershipOnLogin": false}}},
		{"extra org connection", input(find(t, p, "org-globex-connections"), "enabledConnections"), []any{
			map[string]any{"connectionId": ref("connection-model-users", "id"), "assignMembershipOnLogin": false},
			map[string]any{"connectionId": "con_external01"}}},
		{"org connections org", input(find(t, p, "org-acme-connections"), "organizationId"), ref("org-acme", "id")},
		{"members", input(find(t, p, "org-acme-members"), "members"), []any{ref("user-alice@acme.example.com", "id"), "auth0|abc123"}},
		{"member roles by role ID", input(find(t, p, "org-acme-member-auth0|abc123-roles"), "roles"), []any{ref("role-model-viewer", "id"), ref("role-model-user", "id")}},
		{"member roles user", input(find(t, p, "org-acme-member-alice@acme.example.com-roles"), "userId"), ref("user-alice@acme.example.com", "id")},
		{"test user connection", input(find(t, p, "user-alice@acme.example.com"), "connectionName"), "model-users"},
		{"branding", input(find(t, p, "org-acme"), "branding"), map[string]any{"logoUrl": "https://acme.example.com/l.png", "colors": map[string]any{"primary": "#112233"}}},
	}
	for _, c := range checks {
		if !reflect.DeepEqual(c.got, c.want) {
			t.Errorf("%s = %#v, want %#v", c.what, c.got, c.want)
		}
	}
	if _, ok := find(t, p, "org-globex").Inputs["branding"]; ok {
		t.Error("an organization without branding sends branding")
	}
	if slices.ContainsFunc(p.Resources, func(r *recorder.Resource) bool { return r.Name == "org-globex-members" }) {
		t.Error("an organization without members registers OrganizationMembers")
	}
}

func TestDependencies(t *testing.T) {
	p := evaluate(t, "test", baseConfig())
	urn := func(name string) string { return find(t, p, name).URN }
	cases := []struct{ resource, dependsOn, why string }{
		{"client-batch-scorer-grant", "api-scopes", "a grant can only name scopes the API declares"},
		{"client-batch-scorer-grant", "client-batch-scorer", "the grant is for this client"},
		{"role-model-user-permissions", "api-scopes", "a permission must be a declared scope"},
		{"org-acme-member-auth0|abc123-roles", "org-acme-members", "roles are assigned to members"},
		{"org-acme-members", "user-alice@acme.example.com", "the test user must exist first"},
		{"org-acme-connections", "connection-model-users", "the link needs the connection"},
	}
	for _, c := range cases {
		if !slices.Contains(find(t, p, c.resource).Dependencies, urn(c.dependsOn)) {
			t.Errorf("%s does not depend on %s (%s)", c.resource, c.dependsOn, c.why)
		}
	}
}

func TestProtection(t *testing.T) {
	protected := []string{"api", "connection-model-users", "org-acme", "org-globex"}
	for _, protect := range []bool{false, true} {
		raw := baseConfig()
		delete(raw, tenant.KeyTestUsers) // test users are refused in protected stacks
		raw[tenant.KeyOrganizations] = `[{"name":"acme","displayName":"Acme","members":[{"userId":"auth0|abc123","roles":["model-user"]}]},{"name":"globex","displayName":"Globex"}]`
		if protect {
			raw[tenant.KeyProtect] = "true"
		}
		p := evaluate(t, "test", raw)
		for _, r := range p.Resources {
			wantProtect := protect && slices.Contains(protected, r.Name)
			if r.Protect != wantProtect {
				t.Errorf("protect=%v: %s protect is %v, want %v", protect, r.Name, r.Protect, wantProtect)
			}
			wantRetain := protect && r.Name == "connection-model-users"
			if r.RetainOnDelete != wantRetain {
				t.Errorf("protect=%v: %s retainOnDelete is %v, want %v", protect, r.Name, r.RetainOnDelete, wantRetain)
			}
		}
	}
}

func TestExports(t *testing.T) {
	p := evaluate(t, "test", baseConfig())
	want := map[string]plan.Export{
		"audience":      {Value: "https://models.example.com/"},
		"issuer":        {Value: "https://example.us.auth0.com/"},
		"jwksUri":       {Value: "https://example.us.auth0.com/.well-known/jwks.json"},
		"tokenEndpoint": {Value: "https://example.us.auth0.com/oauth/token"},
		"tenantDomain":  {Value: "example.us.auth0.com"},
		"apiId":         {Value: recorder.Reference("api", "id")},
		"connectionId":  {Value: recorder.Reference("connection-model-users", "id")},
		"roleIds": {Value: map[string]any{
			"model-user": recorder.Reference("role-model-user", "id"), "model-viewer": recorder.Reference("role-model-viewer", "id")}},
		"organizations": {Value: map[string]any{
			"acme": recorder.Reference("org-acme", "id"), "globex": recorder.Reference("org-globex", "id")}},
		"clients": {Value: map[string]any{
			"batch-scorer": map[string]any{"clientId": recorder.Reference("client-batch-scorer", "clientId"), "grantId": recorder.Reference("client-batch-scorer-grant", "id")},
			"catalog":      map[string]any{"clientId": recorder.Reference("client-catalog", "clientId"), "grantId": recorder.Reference("client-catalog-grant", "id")},
		}},
		"clientSecrets": {Secret: true, Value: map[string]any{
			"batch-scorer": recorder.Reference("client-batch-scorer-credentials", "clientSecret"),
			"catalog":      recorder.Reference("client-catalog-credentials", "clientSecret")}},
	}
	if !reflect.DeepEqual(p.Exports, want) {
		t.Errorf("exports:\n got %#v\nwant %#v", p.Exports, want)
	}
}

// Secrets travel only as secret values: the password is a secret input, and
// no plain input or export contains a secret.
func TestNoSecretInPlainText(t *testing.T) {
	raw := baseConfig()
	password := raw[tenant.KeyTestUserPassword]
	p := evaluate(t, "test", raw)
	if pw := find(t, p, "user-alice@acme.example.com").Inputs["password"]; !pw.IsSecret() {
		t.Errorf("the test user password is sent as %v, not as a secret", pw)
	}
	for _, r := range p.Resources {
		for key, v := range r.Inputs {
			if !v.ContainsSecrets() && strings.Contains(resource.NewObjectProperty(resource.PropertyMap{key: v}).String(), password) {
				t.Errorf("%s.%s holds the password in plain text", r.Name, key)
			}
		}
	}
	for name, e := range p.Exports {
		s := mustJSON(e.Value)
		if !e.Secret && (strings.Contains(s, password) || strings.Contains(s, "clientSecret")) {
			t.Errorf("export %s holds a secret in plain text: %s", name, s)
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
			reordered[k] = reverseLists(t, v)
		}
		if maps.Equal(raw, reordered) {
			t.Fatalf("%s: reversing changed nothing; the test would prove nothing", stack)
		}
		before, after := urns(evaluate(t, stack, raw)), urns(evaluate(t, stack, reordered))
		if !slices.Equal(before, after) {
			t.Errorf("%s: URNs changed after reordering lists:\nbefore %v\nafter  %v", stack, before, after)
		}
	}
}

func urns(p *plan.Plan) []string {
	var out []string
	for _, r := range p.Resources {
		out = append(out, r.URN)
	}
	return out
}
