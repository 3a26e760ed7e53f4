// Package access answers "who can call what": for a stack and the routes
// the gateway serves, every principal the stack can give a token to (M2M
// clients, each role in each organization, members without a role, people
// without an organization) against every route, allowed or denied and why.
//
// Nothing is re-implemented: each principal becomes the guard.Identity its
// tokens would give, and each route's guard.Requirement checks it with
// Requirement.Check, the function the gateway's middleware calls. A test
// holds the table to real tokens from the dev tenant sent through the real
// proxy.
package access

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/model-api-auth0/model-api-auth0/guard"
	"github.com/model-api-auth0/model-api-auth0/internal/gateway/proxy"
	"github.com/model-api-auth0/model-api-auth0/internal/tenant/stackconfig"
)

// Verdict is the answer of one cell of the table.
type Verdict string

// Verdicts.
const (
	Allowed Verdict = "allowed"
	Denied  Verdict = "denied"
	// Unknown: the route admits only some organization IDs, and the
	// principal's organization ID is known only once the stack is deployed.
	Unknown Verdict = "unknown"
)

// Decision is one principal against one route.
type Decision struct {
	Verdict Verdict `json:"verdict"`
	// Reason is why not: the message the gateway's 403 carries, or what an
	// unknown verdict depends on.
	Reason string `json:"reason,omitempty"`
}

// Route is a route the gateway guards.
type Route struct {
	Pattern     string            `json:"pattern"`
	Requirement guard.Requirement `json:"requirement"`
}

// Table is the whole answer for a stack.
type Table struct {
	Stack string `json:"stack"`
	// RoutesFrom says where the routes come from.
	RoutesFrom string      `json:"routesFrom"`
	Routes     []Route     `json:"routes"`
	Principals []Principal `json:"principals"`
	// Models are the models the stack declares, in its order; each
	// principal's Models say which of them it may call.
	Models []string `json:"models,omitempty"`
	// Decisions[i][j] is Principals[i] calling Routes[j].
	Decisions [][]Decision `json:"-"`
	Notes     []string     `json:"notes,omitempty"`
	orgNames  map[string]string
}

// DefaultRoutesFrom describes the routes Compute uses when given none.
const DefaultRoutesFrom = "the gateway's default routes and its reference routes"

// Compute builds the table for a validated stack configuration. routes
// are the proxied routes (proxy.DefaultRoutes when nil); the gateway's
// reference routes are always added, as the gateway always serves them.
// orgIDs maps organization names to IDs, as in the stack's outputs.
func Compute(stack string, cfg *stackconfig.Config, routes []proxy.Route, routesFrom string, orgIDs map[string]string) (*Table, error) {
	if routes == nil {
		routes, routesFrom = proxy.DefaultRoutes(), DefaultRoutesFrom
	}
	all := append(slices.Clone(routes), proxy.ReferenceRoutes()...)
	if err := proxy.ValidateRoutes(routes); err != nil {
		return nil, fmt.Errorf("routes (%s): %w", routesFrom, err)
	}
	t := &Table{Stack: stack, RoutesFrom: routesFrom, orgNames: map[string]string{}}
	for name, id := range orgIDs {
		t.orgNames[id] = name
	}
	for _, r := range all {
		t.Routes = append(t.Routes, Route{Pattern: r.Pattern, Requirement: r.Requirement()})
	}
	t.Principals, t.Notes = Principals(cfg, orgIDs)
	t.Models = cfg.ModelNames()
	t.Decisions = make([][]Decision, len(t.Principals))
	for i, p := range t.Principals {
		for _, r := range t.Routes {
			t.Decisions[i] = append(t.Decisions[i], decide(p, r.Requirement))
		}
	}
	return t, nil
}

// decide checks the principal's identity as the gateway would. When the
// scopes pass but the route names organization IDs and this organization's
// ID is not known, the answer depends on the ID.
func decide(p Principal, req guard.Requirement) Decision {
	err := req.Check(p.Identity())
	switch {
	case errors.Is(err, guard.ErrInsufficientScope):
		return Decision{Verdict: Denied, Reason: err.Error()}
	case len(req.Orgs) > 0 && p.OrganizationID != "" && !p.orgKnown:
		return Decision{Verdict: Unknown, Reason: fmt.Sprintf("allowed only if the ID of %s is one of %s: give the stack outputs to know",
			p.Organization, strings.Join(req.Orgs, ", "))}
	case err != nil:
		return Decision{Verdict: Denied, Reason: err.Error()}
	}
	return Decision{Verdict: Allowed}
}

// Decision returns the decision for a principal and a route, by name and pattern.
func (t *Table) Decision(principal, pattern string) (Decision, bool) {
	i := slices.IndexFunc(t.Principals, func(p Principal) bool { return p.Name == principal })
	j := slices.IndexFunc(t.Routes, func(r Route) bool { return r.Pattern == pattern })
	if i < 0 || j < 0 {
		return Decision{}, false
	}
	return t.Decisions[i][j], true
}

// needs describes a requirement for people: what a token must carry.
func (t *Table) needs(req guard.Requirement) string {
	var parts []string
	if len(req.AllOf) > 0 {
		parts = append(parts, strings.Join(req.AllOf, " and "))
	}
	if len(req.AnyOf) > 0 {
		parts = append(parts, "one of "+strings.Join(req.AnyOf, ", "))
	}
	switch {
	case len(req.Orgs) > 0:
		names := make([]string, len(req.Orgs))
		for i, id := range req.Orgs {
			names[i] = id
			if n := t.orgNames[id]; n != "" {
				names[i] = fmt.Sprintf("%s (%s)", n, id)
			}
		}
		parts = append(parts, "organization "+strings.Join(names, " or "))
	case req.RequireOrg:
		parts = append(parts, "an organization")
	}
	if len(parts) == 0 {
		return "any valid token"
	}
	return strings.Join(parts, "; ")
}
