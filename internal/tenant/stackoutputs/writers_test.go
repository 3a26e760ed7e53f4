package stackoutputs_test

import (
	"encoding/json"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/model-api-auth0/model-api-auth0/guard"
	"github.com/model-api-auth0/model-api-auth0/internal/dev/devtenant/devtenanttest"
	"github.com/model-api-auth0/model-api-auth0/internal/tenant/stackoutputs"
)

// Both writers of the outputs, the program (its golden plan of the dev
// stack) and the dev tenant (serving the dev stack), write every name of
// Outputs, Client and App and no other, and what they write loads with
// everything the gateway and the token client read from it.
func TestEveryWriterWritesWhatEnforcementReads(t *testing.T) {
	devTenant := filepath.Join(t.TempDir(), "outputs.json")
	require.NoError(t, devtenanttest.Dev(t).WriteOutputs(devTenant))
	for writer, path := range map[string]string{"program": devOutputs(t), "dev tenant": devTenant} {
		t.Run(writer, func(t *testing.T) {
			b, err := os.ReadFile(path)
			require.NoError(t, err)
			checkNames(t, b)
			out, err := stackoutputs.Load(path)
			require.NoError(t, err)

			// The gateway's validator, and the token client's endpoint.
			assert.NoError(t, guard.Config{Audience: out.Audience, Issuer: out.Issuer, JWKSURL: out.JWKSURI, SigningAlg: out.SigningAlg}.Validate())
			assert.Equal(t, "RS256", out.SigningAlg)
			assert.NotEmpty(t, out.TokenEndpoint)
			assert.NotEmpty(t, out.TenantDomain)

			// The organizations, and which a client may get tokens for.
			assert.Equal(t, []string{"acme", "globex"}, slices.Sorted(maps.Keys(out.Organizations)))
			id, err := out.ClientOrganization("acme-batch", "acme")
			require.NoError(t, err)
			assert.Equal(t, out.Organizations["acme"], id)
			_, err = out.ClientOrganization("acme-batch", "globex")
			assert.ErrorIs(t, err, stackoutputs.ErrOrganizationNotAllowed, "linked to acme only")
			_, err = out.ClientOrganization("batch-scorer", "acme")
			assert.ErrorIs(t, err, stackoutputs.ErrOrganizationNotAllowed, "its grant denies organizations")
			assert.True(t, out.Clients["acme-batch"].RequiresOrganization())
			for _, name := range []string{"acme-batch", "batch-scorer", "model-catalog"} {
				id, err := out.ClientID(name)
				assert.NoError(t, err)
				assert.NotEmpty(t, id, name)
			}

			// The logins: the gateway's web app and the command line's.
			require.NotNil(t, out.WebApp)
			assert.Equal(t, "gateway", out.WebApp.Name)
			assert.NotEmpty(t, out.WebApp.ClientID)
			cli, err := out.CLIClientID()
			assert.NoError(t, err)
			assert.NotEmpty(t, cli)
			assert.Equal(t, "cli", out.CLIApp.Name)

			// DPoP as the dev stack declares it: allowed, not required, so
			// a gateway started from these outputs keeps taking bearer tokens.
			assert.Equal(t, &stackoutputs.ProofOfPossession{Mechanism: "dpop"}, out.ProofOfPossession)
			assert.False(t, out.ProofOfPossession.RequiredOfAll())

			// The secrets, for `jq .clientSecrets[NAME]`: the plan, like
			// `pulumi stack output --json` without --show-secrets, hides them.
			if writer == "program" {
				assert.Nil(t, out.ClientSecrets)
			} else {
				assert.NotEmpty(t, out.ClientSecrets[out.WebApp.Name])
				assert.NotEmpty(t, out.ClientSecrets["batch-scorer"])
			}
		})
	}
}

// checkNames compares the keys of an outputs file with the JSON names of
// Outputs, and of each client and application in it with Client's and App's.
func checkNames(t *testing.T, b []byte) {
	t.Helper()
	var top map[string]json.RawMessage
	require.NoError(t, json.Unmarshal(b, &top))
	want := jsonNames(stackoutputs.Outputs{})
	if _, ok := top[stackoutputs.KeyMCP]; !ok {
		// Only a stack expecting agents writes mcp, and the dev stack does
		// not (the program's TestMCPOutput, devtenant -gateway's TestGatewayMode).
		want = slices.DeleteFunc(want, func(n string) bool { return n == stackoutputs.KeyMCP })
	}
	assert.Equal(t, want, slices.Sorted(maps.Keys(top)), "outputs")
	var clients map[string]map[string]json.RawMessage
	require.NoError(t, json.Unmarshal(top[stackoutputs.KeyClients], &clients))
	for name, c := range clients {
		assert.Equal(t, jsonNames(stackoutputs.Client{}), slices.Sorted(maps.Keys(c)), "client %s", name)
	}
	for _, key := range []string{stackoutputs.KeyWebApp, stackoutputs.KeyCLIApp} {
		var app map[string]json.RawMessage
		require.NoError(t, json.Unmarshal(top[key], &app))
		assert.Equal(t, jsonNames(stackoutputs.App{}), slices.Sorted(maps.Keys(app)), key)
	}
}
