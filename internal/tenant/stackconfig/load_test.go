package stackconfig_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/model-api-auth0/model-api-auth0/internal/tenant/stackconfig"
	"github.com/model-api-auth0/model-api-auth0/internal/tenant/stackconfig/stackconfigtest"
)

// Every problem of a configuration is refused at its key path, with what to
// do, and without showing the password.
func TestInvalidConfig(t *testing.T) {
	api := func(extra string) string {
		return `{"name":"Model API","identifier":"https://models.example.com/","scopes":[{"name":"read:models"},{"name":"invoke:models"}]` + extra + `}`
	}
	long := strings.Repeat("x", 601)
	cases := []struct {
		name  string
		key   string // "" deletes nothing; value "\x00" deletes the key
		value string
		want  string // the problem line must contain this
	}{
		{"unknown key suggests the closest", stackconfig.Namespace + ":organisations", `[]`, `model-api-auth0:organisations: unknown key; did you mean "model-api-auth0:organizations"?`},
		{"unknown nested key", stackconfig.KeyAPI, api(`,"tokenLifetme":60`), `model-api-auth0:api: unknown key "tokenLifetme"; did you mean "tokenLifetime"?`},
		{"unknown key in list element", stackconfig.KeyClients, `[{"name":"c","scopes":["read:models"],"scope":"x"}]`, `model-api-auth0:clients[c]: unknown key "scope"; did you mean "scopes"?`},
		{"wrong kind", stackconfig.KeyAPI, api(`,"tokenLifetime":"1h"`), `model-api-auth0:api.tokenLifetime: want a whole number, got the string "1h"`},
		{"fractional number", stackconfig.KeyAPI, api(`,"tokenLifetime":1.5`), `model-api-auth0:api.tokenLifetime: want a whole number`},
		{"list expected", stackconfig.KeyClients, `{"name":"c"}`, `model-api-auth0:clients: want a list, got an object`},
		{"not JSON", stackconfig.KeyRoles, `[{`, `model-api-auth0:roles: not valid structured configuration`},
		{"protect not a bool", stackconfig.KeyProtect, `yes`, `model-api-auth0:protect: want true or false, got "yes"`},
		{"missing domain", stackconfig.KeyDomain, "\x00", `auth0:domain: the tenant domain is not set`},
		{"domain with scheme", stackconfig.KeyDomain, "https://example.us.auth0.com/", `auth0:domain: want a bare host name`},
		{"domain not a host", stackconfig.KeyDomain, "exa mple", `auth0:domain: "exa mple" is not a host name`},
		{"missing api", stackconfig.KeyAPI, "\x00", `model-api-auth0:api.identifier: required`},
		{"api name missing", stackconfig.KeyAPI, `{"identifier":"https://m.example.com/","scopes":[{"name":"a"}]}`, `model-api-auth0:api.name: required`},
		{"identifier relative", stackconfig.KeyAPI, `{"name":"n","identifier":"models","scopes":[{"name":"a"}]}`, `model-api-auth0:api.identifier: "models" is not an absolute URI`},
		{"identifier too long", stackconfig.KeyAPI, `{"name":"n","identifier":"https://m.example.com/` + long + `","scopes":[{"name":"a"}]}`, `model-api-auth0:api.identifier: is 623 characters; Auth0 allows at most 600`},
		{"HS256 refused with reason", stackconfig.KeyAPI, api(`,"signingAlg":"HS256"`), `model-api-auth0:api.signingAlg: HS256 is refused: a shared secret cannot be verified by third parties`},
		{"unknown alg", stackconfig.KeyAPI, api(`,"signingAlg":"ES256"`), `model-api-auth0:api.signingAlg: "ES256" is not supported`},
		{"token lifetime zero", stackconfig.KeyAPI, api(`,"tokenLifetime":0,"tokenLifetimeForWeb":1`), `model-api-auth0:api.tokenLifetime: is 0; want 1 to 2592000 seconds`},
		{"token lifetime too long", stackconfig.KeyAPI, api(`,"tokenLifetime":2592001`), `model-api-auth0:api.tokenLifetime: is 2592001`},
		{"web lifetime above lifetime", stackconfig.KeyAPI, api(`,"tokenLifetime":600,"tokenLifetimeForWeb":601`), `model-api-auth0:api.tokenLifetimeForWeb: is 601; want 1 to tokenLifetime (600) seconds`},
		{"no scopes", stackconfig.KeyAPI, `{"name":"n","identifier":"https://m.example.com/"}`, `model-api-auth0:api.scopes: declare at least one scope`},
		{"scope with space", stackconfig.KeyAPI, `{"name":"n","identifier":"https://m.example.com/","scopes":[{"name":"read models"}]}`, `model-api-auth0:api.scopes[read models].name: must not contain spaces`},
		{"scope too long", stackconfig.KeyAPI, `{"name":"n","identifier":"https://m.example.com/","scopes":[{"name":"` + long[:281] + `"}]}`, `is 281 characters; Auth0 allows at most 280`},
		{"scope without name", stackconfig.KeyAPI, `{"name":"n","identifier":"https://m.example.com/","scopes":[{"description":"d"}]}`, `model-api-auth0:api.scopes[0].name: required`},
		{"duplicate scope", stackconfig.KeyAPI, `{"name":"n","identifier":"https://m.example.com/","scopes":[{"name":"a"},{"name":"a"}]}`, `model-api-auth0:api.scopes[a]: scope "a" is declared twice`},
		{"scope description too long", stackconfig.KeyAPI, `{"name":"n","identifier":"https://m.example.com/","scopes":[{"name":"a","description":"` + long[:501] + `"}]}`, `model-api-auth0:api.scopes[a].description: is 501 characters; Auth0 allows at most 500`},
		{"duplicate role", stackconfig.KeyRoles, `[{"name":"r","permissions":["read:models"]},{"name":"r","permissions":["read:models"]}]`, `model-api-auth0:roles[r]: role "r" is declared twice`},
		{"role permission not declared", stackconfig.KeyRoles, `[{"name":"r","permissions":["write:models"]}]`, `model-api-auth0:roles[r].permissions[0]: scope "write:models" is not declared in model-api-auth0:api.scopes (declared: invoke:models, read:models)`},
		{"role without permissions", stackconfig.KeyRoles, `[{"name":"r"}]`, `model-api-auth0:roles[r].permissions: declare at least one permission`},
		{"role without name", stackconfig.KeyRoles, `[{"permissions":["read:models"]}]`, `model-api-auth0:roles[0].name: required`},
		{"connection name missing", stackconfig.KeyConnection, `{}`, `model-api-auth0:connection.name: required`},
		{"connection name invalid", stackconfig.KeyConnection, `{"name":"my users"}`, `model-api-auth0:connection.name: "my users": want 1 to 128 letters, digits and dashes`},
		{"password policy", stackconfig.KeyConnection, `{"name":"u","passwordPolicy":"strong"}`, `model-api-auth0:connection.passwordPolicy: "strong": want one of none, low, fair, good, excellent`},
		{"org name uppercase", stackconfig.KeyOrganizations, `[{"name":"Acme","displayName":"Acme"}]`, `model-api-auth0:organizations[Acme].name: "Acme": want 1 to 50 lowercase letters, digits, _ and -`},
		{"org name shaped like an ID", stackconfig.KeyOrganizations, `[{"name":"org_4x6l2vbb0pq9","displayName":"Acme"}]`, `model-api-auth0:organizations[org_4x6l2vbb0pq9].name: "org_4x6l2vbb0pq9" has the shape of an organization ID`},
		{"org name too long", stackconfig.KeyOrganizations, `[{"name":"` + strings.Repeat("a", 51) + `","displayName":"A"}]`, `want 1 to 50 lowercase letters`},
		{"org display name missing", stackconfig.KeyOrganizations, `[{"name":"acme"}]`, `model-api-auth0:organizations[acme].displayName: is 0 characters; want 1 to 255`},
		{"org display name too long", stackconfig.KeyOrganizations, `[{"name":"acme","displayName":"` + strings.Repeat("d", 256) + `"}]`, `displayName: is 256 characters; want 1 to 255`},
		{"duplicate org", stackconfig.KeyOrganizations, `[{"name":"acme","displayName":"A"},{"name":"acme","displayName":"B"}]`, `model-api-auth0:organizations[acme]: organization "acme" is declared twice`},
		{"bad color", stackconfig.KeyOrganizations, `[{"name":"acme","displayName":"A","branding":{"primaryColor":"blue"}}]`, `model-api-auth0:organizations[acme].branding.primaryColor: "blue": want a color as #rrggbb`},
		{"bad background", stackconfig.KeyOrganizations, `[{"name":"acme","displayName":"A","branding":{"pageBackground":"#12345"}}]`, `branding.pageBackground: "#12345": want a color as #rrggbb`},
		{"logo over http", stackconfig.KeyOrganizations, `[{"name":"acme","displayName":"A","branding":{"logoUrl":"http://acme.example.com/l.png"}}]`, `branding.logoUrl: "http://acme.example.com/l.png": want an https:// URL`},
		{"too many connections", stackconfig.KeyOrganizations, `[{"name":"acme","displayName":"A","connections":["con_1","con_2","con_3","con_4","con_5","con_6","con_7","con_8","con_9","con_10"]}]`, `organizations[acme].connections: 11 connections with model-api-auth0:connection; Auth0 allows at most 10`},
		{"bad connection id", stackconfig.KeyOrganizations, `[{"name":"acme","displayName":"A","connections":["google-oauth2"]}]`, `organizations[acme].connections[0]: "google-oauth2": want a connection ID`},
		{"member with both ids", stackconfig.KeyOrganizations, `[{"name":"acme","displayName":"A","members":[{"userId":"auth0|1","email":"alice@acme.example.com"}]}]`, `set exactly one of userId`},
		{"member with neither", stackconfig.KeyOrganizations, `[{"name":"acme","displayName":"A","members":[{"roles":["model-user"]}]}]`, `organizations[acme].members[0]: set exactly one of userId`},
		{"member bad user id", stackconfig.KeyOrganizations, `[{"name":"acme","displayName":"A","members":[{"userId":"12345"}]}]`, `members[12345].userId: "12345": want a user ID such as auth0|64f1c0ffee`},
		{"member email not a test user", stackconfig.KeyOrganizations, `[{"name":"acme","displayName":"A","members":[{"email":"eve@acme.example.com"}]}]`, `members[eve@acme.example.com].email: "eve@acme.example.com" is not declared in model-api-auth0:testUsers`},
		{"duplicate member", stackconfig.KeyOrganizations, `[{"name":"acme","displayName":"A","members":[{"userId":"auth0|1"},{"userId":"auth0|1"}]}]`, `organizations[acme].members[auth0|1]: member "auth0|1" is declared twice`},
		{"member role not declared", stackconfig.KeyOrganizations, `[{"name":"acme","displayName":"A","members":[{"userId":"auth0|1","roles":["root"]}]}]`, `members[auth0|1].roles[0]: role "root" is not declared in model-api-auth0:roles`},
		{"too many member roles", stackconfig.KeyOrganizations, `[{"name":"acme","displayName":"A","members":[{"userId":"auth0|1","roles":[` + strings.TrimSuffix(strings.Repeat(`"model-user",`, 51), ",") + `]}]}]`, `members[auth0|1].roles: 51 roles; Auth0 allows at most 50 per member`},
		{"duplicate client", stackconfig.KeyClients, `[{"name":"c","scopes":["read:models"]},{"name":"c","scopes":["read:models"]}]`, `model-api-auth0:clients[c]: client "c" is declared twice`},
		{"client without scopes", stackconfig.KeyClients, `[{"name":"c"}]`, `model-api-auth0:clients[c].scopes: grant at least one scope`},
		{"client scope not declared", stackconfig.KeyClients, `[{"name":"batch-scorer","scopes":["read:models","train:models"]}]`, `model-api-auth0:clients[batch-scorer].scopes[1]: scope "train:models" is not declared`},
		{"client organization usage", stackconfig.KeyClients, `[{"name":"c","scopes":["read:models"],"organizationUsage":"maybe"}]`, `clients[c].organizationUsage: "maybe": want one of deny, allow, require`},
		{"any organization needs usage", stackconfig.KeyClients, `[{"name":"c","scopes":["read:models"],"allowAnyOrganization":true}]`, `clients[c].allowAnyOrganization: needs organizationUsage allow or require`},
		{"test user bad email", stackconfig.KeyTestUsers, `[{"email":"not-an-email"}]`, `model-api-auth0:testUsers[not-an-email].email: "not-an-email" is not an email address`},
		{"test user password missing", stackconfig.KeyTestUserPassword, "\x00", `model-api-auth0:testUserPassword: required when testUsers are declared`},
		{"test user password too short", stackconfig.KeyTestUserPassword, "short", `model-api-auth0:testUserPassword: does not meet password policy "good" (model-api-auth0:connection.passwordPolicy): it needs at least 8 characters`},
		{"test user password too simple", stackconfig.KeyTestUserPassword, "alllowercase", `testUserPassword: does not meet password policy "good" (model-api-auth0:connection.passwordPolicy): it needs 3 of these: lower case, upper case, digits, other characters`},
		{"identifier is the Management API", stackconfig.KeyAPI, `{"name":"n","identifier":"https://example.us.auth0.com/api/v2/","scopes":[{"name":"a"}]}`, `model-api-auth0:api.identifier: is the Auth0 Management API of the tenant`},
		{"test users in a protected stack", stackconfig.KeyProtect, "true", `model-api-auth0:testUsers: test users are for dev stacks`},
		// People's applications.
		{"web app without callbacks", stackconfig.KeyWebApp, `{"name":"portal"}`, `model-api-auth0:webApp.callbacks: list at least one: where Auth0 may send people back after login`},
		{"web app misspelled key", stackconfig.KeyWebApp, `{"callbackUrls":["https://m.example.com/cb"]}`, `model-api-auth0:webApp: unknown key "callbackUrls"; did you mean "callbacks"?`},
		{"callback not absolute", stackconfig.KeyWebApp, `{"callbacks":["/callback"]}`, `model-api-auth0:webApp.callbacks[0]: "/callback" is not an absolute URL`},
		{"callback over http", stackconfig.KeyWebApp, `{"callbacks":["http://models.example.com/callback"]}`, `webApp.callbacks[0]: "http://models.example.com/callback": http would send login codes in the clear`},
		{"callback with a wildcard", stackconfig.KeyWebApp, `{"callbacks":["https://*.example.com/callback"]}`, `webApp.callbacks[0]: "https://*.example.com/callback": wildcards are refused`},
		{"callback with a fragment", stackconfig.KeyWebApp, `{"callbacks":["https://m.example.com/callback#x"]}`, `webApp.callbacks[0]: "https://m.example.com/callback#x": a fragment (#...) is refused`},
		{"callback with user info", stackconfig.KeyWebApp, `{"callbacks":["https://m.example.com@evil.example.net/callback"]}`, `a user name or password in the URL is refused`},
		{"callback with a space", stackconfig.KeyWebApp, `{"callbacks":["https://m.example.com/call back"]}`, `webApp.callbacks[0]: "https://m.example.com/call back" contains white space`},
		{"callback of another scheme", stackconfig.KeyWebApp, `{"callbacks":["ftp://m.example.com/callback"]}`, `webApp.callbacks[0]: "ftp://m.example.com/callback": want an https:// URL`},
		{"callback twice", stackconfig.KeyWebApp, `{"callbacks":["https://m.example.com/cb","https://m.example.com/cb"]}`, `webApp.callbacks[https://m.example.com/cb]: callback "https://m.example.com/cb" is declared twice`},
		{"logout URL over http", stackconfig.KeyWebApp, `{"callbacks":["https://m.example.com/cb"],"logoutUrls":["http://m.example.com/"]}`, `webApp.logoutUrls[0]: "http://m.example.com/": http would send login codes in the clear`},
		{"web app organization usage", stackconfig.KeyWebApp, `{"callbacks":["https://m.example.com/cb"],"organizationUsage":"always"}`, `webApp.organizationUsage: "always": want one of deny, allow, require`},
		{"require behavior in camelCase", stackconfig.KeyWebApp, `{"callbacks":["https://m.example.com/cb"],"organizationRequireBehavior":"postLoginPrompt"}`, `webApp.organizationRequireBehavior: "postLoginPrompt": want one of no_prompt, pre_login_prompt, post_login_prompt`},
		{"require behavior without require", stackconfig.KeyCLIApp, `{"callbacks":["http://127.0.0.1:8976/cb"],"organizationUsage":"allow","organizationRequireBehavior":"no_prompt"}`, `cliApp.organizationRequireBehavior: only applies with organizationUsage require`},
		{"web app scope not declared", stackconfig.KeyWebApp, `{"callbacks":["https://m.example.com/cb"],"scopes":["train:models"]}`, `webApp.scopes[0]: scope "train:models" is not declared in model-api-auth0:api.scopes`},
		{"web app with no scopes", stackconfig.KeyWebApp, `{"callbacks":["https://m.example.com/cb"],"scopes":[]}`, `webApp.scopes: grant at least one scope (or leave scopes out for every scope of model-api-auth0:api)`},
		{"web app named like a client", stackconfig.KeyWebApp, `{"name":"batch-scorer","callbacks":["https://m.example.com/cb"]}`, `webApp.name: "batch-scorer" is also the name of a client in model-api-auth0:clients`},
		{"CLI named like the web app", stackconfig.KeyCLIApp, `{"name":"gateway","callbacks":["http://127.0.0.1:8976/cb"]}`, `cliApp.name: "gateway" is also the name of model-api-auth0:webApp`},
		{"web app name with markup", stackconfig.KeyWebApp, `{"name":"<b>","callbacks":["https://m.example.com/cb"]}`, `webApp.name: must not contain < or >`},
		{"CLI callback not on loopback", stackconfig.KeyCLIApp, `{"callbacks":["https://cli.example.com/callback"]}`, `cliApp.callbacks[0]: "https://cli.example.com/callback": the command-line client receives the login on this machine`},
		{"CLI callback without a port", stackconfig.KeyCLIApp, `{"callbacks":["http://127.0.0.1/callback"]}`, `cliApp.callbacks[0]: "http://127.0.0.1/callback": give the port`},
		{"CLI without callbacks", stackconfig.KeyCLIApp, `{"scopes":["read:models"]}`, `cliApp.callbacks: list at least one: where Auth0 may send people back after login, such as http://127.0.0.1:8976/callback`},
		// Tenant settings.
		{"resource parameter profile", stackconfig.KeyTenant, `{"resourceParameterProfile":"resource"}`, `model-api-auth0:tenant.resourceParameterProfile: "resource": want audience (Auth0's default) or compatibility`},
		{"tenant misspelled key", stackconfig.KeyTenant, `{"resourceParamProfile":"compatibility"}`, `model-api-auth0:tenant: unknown key "resourceParamProfile"; did you mean "resourceParameterProfile"?`},
		{"tenant flag not a bool", stackconfig.KeyTenant, `{"enableClientConnections":"no"}`, `model-api-auth0:tenant.enableClientConnections: want true or false`},
		// M2M clients and organizations.
		{"client organization unknown", stackconfig.KeyClients, `[{"name":"c","scopes":["read:models"],"organizationUsage":"allow","organizations":["initech"]}]`, `clients[c].organizations[0]: organization "initech" is not declared in model-api-auth0:organizations`},
		{"client organizations with deny", stackconfig.KeyClients, `[{"name":"c","scopes":["read:models"],"organizations":["acme"]}]`, `clients[c].organizations: need organizationUsage allow or require`},
		{"client organizations with any", stackconfig.KeyClients, `[{"name":"c","scopes":["read:models"],"organizationUsage":"allow","allowAnyOrganization":true,"organizations":["acme"]}]`, `clients[c].organizations: allowAnyOrganization already lets the client use every organization`},
		{"client requires an organization it has not", stackconfig.KeyClients, `[{"name":"c","scopes":["read:models"],"organizationUsage":"require"}]`, `clients[c].organizations: organizationUsage require with no organization: the client could never get a token; list the organizations it works for`},
		{"client organization twice", stackconfig.KeyClients, `[{"name":"c","scopes":["read:models"],"organizationUsage":"allow","organizations":["acme","acme"]}]`, `clients[c].organizations[acme]: organization "acme" is declared twice`},
	}
	require.GreaterOrEqual(t, len(cases), 40, "invalid configurations")
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			raw := stackconfigtest.Base()
			raw[stackconfig.KeyOrganizations] = `[]` // members of the base config reference roles some cases remove
			if c.value == "\x00" {
				delete(raw, c.key)
			} else {
				raw[c.key] = c.value
			}
			cfg, err := stackconfig.Load(raw, nil)
			require.ErrorIs(t, err, stackconfig.ErrInvalidConfig)
			assert.Nil(t, cfg)
			assert.Contains(t, err.Error(), c.want)
			assert.NotContains(t, err.Error(), stackconfigtest.Password, "the error shows the password")
		})
	}
}

// Every problem is reported at once, not just the first.
func TestInvalidConfigReportsEveryProblem(t *testing.T) {
	raw := stackconfigtest.Base()
	raw[stackconfig.KeyClients] = `[{"name":"c","scopes":["nope"]}]`
	raw[stackconfig.KeyConnection] = `{"name":"bad name","passwordPolicy":"x"}`
	delete(raw, stackconfig.KeyDomain)
	_, err := stackconfig.Load(raw, nil)
	var verr *stackconfig.ValidationError
	require.ErrorAs(t, err, &verr)
	var got []string
	for _, p := range verr.Problems {
		got = append(got, p.Path)
	}
	assert.Equal(t, []string{"auth0:domain", "model-api-auth0:connection.name", "model-api-auth0:connection.passwordPolicy", "model-api-auth0:clients[c].scopes[0]"}, got)
}

func TestDomainFromEnvironment(t *testing.T) {
	raw := stackconfigtest.Base()
	delete(raw, stackconfig.KeyDomain)
	env := func(k string) (string, bool) {
		if k == "AUTH0_DOMAIN" {
			return "env.eu.auth0.com", true
		}
		return "", false
	}
	cfg, err := stackconfig.Load(raw, env)
	require.NoError(t, err)
	assert.Equal(t, "env.eu.auth0.com", cfg.Domain, "the domain from AUTH0_DOMAIN")
}

// Test users are created by `pulumi up`; a password Auth0 would refuse
// fails here instead, for each policy.
func TestTestUserPasswordPolicies(t *testing.T) {
	cases := []struct{ policy, password, want string }{
		{"none", "x", ""},
		{"low", "abcde", "at least 6 characters"},
		{"low", "abcdef", ""},
		{"fair", "abcdefgh1", "a lower-case letter, an upper-case letter and a digit"},
		{"fair", "Abcdefg1", ""},
		{"good", "abcdefg1", "3 of these"},
		{"good", "abcdef-1", ""},
		{"excellent", "Abcdefg-1", "at least 10 characters"},
		{"excellent", "Abcdefff-12", "no more than 2 identical characters in a row"},
		{"excellent", "Abcdeff-123", ""},
	}
	for _, c := range cases {
		raw := stackconfigtest.Base()
		raw[stackconfig.KeyConnection] = `{"name":"model-users","passwordPolicy":"` + c.policy + `"}`
		raw[stackconfig.KeyTestUserPassword] = c.password
		_, err := stackconfig.Load(raw, nil)
		if c.want == "" {
			assert.NoError(t, err, "%s %q", c.policy, c.password)
			continue
		}
		if assert.Error(t, err, "%s %q", c.policy, c.password) {
			assert.Contains(t, err.Error(), c.want, "%s %q", c.policy, c.password)
			assert.NotContains(t, err.Error(), c.password, "the error shows the password")
		}
	}
}

// An unknown key does not hide the other problems of its object; a value of
// the wrong kind is reported once, not again by the checks of what it holds.
func TestDecodeProblemsDoNotHideOrRepeat(t *testing.T) {
	raw := stackconfigtest.Base()
	raw[stackconfig.KeyClients] = `[{"name":"batch-scorer","scopes":["invoke:models","train:models"],"organisationUsage":"allow"}]`
	raw[stackconfig.KeyAPI] = `{"name":"Model API","identifier":"https://models.example.com/","tokenLifetime":"1h","scopes":[{"name":"read:models"},{"name":"invoke:models"}]}`
	_, err := stackconfig.Load(raw, nil)
	var verr *stackconfig.ValidationError
	require.ErrorAs(t, err, &verr)
	var got []string
	for _, p := range verr.Problems {
		got = append(got, p.String())
	}
	assert.Equal(t, []string{
		`model-api-auth0:api.tokenLifetime: want a whole number, got the string "1h"`,
		`model-api-auth0:clients[batch-scorer]: unknown key "organisationUsage"; did you mean "organizationUsage"?`,
		`model-api-auth0:clients[batch-scorer].scopes[1]: scope "train:models" is not declared in model-api-auth0:api.scopes (declared: invoke:models, read:models)`,
	}, got)
}
