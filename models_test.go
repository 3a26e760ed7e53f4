package main

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/model-api-auth0/model-api-auth0/internal/tenant/stackconfig"
	"github.com/model-api-auth0/model-api-auth0/internal/tenant/stackoutputs"
)

// withModels serves two models: model-user may call one, batch-scorer both.
func withModels() map[string]string {
	raw := baseConfig()
	raw[stackconfig.KeyModels] = `[{"name":"echo-small","description":"The small echo model"},{"name":"echo-large"}]`
	raw[stackconfig.KeyRoles] = `[{"name":"model-user","permissions":["read:models","invoke:models"],"models":["echo-small"]},{"name":"model-viewer","permissions":["read:models"]}]`
	raw[stackconfig.KeyClients] = `[{"name":"batch-scorer","scopes":["invoke:models"],"models":["echo-small","echo-large"]},{"name":"catalog","scopes":["read:models"],"organizationUsage":"allow"}]`
	return raw
}

// Each model is a scope of the API, a permission of the roles and a scope
// of the grants that name it; the applications people log in through can
// carry every model, which their roles then decide.
func TestModelsAreScopesAndGrants(t *testing.T) {
	p := evaluate(t, "test", withModels())
	assert.Equal(t, []any{
		map[string]any{"name": "read:models", "description": "List models"},
		map[string]any{"name": "invoke:models", "description": "Run inference"},
		map[string]any{"name": "model:echo-small", "description": "The small echo model"},
		map[string]any{"name": "model:echo-large", "description": "Call the model echo-large"},
	}, input(find(t, p, "api-scopes"), "scopes"))

	var perms []any
	for _, p := range input(find(t, p, "role-model-user-permissions"), "permissions").([]any) {
		perms = append(perms, p.(map[string]any)["name"])
	}
	assert.Equal(t, []any{"read:models", "invoke:models", "model:echo-small"}, perms)
	assert.Len(t, input(find(t, p, "role-model-viewer-permissions"), "permissions"), 1, "a role without models gets none")

	assert.Equal(t, []any{"invoke:models", "model:echo-small", "model:echo-large"}, input(find(t, p, "client-batch-scorer-grant"), "scopes"))
	assert.Equal(t, []any{"read:models"}, input(find(t, p, "client-catalog-grant"), "scopes"))
	assert.Equal(t, []any{"read:models", "invoke:models", "model:echo-small", "model:echo-large"}, input(find(t, p, "web-app-grant"), "scopes"))
	assert.Equal(t, []any{"read:models", "model:echo-small", "model:echo-large"}, input(find(t, p, "cli-app-grant"), "scopes"))

	assert.Equal(t, []any{"echo-small", "echo-large"}, p.Exports[stackoutputs.KeyModels].Value, "the declared models, in order")
}

// A stack without models exports no models key: its outputs are as before.
func TestNoModelsNoOutput(t *testing.T) {
	p := evaluate(t, "test", baseConfig())
	assert.NotContains(t, p.Exports, stackoutputs.KeyModels)
}

// Token quotas reach the client, the organization and the tenant in the
// provider's shape; unset limits stay unset.
func TestTokenQuotaInputs(t *testing.T) {
	raw := baseConfig()
	raw[stackconfig.KeyClients] = `[{"name":"batch-scorer","scopes":["invoke:models"],"tokenQuota":{"clientCredentials":{"enforce":true,"perHour":10,"perDay":100}}}]`
	raw[stackconfig.KeyOrganizations] = `[{"name":"acme","displayName":"Acme","tokenQuota":{"clientCredentials":{"perDay":500}}}]`
	raw[stackconfig.KeyTenant] = `{"defaultTokenQuota":{"clients":{"clientCredentials":{"enforce":false,"perHour":50}}}}`
	p := evaluate(t, "test", raw)
	assert.Equal(t, map[string]any{"clientCredentials": map[string]any{"enforce": true, "perHour": 10.0, "perDay": 100.0}},
		input(find(t, p, "client-batch-scorer"), "tokenQuota"))
	assert.Equal(t, map[string]any{"clientCredentials": map[string]any{"perDay": 500.0}},
		input(find(t, p, "org-acme"), "tokenQuota"))
	assert.Equal(t, map[string]any{"defaultTokenQuota": map[string]any{"clients": map[string]any{"clientCredentials": map[string]any{"enforce": false, "perHour": 50.0}}}},
		find(t, p, "tenant").Inputs.Mappable(), "a default quota alone declares the tenant settings")

	p = evaluate(t, "test", baseConfig())
	for _, name := range []string{"client-batch-scorer", "org-acme"} {
		require.NotContains(t, find(t, p, name).Inputs.Mappable(), "tokenQuota", "%s: no quota unless declared", name)
	}
}
