package main

import (
	"github.com/pulumi/pulumi-auth0/sdk/v3/go/auth0"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// Client is a machine-to-machine client with its credentials and its grant
// on the API.
type Client struct {
	Config      ClientConfig
	Client      *auth0.Client
	Credentials *auth0.ClientCredentials
	Grant       *auth0.ClientGrant
	// OrganizationGrants link the grant to each organization the client
	// is declared for, by organization name.
	OrganizationGrants map[string]*auth0.OrganizationClientGrant
}

// newClient declares an M2M client that may only use the client-credentials
// grant, authenticates with a client secret in the request body, and is
// granted exactly the configured scopes and models on the API: least
// privilege.
func newClient(ctx *pulumi.Context, c ClientConfig, api *API, opts ...pulumi.ResourceOption) (*Client, error) {
	client, err := auth0.NewClient(ctx, "client-"+c.Name, &auth0.ClientArgs{
		Name:         pulumi.String(c.Name),
		Description:  optionalString(c.Description),
		AppType:      pulumi.String("non_interactive"),
		GrantTypes:   pulumi.ToStringArray([]string{"client_credentials"}),
		IsFirstParty: pulumi.Bool(true),
		TokenQuota:   clientTokenQuota(c.TokenQuota),
		// DPoP-bound tokens only (dpop.go).
		RequireProofOfPossession: requireProofOfPossession(c.RequireProofOfPossession),
	}, opts...)
	if err != nil {
		return nil, err
	}
	child := []pulumi.ResourceOption{pulumi.Parent(client)}
	creds, err := auth0.NewClientCredentials(ctx, "client-"+c.Name+"-credentials", &auth0.ClientCredentialsArgs{
		ClientId:             client.ClientId,
		AuthenticationMethod: pulumi.String("client_secret_post"),
	}, child...)
	if err != nil {
		return nil, err
	}
	grantArgs := &auth0.ClientGrantArgs{
		ClientId:          client.ClientId,
		Audience:          api.Server.Identifier,
		Scopes:            pulumi.ToStringArray(c.Grants()), // its scopes and its models'
		OrganizationUsage: pulumi.String(c.OrganizationUsage),
	}
	if c.AllowAnyOrganization {
		grantArgs.AllowAnyOrganization = pulumi.Bool(true)
	}
	// The scopes must exist on the API before a grant can name them.
	grant, err := auth0.NewClientGrant(ctx, "client-"+c.Name+"-grant", grantArgs,
		append(child, pulumi.DependsOn([]pulumi.Resource{api.Scopes}))...)
	if err != nil {
		return nil, err
	}
	return &Client{Config: c, Client: client, Credentials: creds, Grant: grant}, nil
}

// linkOrganizations associates the client's grant with each organization
// the client is declared for: a grant that allows or requires an
// organization, and does not allow any, gives tokens only for these.
func (c *Client) linkOrganizations(ctx *pulumi.Context, orgs map[string]*Organization) error {
	c.OrganizationGrants = make(map[string]*auth0.OrganizationClientGrant, len(c.Config.Organizations))
	for _, name := range c.Config.Organizations {
		link, err := auth0.NewOrganizationClientGrant(ctx, "client-"+c.Config.Name+"-org-"+name, &auth0.OrganizationClientGrantArgs{
			GrantId:        c.Grant.ID().ToStringOutput(),
			OrganizationId: orgs[name].Organization.ID().ToStringOutput(),
		}, pulumi.Parent(c.Client))
		if err != nil {
			return err
		}
		c.OrganizationGrants[name] = link
	}
	return nil
}
