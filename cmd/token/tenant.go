package main

import (
	"cmp"
	"flag"
	"fmt"
	"net"
	"net/url"
	"strings"

	"github.com/model-api-auth0/model-api-auth0/internal/tenant/stackoutputs"

	"github.com/model-api-auth0/model-api-auth0/guard/tenanturl"
)

// tenantFlags say which tenant, API and organization: flags win over the
// environment, which wins over the stack outputs.
type tenantFlags struct {
	outputsFile, issuer, audience, tokenURL, org string
}

func (c *command) addTenantFlags(fs *flag.FlagSet) *tenantFlags {
	f := &tenantFlags{}
	fs.StringVar(&f.outputsFile, "stack-outputs", c.getenv("STACK_OUTPUTS"), "`file` written by pulumi stack output --json (env STACK_OUTPUTS)")
	fs.StringVar(&f.issuer, "issuer", c.getenv("AUTH0_ISSUER"), "tenant, https://DOMAIN/ (env AUTH0_ISSUER; default from AUTH0_DOMAIN)")
	fs.StringVar(&f.audience, "audience", c.getenv("AUTH0_AUDIENCE"), "API identifier (env AUTH0_AUDIENCE)")
	fs.StringVar(&f.tokenURL, "token-url", c.getenv("AUTH0_TOKEN_URL"), "token endpoint; default ISSUER/oauth/token (env AUTH0_TOKEN_URL)")
	fs.StringVar(&f.org, "org", "", orgFlagHelp)
	return f
}

// tenant is what the flags resolved to.
type tenant struct {
	issuer, audience, tokenURL string
	org                        organization
	outputs                    *stackoutputs.Outputs // nil without -stack-outputs
}

// resolve merges the flags with the stack outputs and AUTH0_DOMAIN, and
// checks what is given; what is missing is for the caller to say. The
// organization is resolved here, before any request.
func (f *tenantFlags) resolve(getenv func(string) string) (*tenant, []string) {
	t := &tenant{issuer: f.issuer, audience: f.audience, tokenURL: f.tokenURL}
	var problems []string
	if f.outputsFile != "" {
		out, err := stackoutputs.Load(f.outputsFile)
		if err != nil {
			return nil, []string{err.Error()}
		}
		t.outputs = out
		t.issuer = cmp.Or(t.issuer, out.Issuer)
		t.audience = cmp.Or(t.audience, out.Audience)
		t.tokenURL = cmp.Or(t.tokenURL, out.TokenEndpoint)
	}
	org, err := resolveOrganization(f.org, t.outputs)
	if err != nil {
		problems = append(problems, err.Error())
	}
	t.org = org
	if d := getenv("AUTH0_DOMAIN"); t.issuer == "" && d != "" {
		t.issuer = tenanturl.Issuer(d)
	}
	if t.issuer != "" {
		if !strings.HasSuffix(t.issuer, "/") {
			t.issuer += "/" // Auth0's issuer is https://DOMAIN/, with the slash
		}
		if err := checkEndpoint(t.issuer); err != nil {
			problems = append(problems, "-issuer: "+err.Error())
		}
		t.tokenURL = cmp.Or(t.tokenURL, tenanturl.Token(t.issuer))
	}
	if t.tokenURL != "" {
		if err := checkEndpoint(t.tokenURL); err != nil {
			problems = append(problems, "-token-url: "+err.Error())
		}
	}
	return t, problems
}

// checkEndpoint refuses an endpoint that would send secrets, codes or
// tokens in the clear: https, or http on a loopback address (a dev tenant).
func checkEndpoint(raw string) error {
	u, err := url.Parse(raw)
	switch {
	case err != nil || u.Host == "":
		return fmt.Errorf("%q is not an absolute URL", raw)
	case u.Scheme == "https":
		return nil
	case u.Scheme == "http" && isLoopback(u.Hostname()):
		return nil
	case u.Scheme == "http":
		return fmt.Errorf("%q: http would send codes and tokens in the clear; use https (http only on 127.0.0.1 or localhost, for a dev tenant)", raw)
	default:
		return fmt.Errorf("%q: want an https:// URL", raw)
	}
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
