package main

import (
	"cmp"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/auto/optpreview"
	"github.com/pulumi/pulumi/sdk/v3/go/common/apitype"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/model-api-auth0/model-api-auth0/internal/tenant/stackconfig"
	"github.com/model-api-auth0/model-api-auth0/internal/tenant/stackoutputs"
	"github.com/model-api-auth0/model-api-auth0/internal/testing/enginetest"
)

// Every stack file, as a user runs it: preview, up, outputs, a preview
// with nothing to do, and a state that holds no secret in plain text.
func TestStacks(t *testing.T) {
	for _, name := range stacks {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			s := enginetest.NewStack(t, name, deploy)
			if len(stackconfig.MissingSecrets(s.Config())) > 0 {
				// Pulumi.yaml lets the CLI through; the program names the key and the command.
				_, err := s.Preview()
				require.Error(t, err)
				assert.Contains(t, err.Error(), "model-api-auth0:testUserPassword: required when testUsers are declared; "+
					"run `pulumi config set --secret model-api-auth0:testUserPassword`")
				assert.Empty(t, s.Double.Creates())
				s.SetSecret(stackconfig.KeyTestUserPassword, devPassword)
			}

			steps, err := s.Preview()
			require.NoError(t, err, "pulumi preview")
			assert.Equal(t, offlineURNs(t, s), auth0URNs(steps), "the engine's resources are the offline plan's")
			for urn, ops := range steps {
				assert.Equal(t, []apitype.OpType{apitype.OpCreate}, ops, urn)
			}
			assert.Empty(t, s.Double.Resources(), "a preview creates nothing")

			_, err = s.Up()
			require.NoError(t, err, "pulumi up")
			assert.Equal(t, offlineURNs(t, s), sortedKeys(tenantResources(s)))
			assert.Equal(t, map[string]any{"domain": s.Config()[stackconfig.KeyDomain], "version": "3.49.0"},
				s.Double.Config().Mappable(), "the provider gets the stack's auth0:* config")

			checkOutputs(t, s)

			steps, err = s.Preview(optpreview.ExpectNoChanges())
			require.NoError(t, err, "a second preview has nothing to do")
			assert.Empty(t, steps.Changes())

			dep := stackExport(t, s)
			assert.Equal(t, tenantResources(s), dep.resource, "the state records what the tenant holds")
			secrets := s.Double.Secrets()
			web, cli := configApps(t, s)
			require.Len(t, secrets, len(configClients(t, s))+len(web)+len(cli), "one client secret per client and per people's application")
			if name == "dev" {
				secrets = append(secrets, devPassword)
			}
			for _, secret := range secrets {
				assert.NotContains(t, dep.text, secret, "pulumi stack export shows a secret in plain text")
			}
			assert.Contains(t, dep.text, `"4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270"`,
				"the secrets are in the state, encrypted")

			checkConfigSetPath(t, s)
			checkDestroy(t, s)
		})
	}
}

// checkConfigSetPath edits the stack with `pulumi config set --path` as a
// user would. `--type string` stores "3600" and "true" as strings; they
// evaluate to the same tenant. Values the decoder refuses, and misspelled
// keys (top-level and nested), are all reported at once under the engine.
func checkConfigSetPath(t *testing.T, s *enginetest.Stack) {
	t.Helper()
	config := func(args ...string) {
		t.Helper()
		_, err := s.Run(append([]string{"config"}, args...)...)
		require.NoError(t, err)
	}
	var api struct{ TokenLifetime int }
	configValue(t, s, stackconfig.KeyAPI, &api)
	lifetime := strconv.Itoa(api.TokenLifetime)
	config("set", "--path", stackconfig.KeyAPI+".tokenLifetime", lifetime, "--type", "string")
	config("set", "--path", stackconfig.KeyConnection+".disableSignup", "true", "--type", "string")
	file, err := os.ReadFile(filepath.Join(s.Dir, "Pulumi."+s.Name+".yaml"))
	require.NoError(t, err)
	require.Contains(t, string(file), `tokenLifetime: "`+lifetime+`"`, "the CLI stored a string")
	require.Contains(t, string(file), `disableSignup: "true"`)
	steps, err := s.Preview(optpreview.ExpectNoChanges())
	require.NoError(t, err, "the string forms evaluate to the same tenant")
	assert.Empty(t, steps.Changes())

	config("set", "--path", stackconfig.KeyAPI+".tokenLifetime", "1h")
	config("set", "--path", stackconfig.KeyAPI+".tokenLifetme", "60")
	config("set", stackconfig.Namespace+":organisations", "[]")
	_, err = s.Preview()
	require.Error(t, err)
	for _, want := range []string{
		`model-api-auth0:organisations: unknown key; did you mean "model-api-auth0:organizations"?`,
		`model-api-auth0:api: unknown key "tokenLifetme"; did you mean "tokenLifetime"?`,
		`model-api-auth0:api.tokenLifetime: want a whole number, got the string "1h"`,
	} {
		assert.Contains(t, err.Error(), want)
	}
	config("rm", stackconfig.Namespace+":organisations")
	config("rm", "--path", stackconfig.KeyAPI+".tokenLifetme")

	// Without --type, the CLI stores a number: one update, of the API.
	config("set", "--path", stackconfig.KeyAPI+".tokenLifetime", strconv.Itoa(api.TokenLifetime+60))
	steps, err = s.Preview()
	require.NoError(t, err)
	assert.Equal(t, []string{"update " + s.URN("auth0:index/resourceServer:ResourceServer", "api")}, steps.Changes())
}

// checkDestroy destroys the stack: a protected stack refuses and keeps its
// protected resources; any other is emptied.
func checkDestroy(t *testing.T, s *enginetest.Stack) {
	t.Helper()
	before := stackExport(t, s)
	// Read before: a destroy that succeeds removes the stack and its file.
	protected := s.Config()[stackconfig.KeyProtect] == "true"
	err := s.Destroy()
	if !protected {
		require.NoError(t, err, "pulumi destroy")
		assert.Empty(t, s.Double.Resources(), "destroy empties the tenant")
		return
	}
	require.Error(t, err, "pulumi destroy of a protected stack")
	assert.Contains(t, err.Error(), "because it is protected")
	checkProtectedKept(t, s, before)
}

// checkOutputs reads `pulumi stack output --json` as the gateway and the
// token client do, and compares it with the configuration and the tenant.
func checkOutputs(t *testing.T, s *enginetest.Stack) {
	t.Helper()
	out, err := s.Run("stack", "output", "--json")
	require.NoError(t, err)
	path := filepath.Join(t.TempDir(), "outputs.json")
	require.NoError(t, os.WriteFile(path, []byte(out), 0o600))
	o, err := stackoutputs.Load(path)
	require.NoError(t, err)

	var api struct{ Identifier, SigningAlg string }
	configValue(t, s, stackconfig.KeyAPI, &api)
	domain := s.Config()[stackconfig.KeyDomain]
	assert.Equal(t, api.Identifier, o.Audience)
	assert.Equal(t, cmp.Or(api.SigningAlg, "RS256"), o.SigningAlg, "the gateway's algorithm")
	assert.Equal(t, "https://"+domain+"/", o.Issuer)
	assert.Equal(t, "https://"+domain+"/.well-known/jwks.json", o.JWKSURI)
	assert.Equal(t, "https://"+domain+"/oauth/token", o.TokenEndpoint)

	outputs := map[string]string{} // client-NAME and client-NAME-credentials to their assigned values
	for _, r := range s.Double.Resources() {
		switch r.Type {
		case "auth0:index/client:Client":
			outputs[r.URN] = r.Outputs["clientId"].StringValue()
		case "auth0:index/clientCredentials:ClientCredentials":
			outputs[r.URN] = r.Outputs["clientSecret"].SecretValue().Element.StringValue()
		}
	}
	names := configClients(t, s)
	require.Equal(t, names, sortedKeys(o.Clients))
	var raw map[string]any
	require.NoError(t, json.Unmarshal([]byte(out), &raw))
	assert.Equal(t, "[secret]", raw["clientSecrets"], "client secrets are hidden unless asked for")

	shown, err := s.Run("stack", "output", "clientSecrets", "--json", "--show-secrets")
	require.NoError(t, err)
	var clientSecrets map[string]string
	require.NoError(t, json.Unmarshal([]byte(shown), &clientSecrets))
	for _, name := range names {
		id, err := o.ClientID(name)
		require.NoError(t, err)
		assert.Equal(t, outputs[s.URN("auth0:index/client:Client", "client-"+name)], id, name)
		assert.Equal(t, outputs[s.URN("auth0:index/client:Client$auth0:index/clientCredentials:ClientCredentials", "client-"+name+"-credentials")],
			clientSecrets[name], name)
	}
	// People's applications: the web app's secret is with the clients', the
	// CLI app (public) has none in the outputs.
	web, cli := configApps(t, s)
	for _, app := range []struct {
		logical string
		names   []string
		out     *stackoutputs.App
		secret  bool
	}{{"web-app", web, o.WebApp, true}, {"cli-app", cli, o.CLIApp, false}} {
		if len(app.names) == 0 {
			assert.Nil(t, app.out, "%s: not declared, not exported", app.logical)
			continue
		}
		require.NotNil(t, app.out, app.logical)
		assert.Equal(t, app.names[0], app.out.Name)
		assert.Equal(t, outputs[s.URN("auth0:index/client:Client", app.logical)], app.out.ClientID, app.logical)
		secret, ok := clientSecrets[app.names[0]]
		assert.Equal(t, app.secret, ok, "%s in clientSecrets", app.logical)
		if app.secret {
			assert.Equal(t, outputs[s.URN("auth0:index/client:Client$auth0:index/clientCredentials:ClientCredentials", app.logical+"-credentials")], secret)
		}
	}
	assert.Len(t, clientSecrets, len(names)+len(web))
}

// configApps are the names of the web app and the CLI app the stack file
// declares (none, or one each).
func configApps(t *testing.T, s *enginetest.Stack) (web, cli []string) {
	t.Helper()
	app := func(key, name string) []string {
		var a struct {
			Name      string
			Callbacks []string
		}
		configValue(t, s, key, &a)
		if len(a.Callbacks) == 0 {
			return nil // {}: none
		}
		return []string{cmp.Or(a.Name, name)}
	}
	return app(stackconfig.KeyWebApp, stackconfig.DefaultWebAppName), app(stackconfig.KeyCLIApp, stackconfig.DefaultCLIAppName)
}

// configClients are the names of the clients in the stack file.
func configClients(t *testing.T, s *enginetest.Stack) []string {
	t.Helper()
	var clients []struct{ Name string }
	configValue(t, s, stackconfig.KeyClients, &clients)
	var names []string
	for _, c := range clients {
		names = append(names, c.Name)
	}
	slices.Sort(names)
	return names
}
