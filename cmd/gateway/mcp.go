package main

import (
	"cmp"
	"flag"
	"fmt"
	"strconv"

	"github.com/model-api-auth0/model-api-auth0/internal/gateway"
	"github.com/model-api-auth0/model-api-auth0/internal/tenant/stackoutputs"
)

// registerMCP adds -mcp (env MCP); a value of MCP that is no boolean is
// reported once the flags are parsed.
func registerMCP(fs *flag.FlagSet, m *gateway.MCP, env func(string) (string, bool)) error {
	def, err := false, error(nil)
	if v, ok := env("MCP"); ok && v != "" {
		if def, err = strconv.ParseBool(v); err != nil {
			err = fmt.Errorf("MCP %q: want true or false", v)
		}
	}
	fs.BoolVar(&m.Expected, "mcp", def, "agents (MCP clients) are expected: refuse to start unless -public-url is the API identifier, which they would refuse otherwise (env MCP); default: on when the stack outputs have mcp (model-api-auth0:mcp in the stack)")
	return err
}

// mcpFromStackOutputs: a stack declaring agents makes them expected, and
// its mcp.publicUrl is the public URL unless -public-url or PUBLIC_URL
// says otherwise.
func mcpFromStackOutputs(o *gateway.Options, out *stackoutputs.Outputs) {
	if out.MCP == nil {
		return
	}
	o.MCP = gateway.MCP{Expected: true, StackPublicURL: out.MCP.PublicURL}
	o.PublicURL = cmp.Or(o.PublicURL, out.MCP.PublicURL)
}
