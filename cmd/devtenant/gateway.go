package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"strings"

	"github.com/model-api-auth0/model-api-auth0/internal/dev/devtenant"
	"github.com/model-api-auth0/model-api-auth0/internal/gateway"
	"github.com/model-api-auth0/model-api-auth0/internal/tenant/stackconfig"
	"github.com/model-api-auth0/model-api-auth0/internal/tenant/stackoutputs"
)

// gatewayTenant points the tenant at the gateway that -gateway starts at
// listen: the API it issues tokens for and the web app's callback are the
// gateway's.
func gatewayTenant(cfg *stackconfig.Config, opts devtenant.Options, listen string) devtenant.Options {
	// The dev API is the gateway itself: its identifier is the public URL,
	// so that the discovery metadata names the URL agents call (RFC 9728
	// section 3.3) and the setup starts without the warning a mismatch
	// deserves. Tokens of this tenant are good for no other API anyway.
	cfg.API.Identifier = "http://" + listen + "/"
	// And the stack says so, as a stack expecting agents does
	// (model-api-auth0:mcp): the outputs carry it, and the gateway refuses
	// to start in any other shape.
	cfg.MCP = &stackconfig.MCPConfig{PublicURL: cfg.API.Identifier}
	// The stack's web app, with this gateway's own address as its callback:
	// -gateway-listen may pick any port, not only the stack's.
	opts.WebApp = devtenant.DefaultWebApp
	if cfg.WebApp != nil {
		opts.WebApp.Name = cfg.WebApp.Name
	}
	opts.WebApp.Callbacks, opts.WebApp.LogoutURLs = []string{"http://" + listen + "/callback"}, []string{"http://" + listen + "/"}
	// As Auth0 by default: the organization parameter takes IDs only, and
	// tokens carry org_id without org_name. The login resolves names with
	// the tenant's outputs, as with a real stack's.
	opts.OrganizationIDsOnly = true
	return opts
}

// gatewayOptions are the options of the gateway in front of the echo model
// server, trusting the tenant t, with people's login through its web app.
func gatewayOptions(t *devtenant.Tenant, s *settings, listen, echoAddr string, logs io.Writer) (gateway.Options, error) {
	out, err := t.Outputs()
	if err != nil {
		return gateway.Options{}, err
	}
	if err := writeDemoFiles(s, out.Models, echoAddr); err != nil {
		return gateway.Options{}, err
	}
	o := gateway.DefaultOptions()
	o.Tenant = gateway.Tenant{Issuer: t.Issuer(), Audience: t.Audience(), JWKSURL: t.JWKSURL()}
	o.Upstream, o.Listen, o.PublicURL = "http://"+echoAddr, listen, "http://"+listen
	if out.MCP != nil {
		o.MCP = gateway.MCP{Expected: true, StackPublicURL: out.MCP.PublicURL}
	}
	o.Routes.File, o.Limits.RedisURL, o.Ledger = s.routes, s.redis, s.ledger
	o.Limits.Names = gateway.StackNames(out)
	o.DPoP.Mode = "allowed" // bound tokens (token -dpop) pass with their proofs, bearer tokens too
	o.Login.ClientID, o.Login.ClientSecret = t.ClientID(t.WebAppName()), t.ClientSecret(t.WebAppName())
	o.Login.DefaultOrg, o.Login.Organizations = s.defaultOrg, stackoutputs.Organizations(out.Organizations)
	o.Log.Output = logs
	return o, nil
}

// printGatewayBanner says what to open and who to log in as.
func printGatewayBanner(w io.Writer, t *devtenant.Tenant, cfg *stackconfig.Config, s *settings, o gateway.Options) {
	p := func(format string, a ...any) { fmt.Fprintf(w, format+"\n", a...) }
	p("devtenant -gateway: a DEVELOPMENT setup on loopback, from %s: a local tenant (not Auth0; keys made at this start) and an echo model server.", s.stackFile)
	p("")
	p("  Open %s/ in your browser and log in as:", o.PublicURL)
	for _, u := range cfg.TestUsers {
		var in []string
		for _, m := range memberships(cfg, u.Email) {
			in = append(in, fmt.Sprintf("organization %s: %s", m.org, strings.Join(m.roles, ", ")))
		}
		p("    %-28s %s", u.Email, strings.Join(in, "; "))
	}
	if strings.HasPrefix(s.passwordSource, "generated") {
		p("  password: %s   (made at this start; set DEVTENANT_PASSWORD to choose one)", t.Password())
	} else {
		p("  password: from %s", s.passwordSource)
	}
	p("")
	p("  tenant  %s   model server  %s   web app client ID  %s", t.Issuer(), o.Upstream, o.Login.ClientID)
	p("  API identifier (audience)  %s: the gateway's public URL, for agents' discovery", t.Audience())
	p("  outputs  %s (for cmd/token; mode 0600: it holds the client secrets)", s.outputs)
	if s.routes != "" {
		p("  routes   %s (the models on the echo server, their prices, the budgets)", s.routes)
	}
	if s.ledger != "" {
		p("  ledger   %s (go run ./cmd/usage -db %s -by person,model)", s.ledger, s.ledger)
	}
	p("  Stop with Ctrl-C.")
}

// resolveGatewayListen keeps -gateway on loopback: a host left out is 127.0.0.1,
// and port 0 is resolved now, since the public URL (the callback the tenant
// redirects to) needs the real port.
func resolveGatewayListen(listen string) (string, error) {
	host, port, err := net.SplitHostPort(listen)
	if err != nil {
		return "", fmt.Errorf("-gateway-listen %q: %v", listen, err)
	}
	if host == "" {
		host = "127.0.0.1"
	}
	if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return "", fmt.Errorf("-gateway-listen %q: the dev setup listens on loopback only (127.0.0.1:PORT)", listen)
	}
	if port != "0" {
		return net.JoinHostPort(host, port), nil
	}
	ln, err := net.Listen("tcp", net.JoinHostPort(host, "0"))
	if err != nil {
		return "", fmt.Errorf("-gateway-listen %q: %w", listen, err)
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

// serveGateway starts the gateway at addr, in front of the echo model
// server at echoAddr, prints the banner, and serves until ctx is done.
func serveGateway(ctx context.Context, t *devtenant.Tenant, cfg *stackconfig.Config, s *settings, addr, echoAddr string, stdout, stderr io.Writer, ready chan<- string) error {
	o, err := gatewayOptions(t, s, addr, echoAddr, stderr)
	if err != nil {
		return err
	}
	g, err := gateway.New(ctx, o)
	if err != nil {
		return err
	}
	printGatewayBanner(stdout, t, cfg, s, o)
	if ready != nil {
		ready <- g.Addr()
	}
	err = g.Serve(ctx)
	fmt.Fprintln(stderr, stopping)
	return err
}
