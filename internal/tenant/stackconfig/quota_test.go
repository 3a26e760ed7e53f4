package stackconfig_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/model-api-auth0/model-api-auth0/internal/tenant/stackconfig"
	"github.com/model-api-auth0/model-api-auth0/internal/tenant/stackconfig/stackconfigtest"
)

// withQuotas is the base configuration with a token quota in each place
// one goes: a client, an organization and the tenant's defaults.
func withQuotas() map[string]string {
	raw := stackconfigtest.Base()
	raw[stackconfig.KeyClients] = `[{"name":"batch-scorer","scopes":["invoke:models"],"tokenQuota":{"clientCredentials":{"enforce":true,"perHour":10,"perDay":100}}}]`
	raw[stackconfig.KeyOrganizations] = `[{"name":"acme","displayName":"Acme","tokenQuota":{"clientCredentials":{"perDay":"500"}}}]`
	raw[stackconfig.KeyTenant] = `{"defaultTokenQuota":{"clients":{"clientCredentials":{"enforce":false,"perHour":50}},"organizations":{"clientCredentials":{"perDay":1000}}}}`
	return raw
}

func TestTokenQuotas(t *testing.T) {
	cfg, err := stackconfig.Load(withQuotas(), nil)
	require.NoError(t, err)
	q := cfg.Clients[0].TokenQuota.ClientCredentials
	assert.Equal(t, true, *q.Enforce)
	assert.Equal(t, 10, *q.PerHour)
	assert.Equal(t, 100, *q.PerDay)
	o := cfg.Organizations[0].TokenQuota.ClientCredentials
	assert.Equal(t, 500, *o.PerDay, "a number as `pulumi config set --path` stores it, a string")
	assert.Nil(t, o.PerHour)
	assert.Nil(t, o.Enforce, "unset: Auth0's default")
	require.NotNil(t, cfg.Tenant, "a default quota alone declares tenant settings")
	assert.Equal(t, 50, *cfg.Tenant.DefaultTokenQuota.Clients.ClientCredentials.PerHour)
	assert.Equal(t, 1000, *cfg.Tenant.DefaultTokenQuota.Organizations.ClientCredentials.PerDay)

	raw := stackconfigtest.Base()
	raw[stackconfig.KeyTenant] = `{"defaultTokenQuota":{"clients":{"clientCredentials":{"perDay":1}}}}`
	cfg, err = stackconfig.Load(raw, nil)
	require.NoError(t, err)
	assert.Nil(t, cfg.Tenant.DefaultTokenQuota.Organizations)
}

// Every bad quota, at its key path, all at once.
func TestInvalidTokenQuotas(t *testing.T) {
	cases := []struct{ name, key, value, want string }{
		{"zero per hour", stackconfig.KeyClients, `[{"name":"c","scopes":["read:models"],"tokenQuota":{"clientCredentials":{"perHour":0}}}]`,
			`model-api-auth0:clients[c].tokenQuota.clientCredentials.perHour: is 0; want a positive number of tokens (remove it for no limit)`},
		{"negative per day", stackconfig.KeyOrganizations, `[{"name":"acme","displayName":"A","tokenQuota":{"clientCredentials":{"perDay":-5}}}]`,
			`model-api-auth0:organizations[acme].tokenQuota.clientCredentials.perDay: is -5; want a positive number`},
		{"no limit", stackconfig.KeyClients, `[{"name":"c","scopes":["read:models"],"tokenQuota":{"clientCredentials":{"enforce":true}}}]`,
			`model-api-auth0:clients[c].tokenQuota.clientCredentials: set perHour, perDay or both`},
		{"no client credentials", stackconfig.KeyClients, `[{"name":"c","scopes":["read:models"],"tokenQuota":{}}]`,
			`model-api-auth0:clients[c].tokenQuota.clientCredentials: required: {perHour, perDay, enforce}`},
		{"hourly above daily", stackconfig.KeyClients, `[{"name":"c","scopes":["read:models"],"tokenQuota":{"clientCredentials":{"perHour":200,"perDay":100}}}]`,
			`model-api-auth0:clients[c].tokenQuota.clientCredentials.perHour: is 200, more than perDay (100)`},
		{"fractional limit", stackconfig.KeyClients, `[{"name":"c","scopes":["read:models"],"tokenQuota":{"clientCredentials":{"perHour":1.5}}}]`,
			`model-api-auth0:clients[c].tokenQuota.clientCredentials.perHour: want a whole number`},
		{"enforce not a bool", stackconfig.KeyClients, `[{"name":"c","scopes":["read:models"],"tokenQuota":{"clientCredentials":{"perHour":1,"enforce":"yes"}}}]`,
			`model-api-auth0:clients[c].tokenQuota.clientCredentials.enforce: want true or false`},
		{"misspelled limit", stackconfig.KeyClients, `[{"name":"c","scopes":["read:models"],"tokenQuota":{"clientCredentials":{"perHours":1}}}]`,
			`model-api-auth0:clients[c].tokenQuota.clientCredentials: unknown key "perHours"; did you mean "perHour"?`},
		{"camelCase of the wrong level", stackconfig.KeyClients, `[{"name":"c","scopes":["read:models"],"tokenQuota":{"client_credentials":{"perHour":1}}}]`,
			`model-api-auth0:clients[c].tokenQuota: unknown key "client_credentials"; did you mean "clientCredentials"?`},
		{"empty default", stackconfig.KeyTenant, `{"defaultTokenQuota":{}}`,
			`model-api-auth0:tenant.defaultTokenQuota: set clients or organizations`},
		{"bad default", stackconfig.KeyTenant, `{"defaultTokenQuota":{"organizations":{"clientCredentials":{"perDay":0}}}}`,
			`model-api-auth0:tenant.defaultTokenQuota.organizations.clientCredentials.perDay: is 0`},
		{"misspelled default", stackconfig.KeyTenant, `{"defaultTokenQuota":{"client":{}}}`,
			`model-api-auth0:tenant.defaultTokenQuota: unknown key "client"; did you mean "clients"?`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			raw := stackconfigtest.Base()
			raw[c.key] = c.value
			if c.key != stackconfig.KeyOrganizations {
				raw[stackconfig.KeyOrganizations] = `[]`
			}
			_, err := stackconfig.Load(raw, nil)
			require.ErrorIs(t, err, stackconfig.ErrInvalidConfig)
			assert.Contains(t, err.Error(), c.want)
		})
	}

	raw := withQuotas()
	raw[stackconfig.KeyClients] = `[{"name":"c","scopes":["read:models"],"tokenQuota":{"clientCredentials":{"perHour":0,"perDay":-1}}}]`
	raw[stackconfig.KeyTenant] = `{"defaultTokenQuota":{"clients":{}}}`
	assert.Equal(t, []string{
		"model-api-auth0:clients[c].tokenQuota.clientCredentials.perHour",
		"model-api-auth0:clients[c].tokenQuota.clientCredentials.perDay",
		"model-api-auth0:tenant.defaultTokenQuota.clients.clientCredentials",
	}, problemPaths(t, raw))
}
