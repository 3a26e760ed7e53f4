package stackconfig

import (
	"fmt"
	"maps"
	"net/mail"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/model-api-auth0/model-api-auth0/internal/strictjson"
)

// Limits that Auth0 enforces, checked before anything is sent to it.
const (
	maxIdentifierLen       = 600
	maxTokenLifetime       = 2592000 // 30 days
	maxScopeNameLen        = 280
	maxScopeDescriptionLen = 500
	maxOrgNameLen          = 50
	maxOrgDisplayNameLen   = 255
	maxOrgConnections      = 10
	maxRolesPerMember      = 50
	maxConnectionNameLen   = 128
)

var (
	orgNamePattern        = regexp.MustCompile(`^[a-z0-9_-]+$`)
	colorPattern          = regexp.MustCompile(`^#[0-9a-fA-F]{6}$`)
	connectionNamePattern = regexp.MustCompile(`^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?$`)
	connectionIDPattern   = regexp.MustCompile(`^con_[A-Za-z0-9]+$`)
	userIDPattern         = regexp.MustCompile(`^[A-Za-z0-9-]+\|\S+$`)
	domainPattern         = regexp.MustCompile(`^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$`)
)

var organizationUsages = []string{"deny", "allow", "require"}

// Validate reports every problem of the configuration at once, each at its
// key path, as a *ValidationError. It expects defaults to be applied.
func (c *Config) Validate() error {
	v := &validator{}
	v.domain(c.Domain)
	scopes := v.api(c.API, c.Domain)
	roles := v.roles(c.Roles, scopes)
	v.connection(c.Connection)
	testUsers := v.testUsers(c)
	orgs := v.organizations(c.Organizations, roles, testUsers)
	clients := v.clients(c.Clients, scopes, orgs)
	v.apps(c, scopes, clients)
	v.proofOfPossession(c)
	v.tenant(c.Tenant)
	v.mcp(c)
	v.models(c, scopes)
	v.agentClients(c, scopes)
	v.quotas(c)
	if len(v.problems) > 0 {
		return &ValidationError{Problems: v.problems}
	}
	return nil
}

type validator struct{ problems []strictjson.Problem }

func (v *validator) addf(path, format string, args ...any) {
	v.problems = append(v.problems, strictjson.Problem{Path: path, Message: fmt.Sprintf(format, args...)})
}

// unique reports names seen twice under path and returns the set of names.
func (v *validator) unique(path, what string, names []string) map[string]bool {
	set := map[string]bool{}
	for _, n := range names {
		if set[n] && n != "" {
			v.addf(path+"["+n+"]", "%s %q is declared twice", what, n)
		}
		set[n] = true
	}
	return set
}

func (v *validator) domain(domain string) {
	switch {
	case domain == "":
		v.addf(KeyDomain, "the tenant domain is not set; run `pulumi config set auth0:domain YOUR-TENANT.us.auth0.com` or export AUTH0_DOMAIN")
	case strings.Contains(domain, "://") || strings.ContainsAny(domain, "/:"):
		v.addf(KeyDomain, "want a bare host name such as example.us.auth0.com, got %q (drop the scheme, port and path)", domain)
	case !domainPattern.MatchString(domain):
		v.addf(KeyDomain, "%q is not a host name (lowercase letters, digits, dots and dashes)", domain)
	}
}

func (v *validator) api(api APIConfig, domain string) map[string]bool {
	p := KeyAPI
	if api.Name == "" {
		v.addf(p+".name", "required: the API's display name in the Auth0 dashboard")
	} else if strings.ContainsAny(api.Name, "<>") {
		v.addf(p+".name", "must not contain < or >")
	}
	switch u, err := url.Parse(api.Identifier); {
	case api.Identifier == "":
		v.addf(p+".identifier", "required: the audience of the API's tokens, an absolute URI such as https://models.example.com/")
	case err != nil || u.Scheme == "" || (u.Host == "" && u.Opaque == ""):
		v.addf(p+".identifier", "%q is not an absolute URI (want e.g. https://models.example.com/)", api.Identifier)
	case len(api.Identifier) > maxIdentifierLen:
		v.addf(p+".identifier", "is %d characters; Auth0 allows at most %d", len(api.Identifier), maxIdentifierLen)
	case domain != "" && strings.TrimSuffix(api.Identifier, "/") == "https://"+domain+"/api/v2":
		v.addf(p+".identifier", "is the Auth0 Management API of the tenant; declare your own API's identifier")
	}
	switch api.SigningAlg {
	case "RS256", "PS256":
	case "HS256":
		v.addf(p+".signingAlg", "HS256 is refused: a shared secret cannot be verified by third parties, so every API would hold the key that can mint tokens; use RS256")
	default:
		v.addf(p+".signingAlg", "%q is not supported; use RS256 (or PS256)", api.SigningAlg)
	}
	life, web := *api.TokenLifetime, *api.TokenLifetimeForWeb
	if life < 1 || life > maxTokenLifetime {
		v.addf(p+".tokenLifetime", "is %d; want 1 to %d seconds", life, maxTokenLifetime)
	}
	if web < 1 || web > life {
		v.addf(p+".tokenLifetimeForWeb", "is %d; want 1 to tokenLifetime (%d) seconds", web, life)
	}
	if len(api.Scopes) == 0 {
		v.addf(p+".scopes", "declare at least one scope: clients and roles can only be granted declared scopes")
	}
	names := make([]string, len(api.Scopes))
	for i, s := range api.Scopes {
		names[i] = s.Name
		sp := fmt.Sprintf("%s.scopes[%s]", p, label(s.Name, i))
		switch {
		case s.Name == "":
			v.addf(sp+".name", "required")
		case utf8.RuneCountInString(s.Name) > maxScopeNameLen:
			v.addf(sp+".name", "is %d characters; Auth0 allows at most %d", utf8.RuneCountInString(s.Name), maxScopeNameLen)
		case strings.IndexFunc(s.Name, unicode.IsSpace) >= 0:
			v.addf(sp+".name", "must not contain spaces: the scope claim is space-separated")
		}
		if n := utf8.RuneCountInString(s.Description); n > maxScopeDescriptionLen {
			v.addf(sp+".description", "is %d characters; Auth0 allows at most %d", n, maxScopeDescriptionLen)
		}
	}
	return v.unique(p+".scopes", "scope", names)
}

func (v *validator) roles(roles []RoleConfig, scopes map[string]bool) map[string]bool {
	names := make([]string, len(roles))
	for i, r := range roles {
		names[i] = r.Name
		rp := fmt.Sprintf("%s[%s]", KeyRoles, label(r.Name, i))
		if r.Name == "" {
			v.addf(rp+".name", "required")
		}
		if len(r.Permissions) == 0 {
			v.addf(rp+".permissions", "declare at least one permission (a scope of %s)", KeyAPI)
		}
		v.declared(rp+".permissions", "scope", r.Permissions, scopes, KeyAPI+".scopes")
		v.unique(rp+".permissions", "permission", r.Permissions)
	}
	return v.unique(KeyRoles, "role", names)
}

// label names a list element in a path: its name, or its index without one.
func label(name string, index int) string {
	if name != "" {
		return name
	}
	return strconv.Itoa(index)
}

// declared reports each of names that is not in the declared set.
func (v *validator) declared(path, what string, names []string, declared map[string]bool, where string) {
	for i, n := range names {
		if !declared[n] {
			v.addf(fmt.Sprintf("%s[%d]", path, i), "%s %q is not declared in %s (declared: %s)%s", what, n, where,
				strings.Join(slices.Sorted(maps.Keys(declared)), ", "), modelHint(what, n))
		}
	}
}

func (v *validator) connection(c ConnectionConfig) {
	p := KeyConnection
	switch {
	case c.Name == "":
		v.addf(p+".name", "required: the database connection's name (it cannot change once users exist)")
	case len(c.Name) > maxConnectionNameLen || !connectionNamePattern.MatchString(c.Name):
		v.addf(p+".name", "%q: want 1 to %d letters, digits and dashes, starting and ending with a letter or digit", c.Name, maxConnectionNameLen)
	}
	if _, ok := passwordPolicies[c.PasswordPolicy]; !ok {
		v.addf(p+".passwordPolicy", "%q: want one of none, low, fair, good, excellent", c.PasswordPolicy)
	}
}

func (v *validator) testUsers(c *Config) map[string]bool {
	emails := make([]string, len(c.TestUsers))
	for i, u := range c.TestUsers {
		emails[i] = u.Email
		up := fmt.Sprintf("%s[%s]", KeyTestUsers, label(u.Email, i))
		if a, err := mail.ParseAddress(u.Email); err != nil || a.Address != u.Email {
			v.addf(up+".email", "%q is not an email address", u.Email)
		}
	}
	if len(c.TestUsers) > 0 {
		policy, known := passwordPolicies[c.Connection.PasswordPolicy]
		switch {
		case c.Protect:
			v.addf(KeyTestUsers, "test users are for dev stacks; a protected stack must not create users with a shared password")
		case c.TestUserPassword == "":
			v.addf(KeyTestUserPassword, "required when testUsers are declared; run `pulumi config set --secret %s`", KeyTestUserPassword)
		case c.TestUserPassword == Blinded:
			// Encrypted in the stack file and not decrypted (an offline plan): its length is unknown.
		case known && policy.problem(c.TestUserPassword) != "":
			v.addf(KeyTestUserPassword, "does not meet password policy %q (%s.passwordPolicy): it needs %s",
				c.Connection.PasswordPolicy, KeyConnection, policy.problem(c.TestUserPassword))
		}
	}
	return v.unique(KeyTestUsers, "test user", emails)
}

func (v *validator) clients(clients []ClientConfig, scopes, orgs map[string]bool) map[string]bool {
	names := make([]string, len(clients))
	for i, c := range clients {
		names[i] = c.Name
		cp := fmt.Sprintf("%s[%s]", KeyClients, label(c.Name, i))
		if c.Name == "" || strings.ContainsAny(c.Name, "<>") {
			v.addf(cp+".name", "required, without < or >")
		}
		if len(c.Scopes) == 0 {
			v.addf(cp+".scopes", "grant at least one scope: a client grant without scopes gives tokens that no route accepts")
		}
		v.declared(cp+".scopes", "scope", c.Scopes, scopes, KeyAPI+".scopes")
		v.unique(cp+".scopes", "scope", c.Scopes)
		if !slices.Contains(organizationUsages, c.OrganizationUsage) {
			v.addf(cp+".organizationUsage", "%q: want one of deny, allow, require", c.OrganizationUsage)
		} else if c.AllowAnyOrganization && c.OrganizationUsage == "deny" {
			v.addf(cp+".allowAnyOrganization", "needs organizationUsage allow or require")
		}
		v.clientOrganizations(cp, c, orgs)
	}
	return v.unique(KeyClients, "client", names)
}
