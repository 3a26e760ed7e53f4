package main

import (
	"context"
	"io"
	"net"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/model-api-auth0/model-api-auth0/internal/dev/devtenant"
	"github.com/model-api-auth0/model-api-auth0/internal/dev/devtenant/devtenanttest"
	"github.com/model-api-auth0/model-api-auth0/internal/testing/syncbuf"
)

// orgTenant is a dev tenant that takes organization IDs only, as Auth0
// does by default, and its stack outputs in a file.
func orgTenant(t *testing.T) (*devtenant.Tenant, string) {
	t.Helper()
	dt := devtenanttest.Start(t, devtenanttest.Stack(t, "dev"), devtenant.Options{WebApp: devtenant.DefaultWebApp, OrganizationIDsOnly: true})
	outputs := filepath.Join(t.TempDir(), "outputs.json")
	require.NoError(t, dt.WriteOutputs(outputs))
	return dt, outputs
}

// freeAddr is a loopback address free now, for a public URL that must be
// known before the gateway listens.
func freeAddr(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	return ln.Addr().String()
}

// With stack outputs, the gateway's login sends the tenant the
// organization's ID, for ?organization=NAME and for -default-org, and the
// login works against a tenant that takes IDs only (cmd/devtenant tests its
// -gateway mode the same way).
func TestLoginSendsOrganizationID(t *testing.T) {
	cases := []struct {
		name  string
		flags []string
		query string // /login's query
		org   string // the organization logged in to
	}{
		{name: "stack outputs, name", query: "organization=acme", org: "acme"},
		{name: "stack outputs, -default-org", flags: []string{"-default-org", "acme"}, org: "acme"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var logs syncbuf.Buffer
			dt, outputs := orgTenant(t)
			listen := freeAddr(t)
			args := []string{"-stack-outputs", outputs, "-upstream", "http://127.0.0.1:9", "-listen", listen, "-public-url", "http://" + listen}
			vars := map[string]string{"AUTH0_CLIENT_SECRET": dt.ClientSecret(dt.WebAppName())}
			addr, stop := start(t, append(args, c.flags...), env(vars), &logs)
			defer stop()

			hc, sent := devtenanttest.LogInAtGateway(t, "http://"+addr, c.query,
				devtenant.Credentials{Email: "alice@acme.example.com", Password: devtenanttest.Password})
			assert.Equal(t, dt.OrgID(c.org), sent)
			assert.Regexp(t, `^org_\w+$`, sent, "the organization's ID, not its name: the tenant takes IDs only")
			page := devtenanttest.Page(t, hc, "http://"+addr+"/")
			assert.Contains(t, page, ">acme <code>"+sent+"</code>", "the page names the organization from the outputs")
			assert.NotContains(t, page, "org_name", "the tenant behaves as Auth0: tokens carry org_id only")
		})
	}
}

// -default-org with a name the stack outputs do not list stops the start,
// naming the flag and the organizations there are.
func TestUnknownDefaultOrgStopsTheStart(t *testing.T) {
	dt, outputs := orgTenant(t)
	cases := []struct {
		name string
		args []string
		vars map[string]string
	}{
		{name: "stack outputs", args: []string{"-stack-outputs", outputs, "-upstream", "http://127.0.0.1:9", "-public-url", "http://127.0.0.1:8080", "-default-org", "initech"},
			vars: map[string]string{"AUTH0_CLIENT_SECRET": dt.ClientSecret(dt.WebAppName())}},
		{name: "environment", args: []string{"-stack-outputs", outputs, "-upstream", "http://127.0.0.1:9", "-public-url", "http://127.0.0.1:8080"},
			vars: map[string]string{"AUTH0_CLIENT_SECRET": dt.ClientSecret(dt.WebAppName()), "AUTH0_DEFAULT_ORG": "initech"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := run(context.Background(), c.args, env(c.vars), io.Discard, nil)
			require.Error(t, err)
			assert.Contains(t, err.Error(), `default organization "initech" (-default-org or AUTH0_DEFAULT_ORG): no such organization in the stack outputs (it has: acme, globex)`)
		})
	}
}
