package devtenant

import "net/url"

// requestedAudience is the API a request asks for. Auth0 reads the
// audience parameter; with the tenant's resourceParameterProfile
// compatibility it also takes RFC 8707's resource parameter, which MCP
// clients send instead, and audience wins when both are sent.
func (t *Tenant) requestedAudience(params url.Values) string {
	if aud := params.Get("audience"); aud != "" {
		return aud
	}
	if t.cfg.Tenant != nil && t.cfg.Tenant.ResourceParameterProfile == "compatibility" {
		return params.Get("resource")
	}
	return ""
}
