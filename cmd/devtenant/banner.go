package main

import (
	"cmp"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/model-api-auth0/model-api-auth0/internal/dev/devtenant"
	"github.com/model-api-auth0/model-api-auth0/internal/tenant/stackconfig"
)

// summary is what the banner says about the stack.
type summary struct {
	users   []string // "email (org: roles; ...)"
	clients []stackconfig.ClientConfig
	person  *person // the test user to suggest logging in as; nil if none
}

func cfgSummary(cfg *stackconfig.Config) summary {
	var s summary
	for _, u := range cfg.TestUsers {
		var in []string
		for _, m := range memberships(cfg, u.Email) {
			in = append(in, m.org+": "+cmp.Or(strings.Join(m.roles, ", "), "no roles"))
		}
		s.users = append(s.users, fmt.Sprintf("%s (%s)", u.Email, cmp.Or(strings.Join(in, "; "), "no organization")))
	}
	s.clients = cfg.Clients
	s.person = firstPerson(cfg)
	return s
}

// membership is an organization a test user is a member of, with their
// roles there.
type membership struct {
	org   string
	roles []string
}

// memberships are the organizations of the test user email, in the stack's
// order.
func memberships(cfg *stackconfig.Config, email string) []membership {
	var in []membership
	for _, o := range cfg.Organizations {
		for _, m := range o.Members {
			if strings.EqualFold(m.Email, email) {
				in = append(in, membership{org: o.Name, roles: m.Roles})
			}
		}
	}
	return in
}

// printBanner says what runs, with what, and the next commands. The
// password is printed only if the person did not choose it; secrets stay in
// the outputs file.
func printBanner(w io.Writer, t *devtenant.Tenant, sum summary, s *settings, echoAddr string) error {
	out, err := t.Outputs()
	if err != nil {
		return err
	}
	p := func(format string, args ...any) { fmt.Fprintf(w, format+"\n", args...) }
	p("devtenant: a DEVELOPMENT tenant for %s: not Auth0, not for production; tokens are signed with a key made at this start.", s.stackFile)
	p("  issuer         %s", t.Issuer())
	p("  audience       %s", t.Audience())
	p("  outputs        %s (mode 0600: it holds the client secrets)", s.outputs)
	if echoAddr != "" {
		p("  echo model     http://%s (OpenAI-compatible; echoes, and reports the X-Auth-* headers it got as X-Echo-X-Auth-*)", echoAddr)
	}
	var orgs []string
	for _, name := range sortedKeys(out.Organizations) {
		orgs = append(orgs, name+" "+out.Organizations[name])
	}
	p("  organizations  %s", strings.Join(orgs, ", "))
	for i, u := range sum.users {
		p("  %-14s %s", map[bool]string{true: "test users"}[i == 0], u)
	}
	for i, c := range sum.clients {
		p("  %-14s %s [%s]", map[bool]string{true: "M2M clients"}[i == 0], c.Name, strings.Join(c.Scopes, " "))
	}
	p("  web app        %s, client ID %s (callbacks %s)", out.WebApp.Name, out.WebApp.ClientID, strings.Join(out.WebApp.Callbacks, ", "))
	p("  CLI app        %s, client ID %s", out.CLIApp.Name, out.CLIApp.ClientID)
	if len(sum.users) > 0 {
		if strings.HasPrefix(s.passwordSource, "generated") {
			p("")
			p("  TEST USERS' PASSWORD (%s): %s", s.passwordSource, t.Password())
		} else {
			p("  password       from %s", s.passwordSource)
		}
	}
	p("")
	p("Next, in another terminal:")
	upstream := "http://127.0.0.1:8000"
	if echoAddr != "" {
		upstream = "http://" + echoAddr
	}
	for _, line := range nextCommands(sum, s.outputs, upstream) {
		p("  %s", line)
	}
	p("Stop with Ctrl-C.")
	return nil
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
