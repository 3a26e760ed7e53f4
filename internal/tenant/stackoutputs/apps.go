package stackoutputs

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
)

// App is an application people log in through, as the stack exports it
// (webApp, cliApp). The web app's secret is in clientSecrets under its
// name; the CLI app, a public client, has none.
type App struct {
	Name       string   `json:"name"`
	ClientID   string   `json:"clientId"`
	GrantID    string   `json:"grantId"`
	Callbacks  []string `json:"callbacks"`
	LogoutURLs []string `json:"logoutUrls"`
	// OrganizationUsage is deny, allow or require; with require,
	// OrganizationRequireBehavior says who picks the organization
	// (no_prompt: the application must send it).
	OrganizationUsage           string   `json:"organizationUsage"`
	OrganizationRequireBehavior string   `json:"organizationRequireBehavior"`
	Scopes                      []string `json:"scopes"`
}

// Errors of ClientOrganization.
var (
	// ErrUnknownClient: the outputs have no client of that name.
	ErrUnknownClient = errors.New("no such client in the stack outputs")
	// ErrUnknownOrganization: the outputs have no organization of that name or ID.
	ErrUnknownOrganization = errors.New("no such organization in the stack outputs")
	// ErrOrganizationNotAllowed: the client's grant gives no token for that organization.
	ErrOrganizationNotAllowed = errors.New("the client's grant gives no token for that organization")
)

// ClientOrganization returns the organization ID a token request of the
// named M2M client sends as Auth0's organization parameter, for org given by
// name or ID. It refuses, before any request, an organization the client's
// grant gives no token for: one its grant denies, or one it is not linked to
// unless it may use any. Outputs from before organization links only have
// the ID resolved.
func (o *Outputs) ClientOrganization(client, org string) (string, error) {
	c, ok := o.Clients[client]
	if !ok {
		return "", fmt.Errorf("%w: %q (it has: %s)", ErrUnknownClient, client, strings.Join(slices.Sorted(maps.Keys(o.Clients)), ", "))
	}
	name, id, ok := o.Organizations.Find(org)
	if !ok {
		return "", fmt.Errorf("%w: %q (%s)", ErrUnknownOrganization, org, o.Organizations.Listed())
	}
	switch {
	case c.OrganizationUsage == "":
	case c.OrganizationUsage == "deny":
		return "", fmt.Errorf("%w: client %q's grant denies organizations (organizationUsage deny); ask without an organization, or change the client in the stack",
			ErrOrganizationNotAllowed, client)
	case !c.AllowAnyOrganization && !slices.Contains(c.Organizations, name):
		linked := "none"
		if len(c.Organizations) > 0 {
			linked = strings.Join(c.Organizations, ", ")
		}
		return "", fmt.Errorf("%w: client %q is linked to these organizations: %s; add %s to its organizations in the stack",
			ErrOrganizationNotAllowed, client, linked, name)
	}
	return id, nil
}

// RequiresOrganization reports whether the client's grant gives tokens only
// for an organization: a request without one is refused.
func (c Client) RequiresOrganization() bool { return c.OrganizationUsage == "require" }

// ErrNoCLIApp is returned by CLIClientID when the outputs have no cliApp
// with a client ID: the stack declares no command-line application.
var ErrNoCLIApp = errors.New("the stack outputs have no cliApp: declare model-api-auth0:cliApp in the stack and update it, then write the outputs again")

// CLIClientID is the client ID people log in with from the command line:
// the stack's cliApp export (model-api-auth0:cliApp).
func (o *Outputs) CLIClientID() (string, error) {
	if o.CLIApp == nil || o.CLIApp.ClientID == "" {
		return "", ErrNoCLIApp
	}
	return o.CLIApp.ClientID, nil
}

// ClientIDs maps every client the stack names to its client ID: the M2M
// clients, and the web and CLI apps people log in through.
func (o *Outputs) ClientIDs() Names {
	ids := Names{}
	for name, c := range o.Clients {
		ids[name] = c.ClientID
	}
	for _, app := range []*App{o.WebApp, o.CLIApp} {
		if app != nil && app.Name != "" && app.ClientID != "" {
			ids[app.Name] = app.ClientID
		}
	}
	return ids
}
