package main

import (
	"errors"
	"fmt"
	"strings"

	"github.com/golang-jwt/jwt/v5"
	"golang.org/x/oauth2"

	"github.com/model-api-auth0/model-api-auth0/internal/callers/tokenstore"
	"github.com/model-api-auth0/model-api-auth0/internal/tenant/stackoutputs"
)

// ErrOrganizationMismatch is returned for a token the tenant issued for
// another organization than the one asked for, or without saying which.
var ErrOrganizationMismatch = errors.New("the token is not for the organization asked for")

// orgFlagHelp is the -org flag's help.
const orgFlagHelp = "the organization, by `name|org_ID`: with -stack-outputs a name is resolved to its ID (an unknown name is an error); " +
	"without, it is sent as given, which Auth0 accepts only if the tenant allows organization names in the Authentication API " +
	"(tenant setting allowOrganizationNameInAuthenticationApi)"

// organization is the one -org asks for.
type organization struct {
	asked string // as given to -org; "" for none
	id    string // its ID (org_...), when known: given, or resolved by the stack outputs
	name  string // its name, when known
}

// resolveOrganization checks -org and, with the stack outputs (out not
// nil), resolves a name to its ID. An org_ ID passes through, listed in
// the outputs or not; an unknown name is an error listing the stack's.
func resolveOrganization(asked string, out *stackoutputs.Outputs) (organization, error) {
	o := organization{asked: asked}
	switch {
	case asked == "":
		return o, nil
	case !stackoutputs.IsOrganizationNameOrID(asked):
		return o, fmt.Errorf("-org %q: want an organization name or ID (org_...): letters, digits, _ and -, at most 50", asked)
	case out != nil:
		if name, id, ok := out.Organizations.Find(asked); ok {
			o.id, o.name = id, name
			return o, nil
		}
	}
	if stackoutputs.IsOrganizationID(asked) {
		o.id = asked
		return o, nil
	}
	if out != nil {
		return o, fmt.Errorf("-org %q: %w (%s)", asked, stackoutputs.ErrUnknownOrganization, out.Organizations.Listed())
	}
	o.name = asked // flags only: sent as given, for a tenant that allows names
	return o, nil
}

// param is Auth0's organization parameter: the ID when known.
func (o organization) param() string {
	if o.id != "" {
		return o.id
	}
	return o.asked
}

// String names the organization in messages: name (ID).
func (o organization) String() string { return stackoutputs.Describe(o.name, o.id) }

// matches reports whether a stored login is for this organization, or for
// any with no -org. Logins are stored under the organization's ID, with
// its name; one stored by an earlier version, under the name -org gave.
func (o organization) matches(l *tokenstore.Login) bool {
	if o.asked == "" {
		return true
	}
	for _, v := range []string{l.Organization, l.OrganizationName} {
		if v != "" && (v == o.asked || v == o.id || v == o.name) {
			return true
		}
	}
	return false
}

// nameOf is the name the stack outputs give the organization of that ID;
// "" without outputs or if they do not list it.
func nameOf(out *stackoutputs.Outputs, id string) string {
	if out == nil {
		return ""
	}
	return out.Organizations.NameOf(id)
}

// unresolvedName reports whether a name is sent as given, which a tenant
// that takes organization IDs only refuses.
func (o organization) unresolvedName() bool { return o.asked != "" && o.id == "" }

// refusalHint is what to add to the tenant's refusal (OAuth error code) of
// a request that sent a name as given: the likely cause, and the ways out.
// Auth0 refuses a name with invalid_request.
func (o organization) refusalHint(code string) string {
	if !o.unresolvedName() || code != "invalid_request" {
		return ""
	}
	return fmt.Sprintf("\n-org %s is sent as given: give -stack-outputs to resolve the name to its ID, give the ID (org_...), or allow organization names in the tenant (Auth0: Settings, Advanced, \"Allow Organization Names in Authentication API\")", o.asked)
}

// tokenOrganization reads the organization an access token was issued for:
// org_id, and org_name if the tenant adds it. The signature is not checked:
// the token comes straight from the tenant's token endpoint (over TLS, or
// on loopback), or from the person's own private store; the API checks it.
func tokenOrganization(accessToken string) (id, name string, err error) {
	var claims struct {
		jwt.RegisteredClaims
		OrgID   string `json:"org_id"`
		OrgName string `json:"org_name"`
	}
	if _, _, err := jwt.NewParser().ParseUnverified(accessToken, &claims); err != nil {
		return "", "", fmt.Errorf("the access token is not a JWT whose organization can be read: %w", err)
	}
	return claims.OrgID, claims.OrgName, nil
}

// check refuses an access token that is not for the organization asked
// for, as Auth0's SDKs check a login's ID token: an ID must be the token's
// org_id; a name sent as given, its org_name.
func (o organization) check(accessToken string) error {
	if o.asked == "" {
		return nil
	}
	id, name, err := tokenOrganization(accessToken)
	if err != nil {
		return fmt.Errorf("%w: %v", ErrOrganizationMismatch, err)
	}
	if o.id != "" && id == o.id || o.id == "" && id != "" && strings.EqualFold(name, o.name) {
		return nil
	}
	got := "a token without an organization"
	if id != "" {
		got = id
		if name != "" {
			got = name + " (" + id + ")"
		}
	}
	return fmt.Errorf("%w: asked for %s, got %s", ErrOrganizationMismatch, o, got)
}

// checkedSource refuses tokens for another organization than o.
type checkedSource struct {
	src oauth2.TokenSource
	org organization
}

func (s checkedSource) Token() (*oauth2.Token, error) {
	tok, err := s.src.Token()
	if err != nil {
		return nil, err
	}
	if err := s.org.check(tok.AccessToken); err != nil {
		return nil, err
	}
	return tok, nil
}
