package main

import (
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/model-api-auth0/model-api-auth0/internal/tenant/tenanturl"
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
			"clientId": c.Client.ClientId,
			"grantId":  c.Grant.ID().ToStringOutput(),
			// What a token request for an organization needs: whether
			// the grant takes one, and which (IDs in organizations).
			"organizationUsage":    pulumi.String(c.Config.OrganizationUsage),
			"allowAnyOrganization": pulumi.Bool(c.Config.AllowAnyOrganization),
			"organizations":        pulumi.ToStringArray(orEmpty(c.Config.Organizations)),
		}
		secrets[name] = c.Credentials.ClientSecret
	}
	exports := map[string]pulumi.Input{
		"audience":      t.API.Server.Identifier,
		"signingAlg":    pulumi.String(t.Config.API.SigningAlg),
		"issuer":        pulumi.String(issuer),
		"jwksUri":       pulumi.String(tenanturl.JWKS(issuer)),
		"tokenEndpoint": pulumi.String(tenanturl.Token(issuer)),
		"tenantDomain":  pulumi.String(t.Config.Domain),
		"apiId":         t.API.Server.ID(),
		"connectionId":  t.Connection.ID(),
		"roleIds":       roleIDs,
		"organizations": orgIDs,
		"clients":       clients,
	}
	if t.WebApp != nil {
		exports["webApp"] = t.WebApp.export()
		secrets[t.WebApp.Config.Name] = t.WebApp.Credentials.ClientSecret
	}
	if t.CLIApp != nil {
		exports["cliApp"] = t.CLIApp.export() // public: it has no secret
	}
	exports["clientSecrets"] = pulumi.ToSecret(secrets)
	return exports
}

// export is what a login through the application needs; its secret, if it
// has one, is in clientSecrets under its name.
func (a *App) export() pulumi.Map {
	return pulumi.Map{
		"name":                        pulumi.String(a.Config.Name),
		"clientId":                    a.Client.ClientId,
		"grantId":                     a.Grant.ID().ToStringOutput(),
		"callbacks":                   pulumi.ToStringArray(a.Config.Callbacks),
		"logoutUrls":                  pulumi.ToStringArray(orEmpty(a.Config.LogoutURLs)),
		"organizationUsage":           pulumi.String(a.Config.OrganizationUsage),
		"organizationRequireBehavior": pulumi.String(a.Config.OrganizationRequireBehavior),
		"scopes":                      pulumi.ToStringArray(a.Config.Scopes),
	}
}

// orEmpty makes a nil list an empty one, so that the output is a list.
func orEmpty(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
