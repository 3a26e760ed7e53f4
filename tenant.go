package main

import (
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
	// WebApp and CLIApp are nil when the stack declares none.
	WebApp, CLIApp *App
	// ConnectionClients lists the applications the connection is enabled for.
	ConnectionClients *auth0.ConnectionClients
	// Settings is the tenant-wide settings; nil when the stack sets none.
	Settings *auth0.Tenant
	// AgentClients are agents' clients by metadata document URL (agents.go).
	AgentClients map[string]*AgentClient
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
		Organizations: map[string]*Organization{}, Clients: map[string]*Client{}, AgentClients: map[string]*AgentClient{}}
	// A protected stack protects every resource, not only the ones that hold
	// data: the engine refuses a protected resource only when it reaches it,
	// after deleting what depends on it (members, grants, links), so a
	// partly protected tenant loses those first. Children inherit it.
	clientOpts := []pulumi.ResourceOption{pulumi.Protect(cfg.Protect)}
	agentOpts := slices.Clone(clientOpts)
	if cfg.Tenant != nil {
		if t.Settings, err = newTenantSettings(ctx, cfg.Tenant, cfg.Protect); err != nil {
			return nil, err
		}
		if cfg.Tenant.EnableClientConnections != nil {
			// Whether a new application gets every connection is decided
			// when it is created: the flag is set first.
			clientOpts = append(clientOpts, pulumi.DependsOn([]pulumi.Resource{t.Settings}))
		}
		// Auth0 refuses a CIMD client until the tenant supports them.
		agentOpts = append(agentOpts, pulumi.DependsOn([]pulumi.Resource{t.Settings}))
	}
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
			clients[i], err = newClient(ctx, c, api, clientOpts...)
			return err
		})
	}
	agents := make([]*AgentClient, len(cfg.AgentClients))
	for i, a := range cfg.AgentClients {
		g.Go(func() (err error) { agents[i], err = newAgentClient(ctx, a, api, agentOpts...); return err })
	}
	if cfg.WebApp != nil {
		g.Go(func() (err error) { t.WebApp, err = newApp(ctx, webApp, cfg.WebApp, api, clientOpts...); return err })
	}
	if cfg.CLIApp != nil {
		g.Go(func() (err error) { t.CLIApp, err = newApp(ctx, cliApp, cfg.CLIApp, api, clientOpts...); return err })
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	for i, o := range cfg.Organizations {
		t.Organizations[o.Name] = orgs[i]
	}
	for i, c := range cfg.Clients {
		t.Clients[c.Name] = clients[i]
		if err := clients[i].linkOrganizations(ctx, t.Organizations); err != nil {
			return nil, err
		}
	}
	for i, a := range cfg.AgentClients {
		t.AgentClients[a.MetadataURL] = agents[i]
	}
	if t.ConnectionClients, err = newConnectionClients(ctx, conn, t.WebApp, t.CLIApp); err != nil {
		return nil, err
	}
	return t, nil
}
