package access

import (
	"fmt"
	"slices"
	"strings"

	"github.com/model-api-auth0/model-api-auth0/guard"
	"github.com/model-api-auth0/model-api-auth0/internal/tenant/modelperm"
	"github.com/model-api-auth0/model-api-auth0/internal/tenant/stackconfig"
)

// Kind is how a principal gets its tokens.
type Kind string

// Kinds of principals.
const (
	// Client is an M2M client (client credentials), possibly for an organization.
	Client Kind = "client"
	// Member is a member of an organization holding one role there.
	Member Kind = "member"
	// MemberNoRole is a member without roles: a user of the connection who
	// joined an organization that assigns membership on login.
	MemberNoRole Kind = "member-no-role"
	// User is a person who logs in without an organization.
	User Kind = "user"
)

// Principal is one kind of caller the stack can give a token to, and what
// its tokens carry.
type Principal struct {
	Kind         Kind   `json:"kind"`
	Name         string `json:"name"` // how the table names it
	Client       string `json:"client,omitempty"`
	Organization string `json:"organization,omitempty"`
	// OrganizationID is the organization's ID, or ${org-NAME.id} when only
	// Auth0 knows it (no stack outputs were given).
	OrganizationID string `json:"organizationId,omitempty"`
	Role           string `json:"role,omitempty"`
	// Grants are the scopes (M2M) or permissions (people) of its tokens,
	// the models' permissions (model:NAME) included.
	Grants []string `json:"grants"`
	// Models are the declared models its tokens grant, in the stack's
	// order: the models a request of it may name. Absent without models.
	Models []string `json:"models,omitempty"`

	orgKnown bool
}

// Identity is what the gateway sees of this principal's tokens.
func (p Principal) Identity() *guard.Identity {
	id := &guard.Identity{Subject: p.Name, OrgID: p.OrganizationID, Scopes: p.Grants, Permissions: p.Grants}
	if p.Kind != Client {
		// A person's scope claim holds only the requested API scopes that
		// are also permissions, so permissions alone say what is granted.
		id.Scopes = nil
	}
	return id
}

// Principals lists the callers of a stack: each M2M client (and, for a
// client allowed any organization, the client in each organization), each
// role in each organization, a member with no role in each organization
// that assigns membership on login, and a person outside any organization.
// orgIDs maps organization names to IDs (the stack's `organizations`
// output); without an ID, an organization is ${org-NAME.id}. Notes say
// which callers the stack cannot enumerate.
func Principals(cfg *stackconfig.Config, orgIDs map[string]string) (principals []Principal, notes []string) {
	org := func(name string) (string, bool) {
		if id := orgIDs[name]; id != "" {
			return id, true
		}
		return "${org-" + name + ".id}", false
	}
	for _, c := range cfg.Clients {
		grants := sortedCopy(c.Grants())
		if c.OrganizationUsage != "require" {
			principals = append(principals, Principal{Kind: Client, Name: "client " + c.Name, Client: c.Name, Grants: grants, orgKnown: true})
		}
		if c.OrganizationUsage == "deny" {
			continue
		}
		// The organizations the grant is linked to (organizations), or
		// every one with allowAnyOrganization.
		linked := c.Organizations
		if c.AllowAnyOrganization {
			linked = nil
			for _, o := range cfg.Organizations {
				linked = append(linked, o.Name)
			}
		}
		for _, name := range linked {
			id, known := org(name)
			principals = append(principals, Principal{Kind: Client, Name: fmt.Sprintf("client %s in %s", c.Name, name), Client: c.Name,
				Organization: name, OrganizationID: id, Grants: grants, orgKnown: known})
		}
	}
	for _, o := range cfg.Organizations {
		id, known := org(o.Name)
		for _, r := range cfg.Roles {
			principals = append(principals, Principal{Kind: Member, Name: fmt.Sprintf("%s in %s", r.Name, o.Name),
				Organization: o.Name, OrganizationID: id, Role: r.Name, Grants: sortedCopy(r.Grants()), orgKnown: known})
		}
		if o.AssignMembershipOnLogin {
			principals = append(principals, Principal{Kind: MemberNoRole, Name: "no role in " + o.Name,
				Organization: o.Name, OrganizationID: id, Grants: []string{}, orgKnown: known})
		}
	}
	principals = append(principals, Principal{Kind: User, Name: "user, no organization", Grants: []string{}, orgKnown: true})
	for i := range principals {
		principals[i].Models = grantedModels(cfg, principals[i].Grants)
	}
	notes = append(notes, "user, no organization: a person who logs in without an organization, if the application allows it; the stack gives roles only within organizations")
	for _, a := range cfg.AgentClients {
		notes = append(notes, agentNote(a))
	}
	return principals, notes
}

// agentNote says what an agent's tokens carry: an agent (agentClients)
// calls for the person logged in through it, so it adds no caller of its
// own; its tokens hold that person's permissions within its grant.
func agentNote(a stackconfig.AgentClientConfig) string {
	grant := sortedCopy(a.Grants())
	if len(grant) == 0 {
		return fmt.Sprintf("agent %s: calls for the person logged in through it, with none of their permissions (its grant is empty)", a.MetadataURL)
	}
	return fmt.Sprintf("agent %s: calls for the person logged in through it, with their permissions within its grant (%s): a row above, never more", a.MetadataURL, strings.Join(grant, ", "))
}

// grantedModels are the declared models whose permission is in grants, in
// the stack's order; nil when the stack declares none.
func grantedModels(cfg *stackconfig.Config, grants []string) []string {
	if len(cfg.Models) == 0 {
		return nil
	}
	models := []string{}
	for _, m := range cfg.ModelNames() {
		if slices.Contains(grants, modelperm.Permission(m)) {
			models = append(models, m)
		}
	}
	return models
}

func sortedCopy(s []string) []string {
	out := slices.Clone(s)
	if out == nil {
		out = []string{}
	}
	slices.Sort(out)
	return slices.Compact(out)
}
