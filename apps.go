package main

import (
	"slices"

	"github.com/pulumi/pulumi-auth0/sdk/v3/go/auth0"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// App is an application people log in through: the client, how it
// authenticates at the token endpoint, and its user-type grant on the API.
type App struct {
	Config      *AppConfig
	Client      *auth0.Client
	Credentials *auth0.ClientCredentials
	Grant       *auth0.ClientGrant
}

// appKind is what tells the web application and the native client apart.
type appKind struct {
	logical    string // the logical name; fixed, so a rename is an update, not a new client ID
	appType    string
	authMethod string // at the token endpoint
}

var (
	// webApp is confidential: it redeems codes with its client secret.
	webApp = appKind{logical: "web-app", appType: "regular_web", authMethod: "client_secret_post"}
	// cliApp is public: it has no secret, so PKCE alone binds a code to the
	// process that asked for it.
	cliApp = appKind{logical: "cli-app", appType: "native", authMethod: "none"}
)

// Refresh tokens of people's logins: rotated at every use (a stolen one is
// detected when the thief or the owner uses it after the other), and never
// valid for longer than 30 days, or 15 days unused: Auth0's defaults for
// rotating tokens.
const (
	refreshTokenLifetime     = 30 * 24 * 3600
	refreshTokenIdleLifetime = 15 * 24 * 3600
)

// newApp declares an application that logs people in with the
// authorization code flow and renews their tokens with rotating refresh
// tokens, inside an organization unless the configuration says otherwise.
// The user-type grant is what lets it get people's tokens for the API at
// all: the API requires one (subjectTypeAuthorization), and it names
// exactly the scopes people may be given through this application.
func newApp(ctx *pulumi.Context, kind appKind, a *AppConfig, api *API, opts ...pulumi.ResourceOption) (*App, error) {
	args := &auth0.ClientArgs{
		Name:              pulumi.String(a.Name),
		Description:       optionalString(a.Description),
		AppType:           pulumi.String(kind.appType),
		GrantTypes:        pulumi.ToStringArray([]string{"authorization_code", "refresh_token"}),
		Callbacks:         pulumi.ToStringArray(a.Callbacks),
		IsFirstParty:      pulumi.Bool(true),
		OidcConformant:    pulumi.Bool(true),
		OrganizationUsage: pulumi.String(a.OrganizationUsage),
		// ID tokens signed with the tenant's key, never with the client
		// secret (a native client has none).
		JwtConfiguration: &auth0.ClientJwtConfigurationArgs{Alg: pulumi.String("RS256")},
		RefreshToken: &auth0.ClientRefreshTokenArgs{
			RotationType:              pulumi.String("rotating"),
			ExpirationType:            pulumi.String("expiring"),
			TokenLifetime:             pulumi.Int(refreshTokenLifetime),
			IdleTokenLifetime:         pulumi.Int(refreshTokenIdleLifetime),
			InfiniteTokenLifetime:     pulumi.Bool(false),
			InfiniteIdleTokenLifetime: pulumi.Bool(false),
		},
	}
	if len(a.LogoutURLs) > 0 {
		args.AllowedLogoutUrls = pulumi.ToStringArray(a.LogoutURLs)
	}
	if a.OrganizationRequireBehavior != "" {
		args.OrganizationRequireBehavior = pulumi.String(a.OrganizationRequireBehavior)
	}
	client, err := auth0.NewClient(ctx, kind.logical, args, opts...)
	if err != nil {
		return nil, err
	}
	child := []pulumi.ResourceOption{pulumi.Parent(client)}
	creds, err := auth0.NewClientCredentials(ctx, kind.logical+"-credentials", &auth0.ClientCredentialsArgs{
		ClientId:             client.ClientId,
		AuthenticationMethod: pulumi.String(kind.authMethod),
	}, child...)
	if err != nil {
		return nil, err
	}
	// The grant carries every model: which models a person may call is
	// their roles' business; the application only has to be able to carry them.
	grant, err := auth0.NewClientGrant(ctx, kind.logical+"-grant", &auth0.ClientGrantArgs{
		ClientId:    client.ClientId,
		Audience:    api.Server.Identifier,
		Scopes:      pulumi.ToStringArray(append(slices.Clone(a.Scopes), api.ModelPermissions...)),
		SubjectType: pulumi.String("user"),
	}, append(child, pulumi.DependsOn([]pulumi.Resource{api.Scopes}))...)
	if err != nil {
		return nil, err
	}
	return &App{Config: a, Client: client, Credentials: creds, Grant: grant}, nil
}

// newConnectionClients declares the one authoritative list of applications
// the database connection is enabled for: the ones people log in through.
// An application enabled by hand shows up as drift and is removed by the
// next `pulumi up`; M2M clients never log people in, so they are not listed.
func newConnectionClients(ctx *pulumi.Context, conn *auth0.Connection, apps ...*App) (*auth0.ConnectionClients, error) {
	ids := pulumi.StringArray{}
	for _, app := range apps {
		if app != nil {
			ids = append(ids, app.Client.ClientId)
		}
	}
	return auth0.NewConnectionClients(ctx, "connection-clients", &auth0.ConnectionClientsArgs{
		ConnectionId:   conn.ID().ToStringOutput(),
		EnabledClients: ids,
	}, pulumi.Parent(conn))
}

// newTenantSettings declares the tenant-wide settings the stack sets. The
// provider cannot create or delete a tenant: this resource updates the
// tenant's settings, and deleting it leaves them as they are.
func newTenantSettings(ctx *pulumi.Context, t *TenantConfig, protect bool) (*auth0.Tenant, error) {
	args := &auth0.TenantArgs{
		ResourceParameterProfile: optionalString(t.ResourceParameterProfile),
		DefaultTokenQuota:        tenantDefaultTokenQuota(t.DefaultTokenQuota),
		// Agents' clients by metadata document (agents.go).
		ClientIdMetadataDocumentSupported: optionalBool(t.ClientIDMetadataDocuments),
	}
	if t.EnableClientConnections != nil {
		args.Flags = &auth0.TenantFlagsArgs{EnableClientConnections: pulumi.Bool(*t.EnableClientConnections)}
	}
	return auth0.NewTenant(ctx, "tenant", args, pulumi.Protect(protect))
}
