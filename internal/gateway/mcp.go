package gateway

import (
	"fmt"
	"net/url"
	"strings"
)

// MCP is whether agents (MCP clients) are expected: the stack's
// model-api-auth0:mcp, which the stack outputs carry (mcp), or -mcp. The
// gateway then refuses to start unless its public URL is the API
// identifier, since agents refuse the discovery metadata otherwise (RFC
// 9728 section 3.3): without it, the mismatch is only a warning.
type MCP struct {
	Expected bool
	// StackPublicURL is the outputs' mcp.publicUrl, if any: what the stack
	// declared agents call, named in the refusals.
	StackPublicURL string
}

// why names what made agents expected, for the refusals.
func (m MCP) why() string {
	if m.StackPublicURL != "" {
		return fmt.Sprintf("the stack declares model-api-auth0:mcp {publicUrl: %s} (stack output mcp)", m.StackPublicURL)
	}
	return "-mcp / MCP is set"
}

// checkSet refuses a gateway expecting agents without a public URL: it
// would serve no metadata, and agents could not find the tenant.
func (m MCP) checkSet() error {
	if !m.Expected {
		return nil
	}
	return fmt.Errorf("agents are expected (%s), but -public-url / PUBLIC_URL is not set: set it to the gateway's external base URL, the API identifier, so that agents find how to log in (RFC 9728)", m.why())
}

// check refuses a public URL other than the API identifier: the
// metadata's resource is the identifier, which agents refuse unless it is
// the URL they call, and they ask the tenant for a token for it.
func (m MCP) check(public *url.URL, audience string) error {
	if isBaseURL(audience, public) {
		return nil
	}
	return fmt.Errorf("agents are expected (%s), but the public URL %s (-public-url / PUBLIC_URL) is not the API identifier %q (the stack output audience, or -audience / AUTH0_AUDIENCE): MCP clients refuse discovery metadata whose resource is not the URL they call (RFC 9728 section 3.3). Set -public-url to %q if agents call that URL; otherwise make model-api-auth0:api.identifier and model-api-auth0:mcp.publicUrl the public URL in the stack, update it and write the outputs again",
		m.why(), public, audience, audience)
}

// isBaseURL reports whether id names the origin of public with no path
// (https://models.example.com/ for https://models.example.com): what
// agents call is then what they ask a token for.
func isBaseURL(id string, public *url.URL) bool {
	u, err := url.Parse(id)
	return err == nil && strings.EqualFold(u.Scheme, public.Scheme) && strings.EqualFold(u.Host, public.Host) &&
		(u.Path == "" || u.Path == "/") && u.RawQuery == "" && !u.ForceQuery && u.Fragment == "" && u.User == nil
}
