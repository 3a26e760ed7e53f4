package main

import (
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A stack that expects agents (mcp in its outputs) makes the gateway
// refuse a public URL other than the API identifier, and gives the public
// URL when no flag or PUBLIC_URL does; -mcp or MCP expect agents without
// such outputs. A stack without mcp only warns, as before.
func TestMCPFromStackOutputs(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(p, []byte(body), 0o600))
		return p
	}
	const tenant = `"issuer":"https://t.us.auth0.com/","tenantDomain":"t.us.auth0.com"`
	withMCP := write("mcp.json", `{"audience":"https://models.example.com/",`+tenant+`,"mcp":{"publicUrl":"https://models.example.com/"}}`)
	without := write("plain.json", `{"audience":"https://api.models.example.com/",`+tenant+`}`)
	for _, c := range []struct {
		name      string
		args      []string
		env       map[string]string
		publicURL string   // what the options get
		refusal   []string // nil: Validate passes
	}{
		{"mcp: the stack's public URL", []string{"-stack-outputs", withMCP}, nil, "https://models.example.com/", nil},
		{"mcp: -public-url the same", []string{"-stack-outputs", withMCP, "-public-url", "https://models.example.com"}, nil, "https://models.example.com", nil},
		{"mcp: PUBLIC_URL another", []string{"-stack-outputs", withMCP}, map[string]string{"PUBLIC_URL": "https://gw.example.com"}, "https://gw.example.com", []string{
			"agents are expected (the stack declares model-api-auth0:mcp {publicUrl: https://models.example.com/} (stack output mcp))",
			`the public URL https://gw.example.com (-public-url / PUBLIC_URL) is not the API identifier "https://models.example.com/"`,
		}},
		{"mcp: -audience another", []string{"-stack-outputs", withMCP, "-audience", "https://other.example.com/"}, nil, "https://models.example.com/", []string{
			`is not the API identifier "https://other.example.com/" (the stack output audience, or -audience / AUTH0_AUDIENCE)`,
		}},
		{"no mcp: a warning only", []string{"-stack-outputs", without, "-public-url", "https://gw.example.com"}, nil, "https://gw.example.com", nil},
		{"no mcp, -mcp", []string{"-stack-outputs", without, "-public-url", "https://gw.example.com", "-mcp"}, nil, "https://gw.example.com", []string{
			"agents are expected (-mcp / MCP is set)", `is not the API identifier "https://api.models.example.com/"`,
		}},
		{"no mcp, MCP=true, no public URL", []string{"-stack-outputs", without}, map[string]string{"MCP": "true"}, "", []string{
			"-public-url / PUBLIC_URL is not set",
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			o, err := parse(append(c.args, "-upstream", "http://127.0.0.1:9"), env(c.env), io.Discard)
			require.NoError(t, err)
			assert.Equal(t, c.publicURL, o.PublicURL)
			err = o.Validate()
			if c.refusal == nil {
				assert.NoError(t, err)
				return
			}
			require.Error(t, err)
			for _, w := range c.refusal {
				assert.Contains(t, err.Error(), w)
			}
		})
	}
	_, err := parse([]string{"-stack-outputs", without, "-upstream", "http://127.0.0.1:9"}, env(map[string]string{"MCP": "yes please"}), io.Discard)
	assert.EqualError(t, err, `MCP "yes please": want true or false`)
}
