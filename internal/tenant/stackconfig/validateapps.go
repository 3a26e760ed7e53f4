package stackconfig

import (
	"fmt"
	"maps"
	"net"
	"net/url"
	"slices"
	"strings"
)

// clientOrganizations checks the organizations an M2M client is linked to:
// known ones, and only where its grant can use them. A grant that requires
// an organization but has none can never give a token.
func (v *validator) clientOrganizations(cp string, c ClientConfig, orgs map[string]bool) {
	v.declared(cp+".organizations", "organization", c.Organizations, orgs, KeyOrganizations)
	v.unique(cp+".organizations", "organization", c.Organizations)
	switch {
	case len(c.Organizations) > 0 && c.OrganizationUsage == "deny":
		v.addf(cp+".organizations", "need organizationUsage allow or require: a grant that denies organizations gets no token for any")
	case len(c.Organizations) > 0 && c.AllowAnyOrganization:
		v.addf(cp+".organizations", "allowAnyOrganization already lets the client use every organization; remove organizations, or allowAnyOrganization to limit it to these")
	case c.OrganizationUsage == "require" && !c.AllowAnyOrganization && len(c.Organizations) == 0:
		v.addf(cp+".organizations", "organizationUsage require with no organization: the client could never get a token; list the organizations it works for (organizations: [%s]), or set allowAnyOrganization: true",
			exampleOrg(orgs))
	}
}

func exampleOrg(orgs map[string]bool) string {
	for _, name := range slices.Sorted(maps.Keys(orgs)) {
		if name != "" {
			return name
		}
	}
	return "acme"
}

// apps checks the applications people log in through. Their names are keys
// of the clientSecrets output, so they must differ from the M2M clients'.
func (v *validator) apps(c *Config, scopes, clients map[string]bool) {
	taken := map[string]string{}
	for name := range clients {
		taken[name] = "a client in " + KeyClients
	}
	for _, app := range []struct {
		key    string
		cfg    *AppConfig
		native bool
	}{{KeyWebApp, c.WebApp, false}, {KeyCLIApp, c.CLIApp, true}} {
		if app.cfg == nil {
			continue
		}
		v.app(app.key, app.cfg, scopes, app.native)
		if other, ok := taken[app.cfg.Name]; ok {
			v.addf(app.key+".name", "%q is also the name of %s, and clientSecrets lists applications by name; choose another", app.cfg.Name, other)
		}
		taken[app.cfg.Name] = app.key
	}
}

func (v *validator) app(key string, a *AppConfig, scopes map[string]bool, native bool) {
	if strings.ContainsAny(a.Name, "<>") {
		v.addf(key+".name", "must not contain < or >")
	}
	if len(a.Callbacks) == 0 {
		example := "https://models.example.com/callback"
		if native {
			example = "http://127.0.0.1:8976/callback"
		}
		v.addf(key+".callbacks", "list at least one: where Auth0 may send people back after login, such as %s", example)
	}
	for i, u := range a.Callbacks {
		v.appURL(fmt.Sprintf("%s.callbacks[%d]", key, i), u, native, native)
	}
	v.unique(key+".callbacks", "callback", a.Callbacks)
	for i, u := range a.LogoutURLs {
		v.appURL(fmt.Sprintf("%s.logoutUrls[%d]", key, i), u, native, false)
	}
	v.unique(key+".logoutUrls", "logout URL", a.LogoutURLs)
	switch {
	case !slices.Contains(organizationUsages, a.OrganizationUsage):
		v.addf(key+".organizationUsage", "%q: want one of deny, allow, require", a.OrganizationUsage)
	case a.OrganizationUsage != "require" && a.OrganizationRequireBehavior != "":
		v.addf(key+".organizationRequireBehavior", "only applies with organizationUsage require; remove it")
	case a.OrganizationUsage == "require" && !slices.Contains(organizationRequireBehaviors, a.OrganizationRequireBehavior):
		v.addf(key+".organizationRequireBehavior", "%q: want one of %s", a.OrganizationRequireBehavior, strings.Join(organizationRequireBehaviors, ", "))
	}
	if len(a.Scopes) == 0 {
		v.addf(key+".scopes", "grant at least one scope (or leave scopes out for every scope of %s)", KeyAPI)
	}
	v.declared(key+".scopes", "scope", a.Scopes, scopes, KeyAPI+".scopes")
	v.unique(key+".scopes", "scope", a.Scopes)
}

// appURL checks a callback or logout URL. A login's code travels to a
// callback, so it must be https, or http on this machine's loopback; the
// command-line client only ever listens on loopback, on a port Auth0 must
// know (it matches callback URLs exactly, port included).
func (v *validator) appURL(path, raw string, loopbackOnly, needPort bool) {
	u, err := url.Parse(raw)
	switch {
	case strings.ContainsAny(raw, " \t\r\n"):
		v.addf(path, "%q contains white space", raw)
	case err != nil || u.Scheme == "" || u.Host == "" || u.Opaque != "":
		v.addf(path, "%q is not an absolute URL (want e.g. https://models.example.com/callback)", raw)
	case u.User != nil:
		v.addf(path, "%q: a user name or password in the URL is refused: it can make the URL look like another host", raw)
	case strings.Contains(raw, "#"):
		v.addf(path, "%q: a fragment (#...) is refused in a redirect URL (RFC 6749 section 3.1.2)", raw)
	case strings.Contains(u.Host, "*"):
		v.addf(path, "%q: wildcards are refused: every host they match could receive people's login codes", raw)
	case loopbackOnly && (u.Scheme != "http" || !isLoopback(u.Hostname())):
		v.addf(path, "%q: the command-line client receives the login on this machine: want http://127.0.0.1:PORT/callback (or localhost)", raw)
	case needPort && u.Port() == "":
		v.addf(path, "%q: give the port `token login -port` listens on, such as http://127.0.0.1:8976/callback: Auth0 matches callback URLs exactly, port included", raw)
	case u.Scheme == "https", u.Scheme == "http" && isLoopback(u.Hostname()):
	case u.Scheme == "http":
		v.addf(path, "%q: http would send login codes in the clear; use https (http only on localhost or 127.0.0.1)", raw)
	default:
		v.addf(path, "%q: want an https:// URL (or http:// on localhost or 127.0.0.1)", raw)
	}
}

// isLoopback reports whether host is this machine: localhost or a loopback IP.
func isLoopback(host string) bool {
	ip := net.ParseIP(host)
	return host == "localhost" || ip != nil && ip.IsLoopback()
}

func (v *validator) tenant(t *TenantConfig) {
	if t != nil && t.ResourceParameterProfile != "" && !slices.Contains(resourceParameterProfiles, t.ResourceParameterProfile) {
		v.addf(KeyTenant+".resourceParameterProfile", "%q: want audience (Auth0's default) or compatibility (also accept the resource parameter MCP clients send)",
			t.ResourceParameterProfile)
	}
}
