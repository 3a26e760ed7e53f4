// Package stackoutputs defines the outputs of the tenant stack, their
// names and JSON shape, for both of their writers (the Pulumi program's
// exports and the dev tenant), and reads them as `pulumi stack output
// --json > outputs.json` writes them, so that the gateway and the token
// client are configured from the stack itself.
package stackoutputs

import (
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"strings"
)

// Outputs are the stack outputs: what the program exports (exports.go at
// the repository's root) and the dev tenant writes, under the names of
// names.go. The enforcement side reads the tenant (audience, issuer,
// jwksUri, signingAlg, tokenEndpoint, tenantDomain), the organizations,
// the clients and the applications; apiId, connectionId and roleIds are
// for operators.
type Outputs struct {
	Audience string `json:"audience"`
	// SigningAlg is the one algorithm the API's tokens are signed with
	// (RS256 or PS256); empty in the outputs of a stack that predates it.
	SigningAlg    string            `json:"signingAlg"`
	Issuer        string            `json:"issuer"`
	JWKSURI       string            `json:"jwksUri"`
	TokenEndpoint string            `json:"tokenEndpoint"`
	TenantDomain  string            `json:"tenantDomain"`
	APIID         string            `json:"apiId"`
	ConnectionID  string            `json:"connectionId"`
	RoleIDs       map[string]string `json:"roleIds"`
	// Organizations maps organization names to their IDs.
	Organizations Organizations     `json:"organizations"`
	Clients       map[string]Client `json:"clients"`
	// WebApp and CLIApp are the applications people log in through (the
	// gateway's login, the command line); nil when the stack declares none.
	WebApp        *App          `json:"webApp,omitempty"`
	CLIApp        *App          `json:"cliApp,omitempty"`
	ClientSecrets ClientSecrets `json:"clientSecrets"`
	// Models are the names of the models the stack declares, each the
	// permission modelperm.Permission(name); absent when it declares none.
	Models []string `json:"models,omitempty"`
	// MCP says agents are expected (mcp.go); absent when the stack
	// declares no model-api-auth0:mcp.
	MCP *MCP `json:"mcp,omitempty"`
	// ProofOfPossession is the API's DPoP setting (dpop.go); nil when the
	// stack declares none.
	ProofOfPossession *ProofOfPossession `json:"proofOfPossession,omitempty"`
}

// ClientSecrets are the secrets of the M2M clients and of the web app, by
// name. The program exports them as a Pulumi secret, which `pulumi stack
// output --json` shows only with --show-secrets: without it, the file has
// the string "[secret]" in their place, and they load as nil.
type ClientSecrets map[string]string

// hiddenSecret is what `pulumi stack output --json` writes for a secret
// unless given --show-secrets.
const hiddenSecret = `"[secret]"`

// UnmarshalJSON reads the secrets, or Pulumi's placeholder for them as nil.
func (s *ClientSecrets) UnmarshalJSON(b []byte) error {
	if string(b) == hiddenSecret {
		*s = nil
		return nil
	}
	return json.Unmarshal(b, (*map[string]string)(s))
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
