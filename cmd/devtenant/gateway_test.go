package main

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/model-api-auth0/model-api-auth0/internal/dev/devtenant"
	"github.com/model-api-auth0/model-api-auth0/internal/dev/devtenant/devtenanttest"
	"github.com/model-api-auth0/model-api-auth0/internal/tenant/stackoutputs"
)

const devPassword = "Dev-Mode-Passw0rd!"

// startGateway runs the command with -gateway until the test ends; its
// address is the gateway's.
func startGateway(t *testing.T, args ...string) running {
	t.Helper()
	return start(t, env("DEVTENANT_PASSWORD", devPassword), append([]string{"-gateway", "-gateway-listen", "127.0.0.1:0"}, args...)...)
}

// -gateway starts the gateway beside the tenant and the model server,
// prints what to open and who to log in as, and the login works end to
// end.
func TestGatewayMode(t *testing.T) {
	r := startGateway(t)
	addr, banner := r.addr, r.stdout.String()
	for _, want := range []string{"Open http://" + addr + "/ in your browser", "alice@acme.example.com", "organization acme: model-admin",
		"bob@globex.example.com", "organization globex: model-user", "password: from DEVTENANT_PASSWORD", "devtenant -gateway: a DEVELOPMENT setup"} {
		assert.Contains(t, banner, want)
	}
	assert.NotContains(t, banner+r.stderr.String(), devPassword)
	for _, level := range []string{`"level":"WARN"`, `"level":"ERROR"`, "level=WARN", "level=ERROR"} {
		assert.NotContains(t, banner+r.stderr.String(), level, "a correct -gateway setup starts without warnings")
	}
	// The dev API is the gateway's public URL, so agents can use discovery.
	resp, err := http.Get("http://" + addr + "/.well-known/oauth-protected-resource")
	require.NoError(t, err)
	var metadata struct{ Resource string }
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&metadata))
	resp.Body.Close()
	assert.Equal(t, "http://"+addr+"/", metadata.Resource)
	// And the outputs say agents are expected there, as a stack with
	// model-api-auth0:mcp does: a gateway started from them insists.
	out, err := stackoutputs.Load(r.outputs)
	require.NoError(t, err)
	assert.Equal(t, &stackoutputs.MCP{PublicURL: "http://" + addr + "/"}, out.MCP)

	hc, _ := devtenanttest.LogInAtGateway(t, "http://"+addr, "organization=acme",
		devtenant.Credentials{Email: "alice@acme.example.com", Password: devPassword, Organization: "acme"})
	for path, want := range map[string]string{"/api/messages/admin": "admin", "/v1/models": "echo"} {
		resp, err = hc.Get("http://" + addr + path)
		require.NoError(t, err)
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		assert.Equal(t, http.StatusOK, resp.StatusCode, path)
		assert.Contains(t, string(body), want, path)
	}
}

// The gateway's login sends the tenant, which takes organization IDs only
// as Auth0 does by default, the organization's ID, for ?organization=NAME
// and for -default-org.
func TestGatewayLoginSendsOrganizationID(t *testing.T) {
	for name, c := range map[string]struct {
		flags []string
		query string
	}{
		"name":         {query: "organization=acme"},
		"-default-org": {flags: []string{"-default-org", "acme"}},
	} {
		t.Run(name, func(t *testing.T) {
			r := startGateway(t, c.flags...)
			hc, sent := devtenanttest.LogInAtGateway(t, "http://"+r.addr, c.query,
				devtenant.Credentials{Email: "alice@acme.example.com", Password: devPassword})
			assert.Regexp(t, `^org_\w+$`, sent, "the organization's ID, not its name: the tenant takes IDs only")
			page := devtenanttest.Page(t, hc, "http://"+r.addr+"/")
			assert.Contains(t, page, ">acme <code>"+sent+"</code>", "the page names the organization from the outputs")
			assert.NotContains(t, page, "org_name", "the tenant behaves as Auth0: tokens carry org_id only")
		})
	}
}

// What -gateway cannot do stops the start with every problem named: an
// unknown -default-org, an address off loopback, the gateway's flags
// without -gateway, a tenant setting the gateway takes from the tenant.
func TestGatewayModeRefusals(t *testing.T) {
	base := []string{"-project", devtenanttest.RepoRoot(t), "-listen", "127.0.0.1:0", "-echo-listen", "127.0.0.1:0", "-outputs", filepath.Join(t.TempDir(), "o.json")}
	for _, c := range []struct {
		args []string
		want []string
	}{
		{[]string{"-gateway", "-gateway-listen", "127.0.0.1:0", "-default-org", "initech"},
			[]string{`default organization "initech" (-default-org or AUTH0_DEFAULT_ORG): no such organization in the stack outputs (it has: acme, globex)`}},
		{[]string{"-gateway", "-gateway-listen", "0.0.0.0:8080"}, []string{"loopback only"}},
		{[]string{"-routes", "routes.yaml", "-default-org", "acme"},
			[]string{"-routes is the gateway's: add -gateway", "-default-org is the gateway's: add -gateway"}},
		{[]string{"-gateway", "-echo-listen", ""}, []string{"-gateway needs the echo model server"}},
		{[]string{"-gateway", "-domain", "t.us.auth0.com"}, []string{"flag provided but not defined: -domain"}},
	} {
		err := run(context.Background(), append(append([]string{}, base...), c.args...), env("DEVTENANT_PASSWORD", devPassword), io.Discard, io.Discard, nil)
		require.Error(t, err, c.args)
		for _, w := range c.want {
			assert.Contains(t, err.Error(), w)
		}
	}
}
