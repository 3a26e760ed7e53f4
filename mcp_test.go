package main

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/model-api-auth0/model-api-auth0/internal/tenant/stackconfig"
	"github.com/model-api-auth0/model-api-auth0/internal/tenant/stackoutputs"
)

// A stack expecting agents says so in its outputs, where the gateway reads
// it; one without mcp exports no mcp key: its outputs are as before.
func TestMCPOutput(t *testing.T) {
	for name, c := range map[string]struct {
		mcp  string
		want any // nil: no mcp output
	}{
		"declared": {`{"publicUrl":"https://models.example.com/"}`, map[string]any{stackoutputs.KeyPublicURL: "https://models.example.com/"}},
		"default":  {`{}`, nil},
		"absent":   {"", nil},
	} {
		t.Run(name, func(t *testing.T) {
			raw := baseConfig()
			if c.mcp != "" {
				raw[stackconfig.KeyMCP] = c.mcp
			}
			p := evaluate(t, "test", raw)
			if c.want == nil {
				assert.NotContains(t, p.Exports, stackoutputs.KeyMCP)
				return
			}
			assert.Equal(t, c.want, p.Exports[stackoutputs.KeyMCP].Value)
		})
	}
}
