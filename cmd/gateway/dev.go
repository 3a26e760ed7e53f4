package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/model-api-auth0/model-api-auth0/internal/dev/devtenant"
	"github.com/model-api-auth0/model-api-auth0/internal/dev/echomodel"
)

// devSettings are the flags of -dev: the gateway with a local development
// tenant (internal/dev/devtenant) and an echo model server (internal/dev/echomodel)
// beside it, all on loopback, so the login can be tried in a browser
// without an Auth0 account.
type devSettings struct {
	on             bool
	stack, project string
	conflicts      []error // flags given that -dev sets itself
}

func (d *devSettings) register(fs *flag.FlagSet) {
	fs.BoolVar(&d.on, "dev", false, "run a local DEVELOPMENT tenant (the stack's test users, organizations, roles) and an echo model server beside the gateway, on loopback; not for production")
	fs.StringVar(&d.stack, "dev-stack", "dev", "-dev serves the tenant of Pulumi.<stack>.yaml")
	fs.StringVar(&d.project, "dev-project", ".", "-dev: directory holding Pulumi.yaml and the stack file")
}

// replaced are the settings -dev sets itself.
var replaced = []string{"stack-outputs", "domain", "audience", "issuer", "jwks-url", "upstream", "client-id", "client-secret-file", "public-url"}

// checkFlags notes the flags given on the command line that -dev replaces.
func (d *devSettings) checkFlags(fs *flag.FlagSet) {
	fs.Visit(func(f *flag.Flag) {
		if d.on && slices.Contains(replaced, f.Name) {
			d.conflicts = append(d.conflicts, fmt.Errorf("-dev: drop -%s: -dev starts its own tenant and model server", f.Name))
		}
	})
}

// start starts the tenant and the model server, points s at them, prints
// what to open and who to log in as, and returns the environment the
// gateway reads its secrets from (the dev web application's) and a stop.
func (d *devSettings) start(s *settings, env func(string) (string, bool), out io.Writer) (func(string) (string, bool), func(), error) {
	problems := d.conflicts
	listen, err := devListen(s.listen)
	problems = append(problems, err)
	password, chosen := env("DEVTENANT_PASSWORD")
	stackFile := filepath.Join(d.project, "Pulumi."+d.stack+".yaml")
	cfg, _, err := devtenant.LoadStack(filepath.Join(d.project, "Pulumi.yaml"), stackFile, password)
	if err != nil {
		problems = append(problems, fmt.Errorf("-dev: %w (run it from the repository root, or set -dev-project)", err))
	}
	if err := errors.Join(problems...); err != nil {
		return nil, nil, err
	}
	// The dev API is the gateway itself: its identifier is the public URL,
	// so that the discovery metadata names the URL agents call (RFC 9728
	// section 3.3) and the setup starts without the warning a mismatch
	// deserves. Tokens of this tenant are good for no other API anyway.
	cfg.API.Identifier = "http://" + listen + "/"
	// The tenant takes the stack's web app, with this gateway's own address
	// as its callback: -listen may pick any port, not only the stack's.
	web := devtenant.DefaultWebApp
	if cfg.WebApp != nil {
		web.Name = cfg.WebApp.Name
	}
	web.Callbacks, web.LogoutURLs = []string{"http://" + listen + "/callback"}, []string{"http://" + listen + "/"}
	// As Auth0 by default: the organization parameter takes IDs only, and
	// tokens carry org_id without org_name. The login resolves names with
	// the tenant's outputs, as with a real stack's.
	dt, err := devtenant.New(cfg, devtenant.Options{WebApp: web, OrganizationIDsOnly: true})
	if err != nil {
		return nil, nil, err
	}
	tenantLn, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, nil, err
	}
	if err := dt.Start(tenantLn); err != nil {
		return nil, nil, err
	}
	outputs, err := dt.Outputs()
	if err != nil {
		dt.Close()
		return nil, nil, err
	}
	echoLn, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		dt.Close()
		return nil, nil, err
	}
	echo := &http.Server{Handler: echomodel.New(echomodel.Options{}), ReadHeaderTimeout: 10 * time.Second}
	go echo.Serve(echoLn)
	stop := func() { echo.Close(); dt.Close() }

	s.listen, s.outputsFile, s.domain = listen, "", ""
	s.issuer, s.audience, s.jwksURL = dt.Issuer(), dt.Audience(), dt.JWKSURL()
	s.upstream = "http://" + echoLn.Addr().String()
	s.login.clientID, s.login.clientSecretFile = dt.ClientID(dt.WebAppName()), ""
	s.login.organizations = outputs.Organizations
	s.publicURL = "http://" + listen
	secret := dt.ClientSecret(dt.WebAppName())
	devEnv := func(k string) (string, bool) {
		if k == "AUTH0_CLIENT_SECRET" {
			return secret, true
		}
		return env(k)
	}

	p := func(format string, a ...any) { fmt.Fprintf(out, format+"\n", a...) }
	p("gateway -dev: a DEVELOPMENT setup on loopback, from %s: a local tenant (not Auth0; keys made at this start) and an echo model server.", stackFile)
	p("")
	p("  Open %s/ in your browser and log in as:", s.publicURL)
	for _, u := range cfg.TestUsers {
		var in []string
		for _, o := range cfg.Organizations {
			for _, m := range o.Members {
				if strings.EqualFold(m.Email, u.Email) {
					in = append(in, fmt.Sprintf("organization %s: %s", o.Name, strings.Join(m.Roles, ", ")))
				}
			}
		}
		p("    %-28s %s", u.Email, strings.Join(in, "; "))
	}
	if chosen && password != "" {
		p("  password: from DEVTENANT_PASSWORD")
	} else {
		p("  password: %s   (made at this start; set DEVTENANT_PASSWORD to choose one)", dt.Password())
	}
	p("")
	p("  tenant  %s   model server  %s   web app client ID  %s", dt.Issuer(), s.upstream, s.login.clientID)
	p("  API identifier (audience)  %s: the gateway's public URL, for agents' discovery", dt.Audience())
	p("  Stop with Ctrl-C.")
	return devEnv, stop, nil
}

// devListen keeps -dev on loopback: the default :8080 becomes
// 127.0.0.1:8080, and port 0 is resolved now, since the public URL (the
// callback the tenant redirects to) needs the real port.
func devListen(listen string) (string, error) {
	host, port, err := net.SplitHostPort(listen)
	if err != nil {
		return "", fmt.Errorf("-dev: -listen %q: %v", listen, err)
	}
	if host == "" {
		host = "127.0.0.1"
	}
	if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return "", fmt.Errorf("-dev: -listen %q: the dev setup listens on loopback only (127.0.0.1:PORT)", listen)
	}
	if port == "0" {
		ln, err := net.Listen("tcp", net.JoinHostPort(host, "0"))
		if err != nil {
			return "", err
		}
		listen = ln.Addr().String()
		ln.Close()
		return listen, nil
	}
	return net.JoinHostPort(host, port), nil
}
