package tenant_test

import (
	"encoding/json"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/stretchr/testify/require"

	tenant "github.com/model-api-auth0/model-api-auth0"
	"github.com/model-api-auth0/model-api-auth0/internal/plan"
	"github.com/model-api-auth0/model-api-auth0/internal/recorder"
	"github.com/model-api-auth0/model-api-auth0/internal/stackconfig"
)

var stacks = []string{"dev", "staging", "prod"}

// stackConfig reads Pulumi.<stack>.yaml as the engine would pass it, with
// the test user password a dev stack keeps encrypted.
func stackConfig(t testing.TB, stack string) map[string]string {
	t.Helper()
	cfg, err := stackconfig.Load(".", stack)
	require.NoError(t, err)
	if stack == "dev" {
		cfg.Values[tenant.KeyTestUserPassword] = "correct-Horse-battery-9"
	}
	return cfg.Values
}

// baseConfig is a small valid configuration that tests mutate.
func baseConfig() map[string]string {
	return map[string]string{
		tenant.KeyDomain: "example.us.auth0.com",
		tenant.KeyAPI: mustJSON(map[string]any{
			"name": "Model API", "identifier": "https://models.example.com/",
			"scopes": []any{
				map[string]any{"name": "read:models", "description": "List models"},
				map[string]any{"name": "invoke:models", "description": "Run inference"},
			},
		}),
		tenant.KeyRoles: mustJSON([]any{
			map[string]any{"name": "model-user", "permissions": []any{"read:models", "invoke:models"}},
			map[string]any{"name": "model-viewer", "permissions": []any{"read:models"}},
		}),
		tenant.KeyConnection:       `{"name":"model-users"}`,
		tenant.KeyTestUsers:        `[{"email":"alice@acme.example.com"}]`,
		tenant.KeyTestUserPassword: "correct-Horse-battery-9",
		tenant.KeyOrganizations: mustJSON([]any{
			map[string]any{"name": "acme", "displayName": "Acme", "branding": map[string]any{"logoUrl": "https://acme.example.com/l.png", "primaryColor": "#112233"},
				"members": []any{
					map[string]any{"email": "alice@acme.example.com", "roles": []any{"model-user"}},
					map[string]any{"userId": "auth0|abc123", "roles": []any{"model-viewer", "model-user"}},
				}},
			map[string]any{"name": "globex", "displayName": "Globex", "connections": []any{"con_external01"}},
		}),
		tenant.KeyClients: mustJSON([]any{
			map[string]any{"name": "batch-scorer", "scopes": []any{"invoke:models"}},
			map[string]any{"name": "catalog", "scopes": []any{"read:models"}, "organizationUsage": "allow"},
		}),
		tenant.KeyWebApp: mustJSON(map[string]any{
			"callbacks":  []any{"https://models.example.com/callback", "http://localhost:8080/callback"},
			"logoutUrls": []any{"https://models.example.com/"},
		}),
		tenant.KeyCLIApp: `{"callbacks":["http://127.0.0.1:8976/callback"],"scopes":["read:models"],"organizationUsage":"allow"}`,
		tenant.KeyTenant: `{"resourceParameterProfile":"compatibility"}`,
	}
}

func mustJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}

func evaluate(t testing.TB, stack string, raw map[string]string) *plan.Plan {
	t.Helper()
	p, err := plan.Evaluate(stack, raw)
	require.NoError(t, err, "evaluate %s", stack)
	return p
}

func find(t testing.TB, p *plan.Plan, name string) *recorder.Resource {
	t.Helper()
	for _, r := range p.Resources {
		if r.Name == name {
			return r
		}
	}
	require.FailNow(t, "no resource named "+name+" was registered")
	return nil
}

// input returns a recorded input as plain Go values (secrets unwrapped).
func input(r *recorder.Resource, key string) any {
	v, ok := r.Inputs[resource.PropertyKey(key)]
	if !ok {
		return nil
	}
	return v.Mappable()
}

// reverseLists reverses every list inside a JSON config value.
func reverseLists(raw string) string {
	var v any
	if json.Unmarshal([]byte(raw), &v) != nil {
		return raw // a plain string value
	}
	var walk func(any) any
	walk = func(v any) any {
		switch v := v.(type) {
		case []any:
			out := make([]any, len(v))
			for i, e := range v {
				out[len(v)-1-i] = walk(e)
			}
			return out
		case map[string]any:
			for k, e := range v {
				v[k] = walk(e)
			}
		}
		return v
	}
	return mustJSON(walk(v))
}
