// Package tenant declares, as a Pulumi program, everything Auth0 needs to
// protect a model API: the API and its scopes, RBAC roles, a database
// connection, organizations with their members, and machine-to-machine
// clients with least-privilege grants.
//
// Run is the program; cmd/model-api-auth0 hands it to the Pulumi engine,
// cmd/plan evaluates it offline, and the tests call it under mocks.
package tenant

import (
	"maps"
	"runtime"
	"slices"

	"github.com/pulumi/pulumi-auth0/sdk/v3/go/auth0"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"golang.org/x/sync/errgroup"
)

// Tenant holds the typed handles of everything the program declares.
type Tenant struct {
	Config        *Config
	API           *API
	Connection    *auth0.Connection
	TestUsers     map[string]*auth0.User
	Organizations map[string]*Organization
	Clients       map[string]*Client
}

// Run is the Pulumi program: it loads and validates the stack configuration
// (raw, as the engine passes it), declares the tenant and exports what an API
// and its clients need. Nothing is registered when the configuration is bad.
func Run(ctx *pulumi.Context, raw map[string]string) (*Tenant, error) {
	cfg, err := loadConfig(ctx, raw)
	if err != nil {
		return nil, err
	}
	t, err := Provision(ctx, cfg)
	if err != nil {
		return nil, err
	}
	exports := t.Exports()
	for _, name := range slices.Sorted(maps.Keys(exports)) {
		ctx.Export(name, exports[name])
	}
	return t, nil
}

// Provision declares the tenant of a validated configuration.
func Provision(ctx *pulumi.Context, cfg *Config) (*Tenant, error) {
	api, err := newAPI(ctx, cfg)
	if err != nil {
		return nil, err
	}
	conn, users, err := newConnection(ctx, cfg)
	if err != nil {
		return nil, err
	}
	t := &Tenant{Config: cfg, API: api, Connection: conn, TestUsers: users,
		Organizations: map[string]*Organization{}, Clients: map[string]*Client{}}
	connID := conn.ID().ToStringOutput()
	// Organizations and clients are independent of each other, and most of
	// a large tenant: declaring them on every core cuts the program's time.
	orgs := make([]*Organization, len(cfg.Organizations))
	clients := make([]*Client, len(cfg.Clients))
	var g errgroup.Group
	g.SetLimit(runtime.GOMAXPROCS(0))
	for i, o := range cfg.Organizations {
		g.Go(func() (err error) {
			orgs[i], err = newOrganization(ctx, cfg, o, connID, users, api)
			return err
		})
	}
	for i, c := range cfg.Clients {
		g.Go(func() (err error) {
			clients[i], err = newClient(ctx, c, api)
			return err
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	for i, o := range cfg.Organizations {
		t.Organizations[o.Name] = orgs[i]
	}
	for i, c := range cfg.Clients {
		t.Clients[c.Name] = clients[i]
	}
	return t, nil
}

// Exports are the stack outputs: what an API needs to validate tokens
// (audience, issuer, jwksUri) and what clients need to get them. Client
// secrets are exported only as a Pulumi secret.
func (t *Tenant) Exports() map[string]pulumi.Input {
	issuer := "https://" + t.Config.Domain + "/"
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
		clients[name] = pulumi.StringMap{"clientId": c.Client.ClientId, "grantId": c.Grant.ID().ToStringOutput()}
		secrets[name] = c.Credentials.ClientSecret
	}
	return map[string]pulumi.Input{
		"audience":      t.API.Server.Identifier,
		"issuer":        pulumi.String(issuer),
		"jwksUri":       pulumi.String(issuer + ".well-known/jwks.json"),
		"tokenEndpoint": pulumi.String(issuer + "oauth/token"),
		"tenantDomain":  pulumi.String(t.Config.Domain),
		"apiId":         t.API.Server.ID(),
		"connectionId":  t.Connection.ID(),
		"roleIds":       roleIDs,
		"organizations": orgIDs,
		"clients":       clients,
		"clientSecrets": pulumi.ToSecret(secrets),
	}
}
