// Package stackoutputs reads the outputs of the tenant stack as
// `pulumi stack output --json > outputs.json` writes them, so that the
// gateway and the token client are configured from the stack itself.
package stackoutputs

import (
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"strings"
)

// Outputs are the stack outputs the enforcement side uses.
type Outputs struct {
	Audience string `json:"audience"`
	// SigningAlg is the one algorithm the API's tokens are signed with
	// (RS256 or PS256); empty in the outputs of a stack that predates it.
	SigningAlg    string            `json:"signingAlg"`
	Issuer        string            `json:"issuer"`
	JWKSURI       string            `json:"jwksUri"`
	TokenEndpoint string            `json:"tokenEndpoint"`
	TenantDomain  string            `json:"tenantDomain"`
	Clients       map[string]Client `json:"clients"`
	// Organizations maps organization names to their IDs.
	Organizations Organizations `json:"organizations"`
	// WebApp and CLIApp are the applications people log in through (the
	// gateway's login, the command line); nil when the stack declares none.
	WebApp *App `json:"webApp"`
	CLIApp *App `json:"cliApp"`
	// NativeApp is the dev tenant's name for its command-line client
	// (cmd/devtenant's outputs); CLIClientID falls back to it.
	NativeApp *App `json:"nativeApp"`
}

// Client is one M2M client of the stack.
type Client struct {
	ClientID string `json:"clientId"`
	GrantID  string `json:"grantId"`
	// OrganizationUsage is its grant's: deny, allow or require; empty in
	// the outputs of a stack that predates it.
	OrganizationUsage    string `json:"organizationUsage"`
	AllowAnyOrganization bool   `json:"allowAnyOrganization"`
	// Organizations are the names of the organizations it may get tokens
	// for (besides any, with AllowAnyOrganization).
	Organizations []string `json:"organizations"`
}

// Load reads a file written by `pulumi stack output --json`.
func Load(path string) (*Outputs, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var o Outputs
	if err := json.Unmarshal(b, &o); err != nil {
		return nil, fmt.Errorf("%s: not the output of `pulumi stack output --json`: %w", path, err)
	}
	if o.Audience == "" || o.Issuer == "" {
		return nil, fmt.Errorf("%s: no audience or issuer; write it with `pulumi stack output --json > %s` in the tenant project", path, path)
	}
	return &o, nil
}

// ClientID returns the client ID of the named client, or an error listing
// the clients there are.
func (o *Outputs) ClientID(name string) (string, error) {
	c, ok := o.Clients[name]
	if !ok {
		names := make([]string, 0, len(o.Clients))
		for n := range o.Clients {
			names = append(names, n)
		}
		slices.Sort(names)
		return "", fmt.Errorf("the stack has no client %q (it has: %s)", name, strings.Join(names, ", "))
	}
	return c.ClientID, nil
}
