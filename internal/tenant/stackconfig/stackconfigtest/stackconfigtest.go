// Package stackconfigtest holds the small valid stack configuration that the
// tests of the configuration and of the program mutate.
package stackconfigtest

import (
	"encoding/json"

	"github.com/model-api-auth0/model-api-auth0/internal/tenant/stackconfig"
)

// Password is the test users' password in Base.
const Password = "correct-Horse-battery-9"

// Base is a small valid configuration, as the engine passes it: two scopes,
// two roles, a test user, two organizations (one with members), two M2M
// clients, both people's applications and tenant settings.
func Base() map[string]string {
	return map[string]string{
		stackconfig.KeyDomain: "example.us.auth0.com",
		stackconfig.KeyAPI: JSON(map[string]any{
			"name": "Model API", "identifier": "https://models.example.com/",
			"scopes": []any{
				map[string]any{"name": "read:models", "description": "List models"},
				map[string]any{"name": "invoke:models", "description": "Run inference"},
			},
		}),
		stackconfig.KeyRoles: JSON([]any{
			map[string]any{"name": "model-user", "permissions": []any{"read:models", "invoke:models"}},
			map[string]any{"name": "model-viewer", "permissions": []any{"read:models"}},
		}),
		stackconfig.KeyConnection:       `{"name":"model-users"}`,
		stackconfig.KeyTestUsers:        `[{"email":"alice@acme.example.com"}]`,
		stackconfig.KeyTestUserPassword: Password,
		stackconfig.KeyOrganizations: JSON([]any{
			map[string]any{"name": "acme", "displayName": "Acme", "branding": map[string]any{"logoUrl": "https://acme.example.com/l.png", "primaryColor": "#112233"},
				"members": []any{
					map[string]any{"email": "alice@acme.example.com", "roles": []any{"model-user"}},
					map[string]any{"userId": "auth0|abc123", "roles": []any{"model-viewer", "model-user"}},
				}},
			map[string]any{"name": "globex", "displayName": "Globex", "connections": []any{"con_external01"}},
		}),
		stackconfig.KeyClients: JSON([]any{
			map[string]any{"name": "batch-scorer", "scopes": []any{"invoke:models"}},
			map[string]any{"name": "catalog", "scopes": []any{"read:models"}, "organizationUsage": "allow"},
		}),
		stackconfig.KeyWebApp: JSON(map[string]any{
			"callbacks":  []any{"https://models.example.com/callback", "http://localhost:8080/callback"},
			"logoutUrls": []any{"https://models.example.com/"},
		}),
		stackconfig.KeyCLIApp: `{"callbacks":["http://127.0.0.1:8976/callback"],"scopes":["read:models"],"organizationUsage":"allow"}`,
		stackconfig.KeyTenant: `{"resourceParameterProfile":"compatibility"}`,
	}
}

// JSON is v as a config value holds it; it panics on what JSON cannot hold.
func JSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}
