package websession

import (
	"cmp"
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/model-api-auth0/model-api-auth0/internal/tenant/stackoutputs"
)

// ErrUnknownOrganization: /login asked for an organization name that the
// stack outputs (Config.Organizations) do not list.
var ErrUnknownOrganization = errors.New("there is no organization of that name")

var orgName = regexp.MustCompile(`^[a-z0-9_-]{1,50}$`)

// validOrg reports whether s is an Auth0 organization name or ID (an ID of
// at most 64 characters after org_: a login names it in a public URL).
func validOrg(s string) bool {
	return orgName.MatchString(s) || (stackoutputs.IsOrganizationID(s) && len(s) <= len("org_")+64)
}

// organization is the one a login asks for.
type organization struct {
	param string // Auth0's organization parameter: the ID, or a name sent as given
	name  string // its name, when known
}

// resolveOrg finds the organization parameter for what a login asks for
// (already checked by validOrg). Auth0 takes an ID there, a name only on a
// tenant that allows organization names in the Authentication API: with
// the stack outputs a name becomes its ID, and one they do not list is
// ErrUnknownOrganization. An org_ ID passes through, listed or not: the
// tenant checks it. Without outputs, the value is sent as given.
func (c *Config) resolveOrg(asked string) (organization, error) {
	if asked == "" || c.Organizations == nil {
		o := organization{param: asked}
		if !stackoutputs.IsOrganizationID(asked) {
			o.name = asked
		}
		return o, nil
	}
	if name, id, ok := c.Organizations.Find(asked); ok {
		return organization{param: id, name: name}, nil
	}
	if stackoutputs.IsOrganizationID(asked) {
		return organization{param: asked}, nil
	}
	return organization{}, ErrUnknownOrganization
}

// checkDefaultOrg reports a DefaultOrg the stack outputs do not list,
// naming the ones they do.
func (c *Config) checkDefaultOrg() error {
	if c.DefaultOrg == "" || !validOrg(c.DefaultOrg) {
		return nil // none, or reported as malformed
	}
	if _, err := c.resolveOrg(c.DefaultOrg); err == nil {
		return nil
	}
	return fmt.Errorf("login: default organization %q (-default-org or AUTH0_DEFAULT_ORG): %w (%s): give one of these names, or an organization ID (org_...)",
		c.DefaultOrg, stackoutputs.ErrUnknownOrganization, c.Organizations.Listed())
}

// sameOrg compares the organization a login asked for, by ID (org_...) or
// by name, with the ID token's, as Auth0 says to check it.
func sameOrg(asked, id, name string) bool {
	if stackoutputs.IsOrganizationID(asked) {
		return id == asked
	}
	return id != "" && strings.EqualFold(name, asked)
}

// describeOrg names an organization in messages: name (ID), or either.
func describeOrg(name, id string) string {
	return cmp.Or(stackoutputs.Describe(name, id), "no organization")
}

// refusalHint is what to add to the tenant's refusal of a login that sent
// an organization name as given: Auth0 refuses one with invalid_request
// unless the tenant allows names. The gateway's operator can fix it.
func refusalHint(tx pending, code string) string {
	if code != "invalid_request" || tx.Org == "" || stackoutputs.IsOrganizationID(tx.Org) {
		return ""
	}
	return fmt.Sprintf(" (the organization %q was sent as a name: the gateway needs the stack outputs (-stack-outputs) to send its ID, "+
		"or the tenant must allow organization names in the Authentication API; or log in with the organization's ID, org_...)", tx.Org)
}
