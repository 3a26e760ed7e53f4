package stackconfig

import (
	"fmt"
	"net/url"
	"unicode/utf8"

	"github.com/model-api-auth0/model-api-auth0/internal/tenant/stackoutputs"
)

// organizations checks the organizations and their members, and returns
// the set of their names, which clients' organizations refer to.
func (v *validator) organizations(orgs []OrganizationConfig, roles, testUsers map[string]bool) map[string]bool {
	names := make([]string, len(orgs))
	for i, o := range orgs {
		names[i] = o.Name
		op := fmt.Sprintf("%s[%s]", KeyOrganizations, label(o.Name, i))
		if len(o.Name) < 1 || len(o.Name) > maxOrgNameLen || !orgNamePattern.MatchString(o.Name) {
			v.addf(op+".name", "%q: want 1 to %d lowercase letters, digits, _ and -", o.Name, maxOrgNameLen)
		} else if stackoutputs.IsOrganizationID(o.Name) {
			// Names and IDs go through the same flags and files (cmd/token
			// -org, the web login's organization, the limits file), which
			// tell them apart by this shape.
			v.addf(op+".name", "%q has the shape of an organization ID (org_ and letters or digits): the token client, the web login and the limits file would take it for one; choose a name without the org_ prefix", o.Name)
		}
		if n := utf8.RuneCountInString(o.DisplayName); n < 1 || n > maxOrgDisplayNameLen {
			v.addf(op+".displayName", "is %d characters; want 1 to %d", n, maxOrgDisplayNameLen)
		}
		if b := o.Branding; b != nil {
			if u, err := url.Parse(b.LogoURL); b.LogoURL != "" && (err != nil || u.Scheme != "https" || u.Host == "") {
				v.addf(op+".branding.logoUrl", "%q: want an https:// URL", b.LogoURL)
			}
			v.color(op+".branding.primaryColor", b.PrimaryColor)
			v.color(op+".branding.pageBackground", b.PageBackground)
		}
		if n := len(o.Connections) + 1; n > maxOrgConnections {
			v.addf(op+".connections", "%d connections with %s; Auth0 allows at most %d per organization", n, KeyConnection, maxOrgConnections)
		}
		for j, id := range o.Connections {
			if !connectionIDPattern.MatchString(id) {
				v.addf(fmt.Sprintf("%s.connections[%d]", op, j), "%q: want a connection ID such as con_0000000000000001", id)
			}
		}
		v.unique(op+".connections", "connection", o.Connections)
		v.members(op, o.Members, roles, testUsers)
	}
	return v.unique(KeyOrganizations, "organization", names)
}

func (v *validator) color(path, color string) {
	if color != "" && !colorPattern.MatchString(color) {
		v.addf(path, "%q: want a color as #rrggbb", color)
	}
}

func (v *validator) members(op string, members []MemberConfig, roles, testUsers map[string]bool) {
	keys := make([]string, len(members))
	for j, m := range members {
		keys[j] = m.Key()
		mp := op + ".members[" + label(m.Key(), j) + "]"
		switch {
		case (m.UserID == "") == (m.Email == ""):
			v.addf(mp, "set exactly one of userId (an existing user, such as auth0|64f1...) or email (a test user of this stack)")
		case m.UserID != "" && !userIDPattern.MatchString(m.UserID):
			v.addf(mp+".userId", "%q: want a user ID such as auth0|64f1c0ffee", m.UserID)
		case m.Email != "" && !testUsers[m.Email]:
			v.addf(mp+".email", "%q is not declared in %s; members by email must be test users of this stack", m.Email, KeyTestUsers)
		}
		if len(m.Roles) > maxRolesPerMember {
			v.addf(mp+".roles", "%d roles; Auth0 allows at most %d per member", len(m.Roles), maxRolesPerMember)
		}
		v.declared(mp+".roles", "role", m.Roles, roles, KeyRoles)
		if len(m.Roles) > 1 {
			v.unique(mp+".roles", "role", m.Roles)
		}
	}
	v.unique(op+".members", "member", keys)
}
