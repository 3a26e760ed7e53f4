package stackconfig

import (
	"net"
	"net/url"
	"strings"
)

// KeyMCP declares that agents (MCP clients) connect to the API.
const KeyMCP = Namespace + ":mcp"

// MCPConfig is the stack's mcp: agents are expected, and get in through
// the gateway at PublicURL with the Model Context Protocol's authorization
// (RFC 9728 discovery, then the authorization code flow with the RFC 8707
// resource parameter). It is one decision with what it takes, each checked
// here, so that a stack cannot say it serves agents and be refused by them:
//
//   - the API identifier is PublicURL: the gateway's metadata names the
//     identifier as its resource, which MCP clients refuse unless it is the
//     URL they call (RFC 9728 section 3.3), and they send it as resource,
//     which Auth0 matches against identifiers;
//   - the tenant's resourceParameterProfile is compatibility: MCP clients
//     send resource and no audience, which Auth0 ignores under its default
//     profile, issuing a token for /userinfo only.
//
// The gateway started from the outputs refuses to start when its public
// URL is not the API identifier (it only warns without mcp). An empty
// object, the default, declares nothing.
type MCPConfig struct {
	// PublicURL is the gateway's external base URL, such as
	// https://models.example.com/: the URL agents are given.
	PublicURL string `json:"publicUrl"`
}

func (m *MCPConfig) declared() bool { return m != nil && *m != MCPConfig{} }

// mcp checks what mcp takes, every problem at its key path.
func (v *validator) mcp(c *Config) {
	m := c.MCP
	if m == nil {
		return
	}
	p := KeyMCP + ".publicUrl"
	switch u, err := url.Parse(m.PublicURL); {
	case err != nil || u.Host == "" || u.User != nil || (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" || u.ForceQuery:
		v.addf(p, "%q: want the gateway's base URL, with a host and no path, query or fragment, such as https://models.example.com/", m.PublicURL)
		return
	case u.Scheme != "https" && !(u.Scheme == "http" && loopbackHost(u.Hostname())):
		v.addf(p, "%q: want https (http only for a loopback host, to try things out): agents send their tokens there", m.PublicURL)
		return
	}
	if c.API.Identifier != m.PublicURL {
		v.addf(KeyAPI+".identifier", "%q is not %s %q: MCP clients refuse metadata whose resource (the identifier) is not the URL they call (RFC 9728 section 3.3); set the identifier to %q (Auth0 cannot rename an API: this replaces it, and tokens for the old identifier stop working)",
			c.API.Identifier, p, m.PublicURL, m.PublicURL)
	}
	if c.Tenant == nil || c.Tenant.ResourceParameterProfile != "compatibility" {
		got := "unset (audience, Auth0's default)"
		if c.Tenant != nil && c.Tenant.ResourceParameterProfile != "" {
			got = `"` + c.Tenant.ResourceParameterProfile + `"`
		}
		v.addf(KeyTenant+".resourceParameterProfile", "is %s: %s needs compatibility, since MCP clients send the resource parameter and no audience (set %s: {resourceParameterProfile: compatibility})",
			got, KeyMCP, KeyTenant)
	}
}

func loopbackHost(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
