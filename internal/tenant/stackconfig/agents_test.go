package stackconfig_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/model-api-auth0/model-api-auth0/internal/tenant/stackconfig"
)

const cimdTenant = `{"clientIdMetadataDocuments":true}`

func TestAgentClients(t *testing.T) {
	cfg, err := loadWith(t, map[string]string{
		stackconfig.KeyTenant:       cimdTenant,
		stackconfig.KeyModels:       `[{"name":"echo-small"}]`,
		stackconfig.KeyAgentClients: `[{"metadataUrl":"https://agent.example.com/client.json","scopes":["invoke:models"],"models":["echo-small"]}]`,
	})
	require.NoError(t, err)
	require.True(t, cfg.ClientIDMetadataDocuments())
	require.Len(t, cfg.AgentClients, 1)
	assert.Equal(t, "native", cfg.AgentClients[0].AppType, "default")
	assert.Equal(t, []string{"invoke:models", "model:echo-small"}, cfg.AgentClients[0].Grants())

	for _, c := range []struct {
		name, tenant, agents string
		want                 []string
	}{
		{"no tenant setting", "", `[{"metadataUrl":"https://a.example.com/c.json","scopes":["read:models"]}]`,
			[]string{`model-api-auth0:agentClients: needs the tenant setting: set model-api-auth0:tenant.clientIdMetadataDocuments: true`}},
		{"tenant setting false", `{"clientIdMetadataDocuments":false}`, `[{"metadataUrl":"https://a.example.com/c.json","scopes":["read:models"]}]`,
			[]string{`model-api-auth0:agentClients: needs the tenant setting`}},
		{"every problem at once", cimdTenant, `[
			{"metadataUrl":"http://a.example.com/c.json","scopes":["read:models"]},
			{"metadataUrl":"https://a.example.com/c.json#x","scopes":["read:models"]},
			{"metadataUrl":"https://a.example.com","scopes":["read:models"]},
			{"metadataUrl":"https://a.example.com/","scopes":["read:models"]},
			{"metadataUrl":"https://u:p@a.example.com/c.json","scopes":["read:models"]},
			{"metadataUrl":"https://a.example.com/x/../c.json","scopes":["read:models"]},
			{"metadataUrl":"agent.example.com/c.json","scopes":["read:models"]},
			{"scopes":["read:models"]},
			{"metadataUrl":"https://b.example.com/c.json","scopes":["read:models"]},
			{"metadataUrl":"https://b.example.com/c.json","scopes":[],"appType":"regularWeb","metadataVersion":0,"requireProofOfPossession":true},
			{"metadataUrl":"https://c.example.com/c.json","scopes":["write:models","read:models","read:models"],"models":["echo"]}]`,
			[]string{
				`agentClients[0].metadataUrl: "http://a.example.com/c.json": want https`,
				`agentClients[1].metadataUrl: "https://a.example.com/c.json#x": a fragment (#...) is refused`,
				`agentClients[2].metadataUrl: "https://a.example.com": a path is required (the draft's rule), such as https://a.example.com/client.json`,
				`agentClients[3].metadataUrl: "https://a.example.com/": a path is required`,
				`agentClients[4].metadataUrl: "https://u:p@a.example.com/c.json": a user name or password in the URL is refused`,
				`agentClients[5].metadataUrl: "https://a.example.com/x/../c.json": . and .. path segments are refused`,
				`agentClients[6].metadataUrl: "agent.example.com/c.json" is not an absolute URL`,
				`agentClients[7].metadataUrl: required: the https URL of the agent's client metadata document`,
				`agentClients[9].metadataUrl: "https://b.example.com/c.json" is also agentClients[8]: one client per document`,
				`agentClients[9].appType: "regularWeb": want one of native, spa, regular_web`,
				`agentClients[9].scopes: grant at least one scope`,
				`agentClients[9].metadataVersion: is 0; want 1 or more`,
				`agentClients[9].requireProofOfPossession: needs the API's proofOfPossession with mechanism dpop`,
				`agentClients[10].scopes[0]: scope "write:models" is not declared in model-api-auth0:api.scopes`,
				`agentClients[10].scopes[read:models]: scope "read:models" is declared twice`,
				`agentClients[10].models: the stack declares no models`,
			}},
		{"misspelled key", cimdTenant, `[{"metadataURL":"https://a.example.com/c.json","scopes":["read:models"]}]`,
			[]string{`model-api-auth0:agentClients[0]: unknown key "metadataURL"; did you mean "metadataUrl"?`}},
	} {
		t.Run(c.name, func(t *testing.T) {
			changes := map[string]string{stackconfig.KeyAgentClients: c.agents}
			if c.tenant != "" {
				changes[stackconfig.KeyTenant] = c.tenant
			}
			_, err := loadWith(t, changes)
			require.Error(t, err)
			for _, want := range c.want {
				assert.Contains(t, err.Error(), want)
			}
			if len(c.want) > 1 {
				assert.Equal(t, len(c.want), strings.Count(err.Error(), "\n  "), "one line per problem:\n%v", err)
			}
		})
	}
}

func TestCheckMetadataURL(t *testing.T) {
	for _, ok := range []string{"https://agent.example.com/client.json", "https://127.0.0.1:8443/c.json", "https://a.example.com/c.json?v=1"} {
		assert.Empty(t, stackconfig.CheckMetadataURL(ok), ok)
	}
}
