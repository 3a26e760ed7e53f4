package main

import (
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/model-api-auth0/model-api-auth0/guard/tenanturl"
	"github.com/model-api-auth0/model-api-auth0/internal/tenant/stackoutputs"
)

// Exports are the stack outputs: what an API needs to validate tokens
// (audience, issuer, jwksUri, signingAlg), what M2M clients need to get them
// (clients, for an organization too), and what the gateway and the command
// line need to log people in (webApp, cliApp). Client secrets are exported
// only as a Pulumi secret.
func (t *Tenant) Exports() map[string]pulumi.Input {
	issuer := tenanturl.Issuer(t.Config.Domain)
	roleIDs := pulumi.StringMap{}
	for name, r := range t.API.Roles {
		roleIDs[name] = r.ID
	}
	orgIDs := pulumi.StringMap{}
	for name, o := range t.Organizations {
		orgIDs[name] = o.Organization.ID().ToStringOutput()
	}
	clients := pulumi.Map{}
	secrets := pulumi.StringMap{}
	for name, c := range t.Clients {
		clients[name] = pulumi.Map{
			stackoutputs.KeyClientID: c.Client.ClientId,
			stackoutputs.KeyGrantID:  c.Grant.ID().ToStringOutput(),
			// What a token request for an organization needs: whether
			// the grant takes one, and which (IDs in organizations).
			stackoutputs.KeyOrganizationUsage:    pulumi.String(c.Config.OrganizationUsage),
			stackoutputs.KeyAllowAnyOrganization: pulumi.Bool(c.Config.AllowAnyOrganization),
			stackoutputs.KeyClientOrganizations:  pulumi.ToStringArray(orEmpty(c.Config.Organizations)),
		}
		secrets[name] = c.Credentials.ClientSecret
	}
	exports := map[string]pulumi.Input{
		stackoutputs.KeyAudience:      t.API.Server.Identifier,
		stackoutputs.KeySigningAlg:    pulumi.String(t.Config.API.SigningAlg),
		stackoutputs.KeyIssuer:        pulumi.String(issuer),
		stackoutputs.KeyJWKSURI:       pulumi.String(tenanturl.JWKS(issuer)),
		stackoutputs.KeyTokenEndpoint: pulumi.String(tenanturl.Token(issuer)),
		stackoutputs.KeyTenantDomain:  pulumi.String(t.Config.Domain),
		stackoutputs.KeyAPIID:         t.API.Server.ID(),
		stackoutputs.KeyConnectionID:  t.Connection.ID(),
		stackoutputs.KeyRoleIDs:       roleIDs,
		stackoutputs.KeyOrganizations: orgIDs,
		stackoutputs.KeyClients:       clients,
	}
	if len(t.Config.Models) > 0 {
		// Absent without models, so that such a stack's outputs stay as they were.
		exports[stackoutputs.KeyModels] = pulumi.ToStringArray(t.Config.ModelNames())
	}
	if m := t.Config.MCP; m != nil {
		// Absent without mcp, so that such a stack's outputs stay as they were.
		exports[stackoutputs.KeyMCP] = pulumi.Map{stackoutputs.KeyPublicURL: pulumi.String(m.PublicURL)}
	}
	if p := t.Config.API.ProofOfPossession; p != nil {
		// Absent without it, as models: a gateway started from the
		// outputs requires DPoP when the stack requires it of all clients.
		pop := pulumi.Map{stackoutputs.KeyMechanism: pulumi.String(p.Mechanism), stackoutputs.KeyRequired: pulumi.Bool(p.Required)}
		if p.RequiredFor != "" { // only with required
			pop[stackoutputs.KeyRequiredFor] = pulumi.String(p.RequiredFor)
		}
		exports[stackoutputs.KeyProofOfPossession] = pop
	}
	if t.WebApp != nil {
		exports[stackoutputs.KeyWebApp] = t.WebApp.export()
		secrets[t.WebApp.Config.Name] = t.WebApp.Credentials.ClientSecret
	}
	if t.CLIApp != nil {
		exports[stackoutputs.KeyCLIApp] = t.CLIApp.export() // public: it has no secret
	}
	exports[stackoutputs.KeyClientSecrets] = pulumi.ToSecret(secrets)
	return exports
}

// export is what a login through the application needs; its secret, if it
// has one, is in clientSecrets under its name.
func (a *App) export() pulumi.Map {
	return pulumi.Map{
		stackoutputs.KeyName:                        pulumi.String(a.Config.Name),
		stackoutputs.KeyClientID:                    a.Client.ClientId,
		stackoutputs.KeyGrantID:                     a.Grant.ID().ToStringOutput(),
		stackoutputs.KeyCallbacks:                   pulumi.ToStringArray(a.Config.Callbacks),
		stackoutputs.KeyLogoutURLs:                  pulumi.ToStringArray(orEmpty(a.Config.LogoutURLs)),
		stackoutputs.KeyOrganizationUsage:           pulumi.String(a.Config.OrganizationUsage),
		stackoutputs.KeyOrganizationRequireBehavior: pulumi.String(a.Config.OrganizationRequireBehavior),
		stackoutputs.KeyScopes:                      pulumi.ToStringArray(a.Config.Scopes),
	}
}

// orEmpty makes a nil list an empty one, so that the output is a list.
func orEmpty(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
