package devtenant

import (
	"cmp"
	"crypto/rand"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/model-api-auth0/model-api-auth0/internal/tenant/stackconfig"
)

// clientKind is what a client may do.
type clientKind int

const (
	machine clientKind = iota // client_credentials only, client_secret_post
	webApp                    // authorization code, client_secret_post or basic
	native                    // authorization code, public (no secret), loopback redirects on any port
	agent                     // a Client ID Metadata Document's: public, its document's redirect URIs exactly (cimd.go)
)

// user is a test user of the stack: the only users who can log in.
type user struct {
	ID, Email, Name string
}

// organization is an organization of the stack and its members' roles.
type organization struct {
	ID, Name, DisplayName   string
	Branding                *stackconfig.BrandingConfig
	AssignMembershipOnLogin bool
	members                 map[string][]string // user ID -> role names; joins on login add to it
}

// client is an application registered in the tenant.
type client struct {
	Kind                 clientKind
	Name, ID, Secret     string
	Callbacks, Logouts   []string
	GrantID              string
	Scopes               []string // the grant's, for M2M clients
	OrganizationUsage    string
	AllowAnyOrganization bool
	Orgs                 map[string]bool // org IDs the client is linked to
	RequirePoP           bool            // requireProofOfPossession: DPoP-bound tokens only
	// Granted says an agent has a user-type grant on the API (the stack's
	// agentClients): Scopes then bound what people's tokens carry through it.
	Granted bool
}

// public reports whether the client has no secret: PKCE alone binds its codes.
func (c *client) public() bool { return c.Kind == native || c.Kind == agent }

// directory is the stack seen as a tenant's users, organizations and clients.
type directory struct {
	users   map[string]*user // by lower-case email
	orgs    map[string]*organization
	orgByID map[string]*organization
	roles   map[string][]string // role name -> permissions
	clients map[string]*client  // by client ID
	byName  map[string]*client
	web     *client
	native  *client

	mu sync.RWMutex // guards organization members (joins on login)
}

func newDirectory(cfg *stackconfig.Config, opts Options) (*directory, []string) {
	d := &directory{users: map[string]*user{}, orgs: map[string]*organization{}, orgByID: map[string]*organization{},
		roles: map[string][]string{}, clients: map[string]*client{}, byName: map[string]*client{}}
	var problems []string
	for _, u := range cfg.TestUsers {
		d.users[strings.ToLower(u.Email)] = &user{ID: userID(u.Email), Email: u.Email, Name: cmp.Or(u.Name, u.Email)}
	}
	for _, r := range cfg.Roles {
		d.roles[r.Name] = r.Grants() // its scopes and its models', as Auth0 holds the role's permissions
	}
	for _, o := range cfg.Organizations {
		org := &organization{ID: orgID(o.Name), Name: o.Name, DisplayName: o.DisplayName, Branding: o.Branding,
			AssignMembershipOnLogin: o.AssignMembershipOnLogin, members: map[string][]string{}}
		for _, m := range o.Members {
			id := m.UserID
			if m.Email != "" {
				id = userID(m.Email)
			}
			org.members[id] = slices.Clone(m.Roles)
		}
		d.orgs[o.Name], d.orgByID[org.ID] = org, org
	}
	for _, c := range cfg.Clients {
		d.add(&client{Kind: machine, Name: c.Name, ID: clientID(c.Name), Secret: rand.Text() + rand.Text(),
			GrantID: "cgr_" + derive("grant", c.Name, 16), Scopes: c.Grants(), OrganizationUsage: c.OrganizationUsage,
			AllowAnyOrganization: c.AllowAnyOrganization, Orgs: map[string]bool{}, RequirePoP: c.RequireProofOfPossession})
	}
	for name, orgs := range opts.ClientOrganizations {
		c := d.byName[name]
		if c == nil || c.Kind != machine {
			problems = append(problems, fmt.Sprintf("Options.ClientOrganizations: %q is not an M2M client of the stack", name))
			continue
		}
		for _, o := range orgs {
			if d.orgs[o] == nil {
				problems = append(problems, fmt.Sprintf("Options.ClientOrganizations[%s]: %q is not an organization of the stack", name, o))
				continue
			}
			c.Orgs[d.orgs[o].ID] = true
		}
	}
	web := opts.WebApp
	if web.Name == "" && web.Callbacks == nil && web.LogoutURLs == nil {
		web = DefaultWebApp
	}
	nat := opts.Native
	if nat.Name == "" && nat.Callbacks == nil && nat.LogoutURLs == nil {
		nat = DefaultNative
	}
	d.web = &client{Kind: webApp, Name: web.Name, ID: clientID(web.Name), Secret: rand.Text() + rand.Text(), Callbacks: web.Callbacks, Logouts: web.LogoutURLs}
	d.native = &client{Kind: native, Name: nat.Name, ID: clientID(nat.Name), Callbacks: nat.Callbacks, Logouts: nat.LogoutURLs}
	d.requirePoP(cfg.API.ProofOfPossession)
	for _, c := range []*client{d.web, d.native} {
		what := map[clientKind]string{webApp: "WebApp", native: "Native"}[c.Kind]
		switch {
		case c.Name == "":
			problems = append(problems, fmt.Sprintf("Options.%s.Name is empty", what))
		case d.byName[c.Name] != nil:
			problems = append(problems, fmt.Sprintf("Options.%s.Name %q is also the name of a client of the stack; choose another", what, c.Name))
		}
		for _, u := range append(slices.Clone(c.Callbacks), c.Logouts...) {
			if err := checkRegisteredURL(u); err != nil {
				problems = append(problems, fmt.Sprintf("Options.%s: %v", what, err))
			}
		}
		d.add(c)
	}
	return d, problems
}

func (d *directory) add(c *client) {
	d.clients[c.ID] = c
	d.byName[c.Name] = c
}

func (d *directory) clientByName(name string) *client { return d.byName[name] }

func (d *directory) userByEmail(email string) *user { return d.users[strings.ToLower(email)] }

func (d *directory) userByID(id string) *user {
	for _, u := range d.users {
		if u.ID == id {
			return u
		}
	}
	return nil
}

// org finds an organization by name or ID.
func (d *directory) org(nameOrID string) *organization {
	if o := d.orgByID[nameOrID]; o != nil {
		return o
	}
	return d.orgs[nameOrID]
}

// membership returns the member's roles in o and whether the user is a member.
func (d *directory) membership(o *organization, userID string) ([]string, bool) {
	d.mu.RLock()
	defer d.mu.RUnlock()
	roles, ok := o.members[userID]
	return roles, ok
}

// join makes the user a member of o without roles, as Auth0 does for an
// organization that assigns membership on login.
func (d *directory) join(o *organization, userID string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if _, ok := o.members[userID]; !ok {
		o.members[userID] = nil
	}
}

// orgsOf lists the organizations the user is a member of, by name.
func (d *directory) orgsOf(userID string) []*organization {
	d.mu.RLock()
	defer d.mu.RUnlock()
	var out []*organization
	for _, o := range d.orgs {
		if _, ok := o.members[userID]; ok {
			out = append(out, o)
		}
	}
	slices.SortFunc(out, func(a, b *organization) int { return strings.Compare(a.Name, b.Name) })
	return out
}

// permissions are the union of the permissions of roles, sorted: what the
// access_token_authz dialect puts in the permissions claim.
func (d *directory) permissions(roles []string) []string {
	out := []string{}
	for _, r := range roles {
		for _, p := range d.roles[r] {
			if !slices.Contains(out, p) {
				out = append(out, p)
			}
		}
	}
	slices.Sort(out)
	return out
}
