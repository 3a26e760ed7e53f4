package main

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/model-api-auth0/model-api-auth0/internal/plan/recorder"
	"github.com/model-api-auth0/model-api-auth0/internal/tenant/stackconfig"
)

// agentsConfig is the base configuration with the tenant setting and two
// agents, one with every key set.
func agentsConfig() map[string]string {
	raw := baseConfig()
	raw[stackconfig.KeyAPI] = mustJSON(map[string]any{
		"name": "Model API", "identifier": "https://models.example.com/", "proofOfPossession": map[string]any{"mechanism": "dpop"},
		"scopes": []any{map[string]any{"name": "read:models"}, map[string]any{"name": "invoke:models"}},
	})
	raw[stackconfig.KeyModels] = `[{"name":"echo-small"}]`
	raw[stackconfig.KeyTenant] = `{"resourceParameterProfile":"compatibility","clientIdMetadataDocuments":true}`
	raw[stackconfig.KeyAgentClients] = mustJSON([]any{
		map[string]any{"metadataUrl": "https://agent.example.com/client.json", "scopes": []any{"read:models"}},
		map[string]any{"metadataUrl": "https://tools.example.com/mcp/client.json", "description": "Tools agent", "appType": "spa",
			"scopes": []any{"invoke:models"}, "models": []any{"echo-small"}, "metadataVersion": 2, "requireProofOfPossession": true},
	})
	return raw
}

// An agent's client is Auth0's ClientCimd, built from its document, with
// people's refresh token policy, and a user-type grant of exactly its
// scopes and models, after the tenant supports metadata documents.
func TestAgentClientInputs(t *testing.T) {
	p := evaluate(t, "test", agentsConfig())
	ref := recorder.Reference
	refresh := map[string]any{"rotationType": "rotating", "expirationType": "expiring", "tokenLifetime": 2592000.0,
		"idleTokenLifetime": 1296000.0, "infiniteTokenLifetime": false, "infiniteIdleTokenLifetime": false}
	minimal, full := "agent-agent.example.com-client.json-", "agent-tools.example.com-mcp-client.json-"
	minimal += agentLogicalName("https://agent.example.com/client.json")[len(minimal):]
	full += agentLogicalName("https://tools.example.com/mcp/client.json")[len(full):]

	assert.Equal(t, true, input(find(t, p, "tenant"), "clientIdMetadataDocumentSupported"))
	checks := []struct {
		what      string
		got, want any
	}{
		{"minimal agent", find(t, p, minimal).Inputs.Mappable(), map[string]any{
			"externalClientId": "https://agent.example.com/client.json", "appType": "native",
			"grantTypes": []any{"authorization_code", "refresh_token"}, "oidcConformant": true, "refreshToken": refresh}},
		{"full agent", find(t, p, full).Inputs.Mappable(), map[string]any{
			"externalClientId": "https://tools.example.com/mcp/client.json", "description": "Tools agent", "appType": "spa",
			"externalClientIdVersion": 2.0, "requireProofOfPossession": true,
			"grantTypes": []any{"authorization_code", "refresh_token"}, "oidcConformant": true, "refreshToken": refresh}},
		{"minimal grant", find(t, p, minimal+"-grant").Inputs.Mappable(), map[string]any{"clientId": ref(minimal, "clientId"),
			"audience": "https://models.example.com/", "scopes": []any{"read:models"}, "subjectType": "user"}},
		{"full grant: scopes and models", input(find(t, p, full+"-grant"), "scopes"), []any{"invoke:models", "model:echo-small"}},
		{"agents are not enabled on the connection: Auth0 decides their login", input(find(t, p, "connection-clients"), "enabledClients"),
			[]any{ref("web-app", "clientId"), ref("cli-app", "clientId")}},
	}
	for _, c := range checks {
		assert.Equal(t, c.want, c.got, c.what)
	}
	assert.Contains(t, find(t, p, minimal).Dependencies, find(t, p, "tenant").URN, "created once the tenant supports metadata documents")
	assert.Contains(t, find(t, p, full+"-grant").Dependencies, find(t, p, "api-scopes").URN, "the scopes exist before the grant names them")
	assert.Equal(t, find(t, p, full).URN, find(t, p, full+"-grant").Parent)
}

func TestAgentLogicalName(t *testing.T) {
	for _, c := range []struct{ url, prefix string }{
		{"https://agent.example.com/client.json", "agent-agent.example.com-client.json-"},
		{"https://agent.example.com:8443/a/b.json?v=1", "agent-agent.example.com-8443-a-b.json-"},
	} {
		name := agentLogicalName(c.url)
		assert.Regexp(t, "^"+c.prefix+"[0-9a-f]{8}$", name, c.url)
	}
	assert.NotEqual(t, agentLogicalName("https://a.example.com/c_json"), agentLogicalName("https://a.example.com/c-json"),
		"URLs that clean to the same text get different names")
}

// Declaring agents without the tenant setting registers nothing.
func TestAgentClientsNeedTheTenantSetting(t *testing.T) {
	raw := agentsConfig()
	raw[stackconfig.KeyTenant] = `{"resourceParameterProfile":"compatibility"}`
	resources, err := runRecorded("test", raw, nil)
	require.ErrorContains(t, err, "model-api-auth0:agentClients: needs the tenant setting")
	assert.Empty(t, resources)
}
