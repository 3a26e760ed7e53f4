package gateway

import (
	"bytes"
	"log/slog"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// With agents expected, a public URL that is not the API identifier stops
// the start, naming both values and what to change; without, it is a
// warning, as before, and the gateway starts.
func TestMCPPublicURLMustBeTheIdentifier(t *testing.T) {
	const stack = "https://models.example.com/"
	for _, c := range []struct {
		name                string
		mcp                 MCP
		publicURL, audience string
		err                 []string // nil: starts
		warns               bool
	}{
		{"expected, the identifier", MCP{Expected: true, StackPublicURL: stack}, "https://models.example.com", stack, nil, false},
		{"expected, identifier without the slash", MCP{Expected: true}, "https://models.example.com", "https://models.example.com", nil, false},
		{"expected, host case", MCP{Expected: true}, "https://Models.Example.com", stack, nil, false},
		{"expected, another host", MCP{Expected: true, StackPublicURL: stack}, "https://gw.example.com", stack, []string{
			"agents are expected (the stack declares model-api-auth0:mcp {publicUrl: https://models.example.com/} (stack output mcp))",
			`the public URL https://gw.example.com (-public-url / PUBLIC_URL) is not the API identifier "https://models.example.com/" (the stack output audience, or -audience / AUTH0_AUDIENCE)`,
			`Set -public-url to "https://models.example.com/" if agents call that URL`,
			"model-api-auth0:api.identifier and model-api-auth0:mcp.publicUrl",
		}, false},
		{"expected, identifier with a path", MCP{Expected: true}, "https://models.example.com", "https://models.example.com/v1", []string{
			`-mcp / MCP is set`, `is not the API identifier "https://models.example.com/v1"`,
		}, false},
		{"expected, identifier not a URL", MCP{Expected: true}, "https://models.example.com", "model-api", []string{`is not the API identifier "model-api"`}, false},
		{"expected, another scheme", MCP{Expected: true}, "http://127.0.0.1:8080", "https://127.0.0.1:8080/", []string{`is not the API identifier`}, false},
		{"expected, no public URL", MCP{Expected: true, StackPublicURL: stack}, "", stack, []string{
			"agents are expected (the stack declares model-api-auth0:mcp", "but -public-url / PUBLIC_URL is not set",
		}, false},
		{"not expected, another host", MCP{}, "https://gw.example.com", stack, nil, true},
		{"not expected, no public URL", MCP{}, "", stack, nil, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			o := minimalOptions()
			o.Tenant.Audience, o.PublicURL, o.MCP = c.audience, c.publicURL, c.mcp
			var logs bytes.Buffer
			p, err := o.assemble(slog.New(slog.NewTextHandler(&logs, nil)))
			if c.err == nil {
				require.NoError(t, err)
				p.close()
				assert.Equal(t, c.warns, bytes.Contains(logs.Bytes(), []byte("level=WARN")), "%s", logs.String())
				return
			}
			require.Error(t, err)
			for _, w := range c.err {
				assert.Contains(t, err.Error(), w)
			}
		})
	}
}
