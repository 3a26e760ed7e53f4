package gateway

import (
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/model-api-auth0/model-api-auth0/guard"
	"github.com/model-api-auth0/model-api-auth0/internal/gateway/limits"
	"github.com/model-api-auth0/model-api-auth0/internal/gateway/proxy"
	"github.com/model-api-auth0/model-api-auth0/internal/gateway/websession"
)

// parts are what the options make before anything is started: checked,
// and built no further than needs no network.
type parts struct {
	upstream  *url.URL // nil: none, with models
	models    []proxy.Model
	setAside  time.Duration
	routes    []proxy.Route
	redis     *redis.Client    // nil without Limits.RedisURL; sessions use it too
	limits    *limits.Enforcer // nil: the routes file has no limits
	leases    *limits.Leases   // nil without Redis or with a lease of 0
	failMode  string
	metrics   *proxy.Metrics // nil without Metrics.Listen
	discovery *proxy.Discovery
	guard     guard.Config
	login     *websession.Config // nil: login off
}

// Validate reports every problem of the options at once. It reads the
// routes file and the client secret file, as New does, and starts nothing.
func (o Options) Validate() error {
	p, err := o.assemble(slog.New(slog.DiscardHandler))
	if err != nil {
		return err
	}
	return p.close()
}

// assemble checks the options and makes their parts, reporting every
// problem at once. logger gets what is worth knowing about a valid setup
// (limits kept in memory, an audience agents will refuse).
func (o Options) assemble(logger *slog.Logger) (*parts, error) {
	p := &parts{setAside: o.Routes.SetAside}
	var problems []error
	policies, err := p.loadRoutes(o.Routes, o.Limits.Names)
	problems = append(problems, err, p.checkUpstream(o, logger))
	problems = append(problems, p.setUpLimits(o.Limits, policies, logger)...)
	problems = append(problems, p.setUpMetrics(o.Metrics), p.setUpDiscovery(o, logger))
	p.guard = guard.Config{
		Domain: o.Tenant.Domain, Audience: o.Tenant.Audience, Issuer: o.Tenant.Issuer, JWKSURL: o.Tenant.JWKSURL, SigningAlg: o.Tenant.SigningAlg,
		Logger: logger, Observer: proxy.GuardObserver(p.metrics),
	}
	if p.discovery != nil {
		p.guard.ResourceMetadataURL = p.discovery.MetadataURL()
	}
	problems = append(problems, p.setUpDPoP(o))
	problems = append(problems, p.guard.Validate(), o.Server.Validate(), o.Log.validate(), o.GC.validate(), checkLedger(o.Ledger, o.LedgerBuffer))
	p.login, err = o.Login.config(o, p.redis, p.guard.DPoP)
	problems = append(problems, err)
	if err := errors.Join(problems...); err != nil {
		p.close()
		return nil, err
	}
	return p, nil
}

// loadRoutes reads the routes file, if any, and adds the requirements every
// route gets; it returns the file's limits (nil: none).
func (p *parts) loadRoutes(o Routes, names *limits.Stack) (*limits.Policies, error) {
	p.routes = proxy.DefaultRoutes()
	var policies *limits.Policies
	if o.File != "" {
		rf, err := proxy.LoadRoutesFileWith(o.File, names)
		if err != nil {
			return nil, err
		}
		p.routes, policies, p.models = rf.Routes, rf.Limits, rf.Models
	}
	for i := range p.routes {
		p.routes[i].RequireOrg = p.routes[i].RequireOrg || o.RequireOrg
		p.routes[i].Orgs = append(p.routes[i].Orgs, o.Orgs...)
	}
	// proxy.New checks them again; here they are reported with the rest.
	return policies, proxy.ValidateRoutes(p.routes)
}

// checkUpstream reads the default upstream, which the routes file's models
// make optional, and the models' set-aside period.
func (p *parts) checkUpstream(o Options, logger *slog.Logger) error {
	var problems []error
	if o.Routes.SetAside < 0 {
		problems = append(problems, fmt.Errorf("-model-set-aside %v: want how long a failing model server is left out, such as 10s (0 means %v)", o.Routes.SetAside, proxy.DefaultSetAside))
	}
	u, err := url.Parse(o.Upstream)
	switch {
	case o.Upstream == "" && len(p.models) > 0:
		logger.Info("no default upstream (-upstream): requests that name no model are refused", "models", len(p.models))
	case o.Upstream == "" || err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "":
		problems = append(problems, fmt.Errorf("upstream %q: set -upstream or UPSTREAM_URL to the model server, such as http://127.0.0.1:8000 (or list models in the routes file's models:)", o.Upstream))
	default:
		p.upstream = u
	}
	return errors.Join(problems...)
}

// setUpDiscovery makes the RFC 9728 metadata agents read, with a public
// URL.
func (p *parts) setUpDiscovery(o Options, logger *slog.Logger) error {
	if o.PublicURL == "" {
		return o.MCP.checkSet()
	}
	u, err := proxy.ParsePublicURL(o.PublicURL)
	if err != nil {
		return fmt.Errorf("-public-url / PUBLIC_URL: %w", err)
	}
	p.discovery = &proxy.Discovery{PublicURL: u, Audience: o.Tenant.Audience, Issuer: o.Tenant.issuer()}
	if o.MCP.Expected {
		return o.MCP.check(u, o.Tenant.Audience)
	}
	if !p.discovery.SameOrigin() {
		logger.Warn("the API identifier (audience) is not a URL on the public URL: MCP clients refuse metadata whose resource is not the URL they call (RFC 9728 section 3.3); for agents, make the API identifier the public URL",
			"audience", o.Tenant.Audience, "public_url", u.String())
	}
	return nil
}

// proxyConfig is the proxy's configuration, with the login's web handler
// (nil: none).
func (p *parts) proxyConfig(logger *slog.Logger, web *websession.Web) proxy.Config {
	return proxy.Config{
		Upstream: p.upstream, Routes: p.routes, Models: p.models, SetAside: p.setAside, Logger: logger, Web: web,
		Limits: p.limits, LimitsFailMode: p.failMode, Metrics: p.metrics, Discovery: p.discovery,
	}
}
