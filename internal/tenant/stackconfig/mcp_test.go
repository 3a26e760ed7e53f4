package stackconfig_test

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/model-api-auth0/model-api-auth0/internal/tenant/stackconfig"
	"github.com/model-api-auth0/model-api-auth0/internal/tenant/stackconfig/stackconfigtest"
)

// Base's API identifier, which mcp.publicUrl must equal.
const basePublicURL = "https://models.example.com/"

// mcp declares agents, and everything it takes holds: the identifier is
// the public URL, the tenant takes the resource parameter.
func TestMCPShape(t *testing.T) {
	for name, c := range map[string]struct {
		mcp  string
		want *stackconfig.MCPConfig
	}{
		"declared":                  {`{"publicUrl":"` + basePublicURL + `"}`, &stackconfig.MCPConfig{PublicURL: basePublicURL}},
		"empty object, the default": {`{}`, nil},
		"absent":                    {"", nil},
	} {
		t.Run(name, func(t *testing.T) {
			raw := stackconfigtest.Base()
			if c.mcp != "" {
				raw[stackconfig.KeyMCP] = c.mcp
			}
			cfg, err := stackconfig.Load(raw, nil)
			require.NoError(t, err)
			assert.Equal(t, c.want, cfg.MCP)
		})
	}
}

// What mcp takes and the stack lacks is listed at once, each problem at its
// key path with what to set; without mcp, the same stack is fine (agents
// are not expected: the gateway only warns).
func TestMCPProblems(t *testing.T) {
	for _, c := range []struct {
		name       string
		mcp        string
		identifier string // "": Base's
		tenant     string // "\x00": no tenant settings
		want       []string
	}{
		{"identifier and profile", `{"publicUrl":"https://agents.example.com/"}`, "", "\x00", []string{
			`model-api-auth0:api.identifier: "https://models.example.com/" is not model-api-auth0:mcp.publicUrl "https://agents.example.com/": MCP clients refuse metadata whose resource (the identifier) is not the URL they call (RFC 9728 section 3.3); set the identifier to "https://agents.example.com/"`,
			`model-api-auth0:tenant.resourceParameterProfile: is unset (audience, Auth0's default): model-api-auth0:mcp needs compatibility, since MCP clients send the resource parameter and no audience (set model-api-auth0:tenant: {resourceParameterProfile: compatibility})`,
		}},
		{"profile audience", `{"publicUrl":"` + basePublicURL + `"}`, "", `{"resourceParameterProfile":"audience"}`, []string{
			`model-api-auth0:tenant.resourceParameterProfile: is "audience": model-api-auth0:mcp needs compatibility`,
		}},
		{"trailing slash differs", `{"publicUrl":"https://models.example.com"}`, "", "", []string{
			`model-api-auth0:api.identifier: "https://models.example.com/" is not model-api-auth0:mcp.publicUrl "https://models.example.com"`,
		}},
		{"with a path", `{"publicUrl":"https://models.example.com/v1"}`, "", "", []string{
			`model-api-auth0:mcp.publicUrl: "https://models.example.com/v1": want the gateway's base URL, with a host and no path, query or fragment`,
		}},
		{"over http", `{"publicUrl":"http://models.example.com/"}`, "http://models.example.com/", "", []string{
			`model-api-auth0:mcp.publicUrl: "http://models.example.com/": want https (http only for a loopback host`,
		}},
		{"not a URL", `{"publicUrl":"models.example.com"}`, "", "", []string{
			`model-api-auth0:mcp.publicUrl: "models.example.com": want the gateway's base URL`,
		}},
		{"misspelled key", `{"publicURL":"` + basePublicURL + `"}`, "", "", []string{
			`model-api-auth0:mcp: unknown key "publicURL"; did you mean "publicUrl"?`,
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			raw := stackconfigtest.Base()
			raw[stackconfig.KeyMCP] = c.mcp
			if c.identifier != "" {
				raw[stackconfig.KeyAPI] = stackconfigtest.JSON(map[string]any{"name": "Model API", "identifier": c.identifier,
					"scopes": []any{map[string]any{"name": "read:models"}, map[string]any{"name": "invoke:models"}}})
			}
			if c.tenant == "\x00" {
				delete(raw, stackconfig.KeyTenant)
			} else if c.tenant != "" {
				raw[stackconfig.KeyTenant] = c.tenant
			}
			_, err := stackconfig.Load(raw, nil)
			require.ErrorIs(t, err, stackconfig.ErrInvalidConfig)
			var verr *stackconfig.ValidationError
			require.True(t, errors.As(err, &verr))
			require.Len(t, verr.Problems, len(c.want), "%v", err)
			for _, w := range c.want {
				assert.Contains(t, err.Error(), w)
			}

			delete(raw, stackconfig.KeyMCP)
			if c.name != "misspelled key" && c.name != "over http" {
				_, err = stackconfig.Load(raw, nil)
				assert.NoError(t, err, "without mcp, agents are not expected")
			}
		})
	}
}
