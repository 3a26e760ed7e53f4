package proxy

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/model-api-auth0/model-api-auth0/guard"
	"github.com/model-api-auth0/model-api-auth0/internal/gateway/ledger"
)

// The permissions of the usage reports, declared on the API in the tenant
// and given to admins' roles.
const (
	// PermissionReadUsage lets an organization's admin read the usage of
	// their organization: the token's org_id, whatever the query asks.
	PermissionReadUsage = "read:usage"
	// PermissionReadUsageAll lets a platform admin read every organization's.
	PermissionReadUsageAll = "read:usage:all"
)

// usageRoutes serve the ledger's reports (ledger.ReportHandler) and a
// person's own usage for the page (ledger.PersonHandler), which any valid
// token or session may ask for: it only ever shows its own subject's.
var usageRoutes = []Route{
	{Pattern: "GET /v1/usage", AnyOf: []string{PermissionReadUsage, PermissionReadUsageAll}},
	{Pattern: "GET /v1/usage/me"},
}

func registerUsage(mux *http.ServeMux, v *guard.Validator, auth func(http.Handler) http.Handler, q ledger.Querier) {
	if q == nil {
		return
	}
	handlers := []http.Handler{ledger.ReportHandler(q, usageScope), ledger.PersonHandler(q, personAsking)}
	for i, r := range usageRoutes {
		mux.Handle(r.Pattern, auth(v.Require(r.Requirement())(handlers[i])))
	}
}

// usageScope is what the caller's token lets it see: every organization
// with read:usage:all, its own organization with read:usage. Only the
// verified token decides; the report's org parameter is checked against it.
func usageScope(r *http.Request) (org string, all bool, err error) {
	id, _ := guard.IdentityFrom(r.Context())
	switch {
	case id == nil:
		return "", false, errors.New("usage reports need a token")
	case id.Has(PermissionReadUsageAll):
		return "", true, nil
	case id.Has(PermissionReadUsage) && id.OrgID != "":
		return id.OrgID, false, nil
	case id.Has(PermissionReadUsage):
		return "", false, fmt.Errorf("your token names no organization: %s shows an organization's usage to its admins; sign in to your organization", PermissionReadUsage)
	}
	return "", false, fmt.Errorf("usage reports need the permission %s (an organization's admin) or %s (a platform admin)", PermissionReadUsage, PermissionReadUsageAll)
}

// personAsking is the person whose token or session asks; a machine's
// token (CLIENT_ID@clients) is no person's.
func personAsking(r *http.Request) (string, error) {
	if id, _ := guard.IdentityFrom(r.Context()); id != nil {
		return person(id.Subject), nil
	}
	return "", nil
}

// checkUsageRoutes reports proxied routes that would take a usage route.
func checkUsageRoutes(q ledger.Querier, routes []Route) error {
	if q == nil {
		return nil
	}
	patterns := make([]string, len(usageRoutes))
	for i, r := range usageRoutes {
		patterns[i] = r.Pattern
	}
	return checkTaken(patterns, routes, "the usage reports")
}
