package guard

import (
	"fmt"
	"slices"
	"strings"
)

// Requirement is what a route needs from a valid token. The zero value
// accepts any valid token.
type Requirement struct {
	// AnyOf: at least one of these, as a scope or an RBAC permission.
	AnyOf []string `json:"anyOf,omitempty"`
	// AllOf: every one of these, as scopes or permissions.
	AllOf []string `json:"allOf,omitempty"`
	// RequireOrg refuses tokens not issued for an organization (no org_id).
	RequireOrg bool `json:"requireOrg,omitempty"`
	// Orgs, when set, is the only organization IDs accepted (and implies RequireOrg).
	Orgs []string `json:"orgs,omitempty"`
	// DPoP refuses bearer tokens: only a DPoP-bound token with its proof
	// passes (the Validator's DPoP mode must not be disabled).
	DPoP bool `json:"dpop,omitempty"`
}

// Check reports ErrInsufficientScope or ErrOrganization when id does not
// meet the requirement.
func (r Requirement) Check(id *Identity) error {
	var missing []string
	for _, name := range r.AllOf {
		if !id.Has(name) {
			missing = append(missing, name)
		}
	}
	if len(r.AnyOf) > 0 && !slices.ContainsFunc(r.AnyOf, id.Has) {
		missing = append(missing, "one of "+strings.Join(r.AnyOf, ", "))
	}
	if len(missing) > 0 {
		return fmt.Errorf("%w: needs %s", ErrInsufficientScope, strings.Join(missing, " and "))
	}
	switch {
	case (r.RequireOrg || len(r.Orgs) > 0) && id.OrgID == "":
		return fmt.Errorf("%w: the token was not issued for an organization", ErrOrganization)
	case len(r.Orgs) > 0 && !slices.Contains(r.Orgs, id.OrgID):
		return fmt.Errorf("%w: organization %q may not call this route", ErrOrganization, id.OrgID)
	}
	return nil
}

// Scopes are the scopes and permissions r names, AllOf's then AnyOf's,
// each once: what a client asks the tenant for to call the route. Every
// WWW-Authenticate challenge of a refusal names them in its scope (RFC
// 6750 section 3), so that a client that follows it (an MCP client does)
// gets a token for the whole operation at once.
func (r Requirement) Scopes() []string {
	var scopes []string
	for _, s := range append(slices.Clone(r.AllOf), r.AnyOf...) {
		if !slices.Contains(scopes, s) {
			scopes = append(scopes, s)
		}
	}
	return scopes
}
