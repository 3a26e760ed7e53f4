package stackconfig_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/model-api-auth0/model-api-auth0/internal/tenant/stackconfig"
	"github.com/model-api-auth0/model-api-auth0/internal/tenant/stackconfig/stackconfigtest"
)

// withModels is the base configuration serving two models, given to a
// role and a client.
func withModels() map[string]string {
	raw := stackconfigtest.Base()
	raw[stackconfig.KeyModels] = `[{"name":"meta-llama/Llama-3.1-8B-Instruct","description":"Llama 3.1 8B"},{"name":"echo-small"}]`
	raw[stackconfig.KeyRoles] = `[{"name":"model-user","permissions":["read:models","invoke:models"],"models":["echo-small"]},{"name":"model-viewer","permissions":["read:models"]}]`
	raw[stackconfig.KeyClients] = `[{"name":"batch-scorer","scopes":["invoke:models"],"models":["meta-llama/Llama-3.1-8B-Instruct","echo-small"]}]`
	return raw
}

// A model is a scope of the API, and a permission of the roles and a
// scope of the grants that name it, after their own scopes.
func TestModelsArePermissions(t *testing.T) {
	cfg, err := stackconfig.Load(withModels(), nil)
	require.NoError(t, err)
	assert.Equal(t, []string{"meta-llama/Llama-3.1-8B-Instruct", "echo-small"}, cfg.ModelNames())
	assert.Equal(t, []stackconfig.ScopeConfig{
		{Name: "read:models", Description: "List models"},
		{Name: "invoke:models", Description: "Run inference"},
		{Name: "model:meta-llama/Llama-3.1-8B-Instruct", Description: "Llama 3.1 8B"},
		{Name: "model:echo-small", Description: "Call the model echo-small"},
	}, cfg.APIScopes())
	assert.Equal(t, []string{"read:models", "invoke:models", "model:echo-small"}, cfg.Roles[0].Grants())
	assert.Equal(t, []string{"read:models"}, cfg.Roles[1].Grants())
	assert.Equal(t, []string{"invoke:models", "model:meta-llama/Llama-3.1-8B-Instruct", "model:echo-small"}, cfg.Clients[0].Grants())
	assert.Equal(t, []string{"read:models"}, cfg.Roles[1].Permissions, "Grants does not change the declaration")
}

// A stack without models has the API scopes it declares, and no more.
func TestNoModels(t *testing.T) {
	cfg, err := stackconfig.Load(stackconfigtest.Base(), nil)
	require.NoError(t, err)
	assert.Empty(t, cfg.ModelNames())
	assert.Equal(t, cfg.API.Scopes, cfg.APIScopes())
	assert.Equal(t, cfg.Clients[0].Scopes, cfg.Clients[0].Grants())
}

// Every bad model, and every bad reference to one, at its key path.
func TestInvalidModels(t *testing.T) {
	cases := []struct {
		name, key, value string
		base             func() map[string]string
		want             string
	}{
		{"model with a space", stackconfig.KeyModels, `[{"name":"echo small"}]`, withModels,
			`model-api-auth0:models[echo small].name: not a usable model name: ' ' is not allowed`},
		{"model without a name", stackconfig.KeyModels, `[{"description":"d"}]`, withModels,
			`model-api-auth0:models[0].name: not a usable model name: it is empty`},
		{"model name too long", stackconfig.KeyModels, `[{"name":"` + strings.Repeat("m", 201) + `"}]`, withModels,
			`not a usable model name: 201 characters, at most 200`},
		{"model declared twice", stackconfig.KeyModels, `[{"name":"echo-small"},{"name":"echo-small"}]`, withModels,
			`model-api-auth0:models[echo-small]: model "echo-small" is declared twice`},
		{"model description too long", stackconfig.KeyModels, `[{"name":"m","description":"` + strings.Repeat("d", 501) + `"}]`, withModels,
			`model-api-auth0:models[m].description: is 501 characters; Auth0 allows at most 500`},
		{"model misspelled key", stackconfig.KeyModels, `[{"name":"m","descripton":"d"}]`, withModels,
			`model-api-auth0:models[m]: unknown key "descripton"; did you mean "description"?`},
		{"model permission also a scope", stackconfig.KeyAPI, `{"name":"n","identifier":"https://m.example.com/","scopes":[{"name":"read:models"},{"name":"invoke:models"},{"name":"model:echo-small"}]}`, withModels,
			`model-api-auth0:models[echo-small].name: its permission "model:echo-small" is also declared in model-api-auth0:api.scopes; remove that scope`},
		{"role model misspelled", stackconfig.KeyRoles, `[{"name":"r","permissions":["read:models"],"models":["echo-smal"]}]`, withModels,
			`model-api-auth0:roles[r].models[0]: model "echo-smal" is not declared in model-api-auth0:models; did you mean "echo-small"? (declared: echo-small, meta-llama/Llama-3.1-8B-Instruct)`},
		{"role model twice", stackconfig.KeyRoles, `[{"name":"r","permissions":["read:models"],"models":["echo-small","echo-small"]}]`, withModels,
			`model-api-auth0:roles[r].models[echo-small]: model "echo-small" is declared twice`},
		{"client model unknown", stackconfig.KeyClients, `[{"name":"c","scopes":["read:models"],"models":["gpt-9"]}]`, withModels,
			`model-api-auth0:clients[c].models[0]: model "gpt-9" is not declared in model-api-auth0:models (declared: echo-small, meta-llama/Llama-3.1-8B-Instruct)`},
		{"client model twice", stackconfig.KeyClients, `[{"name":"c","scopes":["read:models"],"models":["echo-small","echo-small"]}]`, withModels,
			`model-api-auth0:clients[c].models[echo-small]: model "echo-small" is declared twice`},
		{"role models without declared models", stackconfig.KeyRoles, `[{"name":"r","permissions":["read:models"],"models":["echo-small"]}]`, stackconfigtest.Base,
			`model-api-auth0:roles[r].models: the stack declares no models; declare them in model-api-auth0:models as [{name, description}], or remove this list`},
		{"client models without declared models", stackconfig.KeyClients, `[{"name":"c","scopes":["read:models"],"models":["echo-small"]}]`, stackconfigtest.Base,
			`model-api-auth0:clients[c].models: the stack declares no models`},
		{"model permission among scopes", stackconfig.KeyClients, `[{"name":"c","scopes":["read:models","model:echo-small"]}]`, withModels,
			`model-api-auth0:clients[c].scopes[1]: scope "model:echo-small" is not declared in model-api-auth0:api.scopes (declared: invoke:models, read:models); to give the model echo-small, list it in models: [echo-small] instead`},
		{"models not a list", stackconfig.KeyModels, `{"name":"m"}`, withModels, `model-api-auth0:models: want a list, got an object`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			raw := c.base()
			raw[stackconfig.KeyOrganizations] = `[]` // members of the base config reference roles some cases remove
			raw[c.key] = c.value
			_, err := stackconfig.Load(raw, nil)
			require.ErrorIs(t, err, stackconfig.ErrInvalidConfig)
			assert.Contains(t, err.Error(), c.want)
		})
	}
}

// Every problem of the models is reported at once.
func TestInvalidModelsAllAtOnce(t *testing.T) {
	raw := withModels()
	raw[stackconfig.KeyModels] = `[{"name":"echo small"},{"name":"echo-small"},{"name":"echo-small"}]`
	raw[stackconfig.KeyRoles] = `[{"name":"r","permissions":["read:models"],"models":["echo-smal"]}]`
	raw[stackconfig.KeyOrganizations] = `[]`
	raw[stackconfig.KeyClients] = `[{"name":"c","scopes":["read:models"],"models":["gpt-9","echo-small","echo-small"]}]`
	assert.Equal(t, []string{
		"model-api-auth0:models[echo small].name",
		"model-api-auth0:models[echo-small]",
		"model-api-auth0:roles[r].models[0]",
		"model-api-auth0:clients[c].models[0]",
		"model-api-auth0:clients[c].models[echo-small]",
	}, problemPaths(t, raw))
}

// problemPaths loads raw, which must be invalid, and returns the path of
// each problem, in order.
func problemPaths(t *testing.T, raw map[string]string) []string {
	t.Helper()
	_, err := stackconfig.Load(raw, nil)
	var verr *stackconfig.ValidationError
	require.ErrorAs(t, err, &verr)
	var got []string
	for _, p := range verr.Problems {
		got = append(got, p.Path)
	}
	return got
}
