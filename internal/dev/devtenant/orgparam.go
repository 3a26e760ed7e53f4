package devtenant

import (
	"fmt"
	"strings"
)

// clientOrganization applies the grant's organizationUsage to the
// organization parameter of a client-credentials request.
func (t *Tenant) clientOrganization(c *client, param string) (*organization, error) {
	switch {
	case param == "" && c.OrganizationUsage == "require":
		return nil, errInvalidRequest(fmt.Sprintf("the grant of %s has organizationUsage require: send the organization parameter", c.Name))
	case param == "":
		return nil, nil
	case c.OrganizationUsage != "allow" && c.OrganizationUsage != "require":
		return nil, errInvalidRequest(fmt.Sprintf("the grant of %s has organizationUsage %s: it cannot get tokens for an organization", c.Name, c.OrganizationUsage))
	}
	o, err := t.organizationParam(param)
	switch {
	case err != nil:
		return nil, err
	case !c.AllowAnyOrganization && !c.Orgs[o.ID]:
		return nil, errAccessDenied(fmt.Sprintf("%s is not linked to the organization %s, and its grant does not allow any organization", c.Name, o.Name))
	}
	return o, nil
}

// organizationParam finds the organization Auth0's organization parameter
// names: by ID, or by name unless the tenant takes IDs only (as Auth0 does
// unless the tenant allows organization names in the Authentication API).
func (t *Tenant) organizationParam(param string) (*organization, *oauthError) {
	if o := t.dir.orgByID[param]; o != nil {
		return o, nil
	}
	if t.orgIDsOnly && !strings.HasPrefix(param, "org_") {
		return nil, errInvalidRequest(fmt.Sprintf("parameter organization must be an organization id (org_...), not %q: this tenant does not allow organization names in the Authentication API", param))
	}
	if o := t.dir.org(param); o != nil {
		return o, nil
	}
	return nil, errInvalidRequest(fmt.Sprintf("parameter organization is invalid: no organization with the name or ID %q", param))
}
