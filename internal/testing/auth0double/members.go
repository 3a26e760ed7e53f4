package auth0double

import (
	"maps"
	"slices"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
)

// Organization membership as Auth0 keeps it: one set of members per
// organization, whoever added them. The stack's OrganizationMembers (every
// member of an organization, as the provider reads it) and
// OrganizationMember (one membership) are views of it, and Join adds a
// member no resource declares, as a login through a connection that
// assigns membership on login does.

const (
	membersType = "auth0:index/organizationMembers:OrganizationMembers"
	memberType  = "auth0:index/organizationMember:OrganizationMember"
)

// Join makes userID a member of the organization orgID outside the stack:
// a person who joined at login.
func (p *Provider) Join(orgID, userID string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.org(orgID)[userID] = true
}

// Leave removes userID from the organization orgID outside the stack: a
// member removed by hand.
func (p *Provider) Leave(orgID, userID string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	delete(p.org(orgID), userID)
}

// Members returns the members of the organization orgID, sorted.
func (p *Provider) Members(orgID string) []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return slices.Sorted(maps.Keys(p.org(orgID)))
}

// org returns the member set of an organization; p.mu is held.
func (p *Provider) org(orgID string) map[string]bool {
	if p.memberships == nil {
		p.memberships = map[string]map[string]bool{}
	}
	if p.memberships[orgID] == nil {
		p.memberships[orgID] = map[string]bool{}
	}
	return p.memberships[orgID]
}

func stringProp(m resource.PropertyMap, key string) string {
	if v := m[resource.PropertyKey(key)]; v.IsString() {
		return v.StringValue()
	}
	return ""
}

func stringsProp(m resource.PropertyMap, key string) []string {
	var out []string
	if v := m[resource.PropertyKey(key)]; v.IsArray() {
		for _, e := range v.ArrayValue() {
			if e.IsString() {
				out = append(out, e.StringValue())
			}
		}
	}
	return out
}

// membershipCreated adds what a created membership resource declares.
func (p *Provider) membershipCreated(r *Resource) {
	switch r.Type {
	case membersType:
		set := p.org(stringProp(r.Inputs, "organizationId"))
		for _, u := range stringsProp(r.Inputs, "members") {
			set[u] = true
		}
	case memberType:
		p.org(stringProp(r.Inputs, "organizationId"))[stringProp(r.Inputs, "userId")] = true
	}
}

// membershipRead refreshes a membership resource as the provider reads it:
// OrganizationMembers lists every member of the organization, joined ones
// included; an OrganizationMember whose user is no longer a member is gone.
func (p *Provider) membershipRead(r *Resource) (gone bool) {
	switch r.Type {
	case membersType:
		members := []resource.PropertyValue{}
		for _, u := range slices.Sorted(maps.Keys(p.org(stringProp(r.Inputs, "organizationId")))) {
			members = append(members, resource.NewProperty(u))
		}
		r.Inputs = r.Inputs.Copy()
		r.Inputs["members"] = resource.NewProperty(members)
		r.Outputs = r.Outputs.Copy()
		r.Outputs["members"] = resource.NewProperty(members)
	case memberType:
		return !p.org(stringProp(r.Inputs, "organizationId"))[stringProp(r.Inputs, "userId")]
	}
	return false
}

// membershipUpdated applies an update of OrganizationMembers as the
// provider does: the members of the old state that the new list lacks are
// removed from the organization, the new ones added.
func (p *Provider) membershipUpdated(r *Resource, olds, news resource.PropertyMap) {
	if r.Type != membersType {
		return
	}
	set := p.org(stringProp(news, "organizationId"))
	keep := stringsProp(news, "members")
	for _, u := range stringsProp(olds, "members") {
		if !slices.Contains(keep, u) {
			delete(set, u)
		}
	}
	for _, u := range keep {
		set[u] = true
	}
}

// membershipDeleted removes what a deleted membership resource held: for
// OrganizationMembers, every member its state lists.
func (p *Provider) membershipDeleted(r *Resource) {
	switch r.Type {
	case membersType:
		set := p.org(stringProp(r.Inputs, "organizationId"))
		for _, u := range stringsProp(r.Outputs, "members") {
			delete(set, u)
		}
	case memberType:
		delete(p.org(stringProp(r.Inputs, "organizationId")), stringProp(r.Inputs, "userId"))
	}
}
