package stackconfig_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/model-api-auth0/model-api-auth0/internal/tenant/stackconfig"
	"github.com/model-api-auth0/model-api-auth0/internal/tenant/stackconfig/stackconfigtest"
)

func loadWith(t *testing.T, changes map[string]string) (*stackconfig.Config, error) {
	t.Helper()
	raw := stackconfigtest.Base()
	for k, v := range changes {
		raw[k] = v
	}
	return stackconfig.Load(raw, nil)
}

const popAPI = `{"name":"Model API","identifier":"https://models.example.com/","scopes":[{"name":"read:models"},{"name":"invoke:models"}],"proofOfPossession":`

func TestProofOfPossession(t *testing.T) {
	cfg, err := loadWith(t, map[string]string{
		stackconfig.KeyAPI:     popAPI + `{"required":true}}`,
		stackconfig.KeyClients: `[{"name":"c","scopes":["read:models"],"requireProofOfPossession":true}]`,
	})
	require.NoError(t, err)
	assert.Equal(t, &stackconfig.ProofOfPossessionConfig{Mechanism: "dpop", Required: true, RequiredFor: "all_clients"}, cfg.API.ProofOfPossession, "defaults")
	assert.True(t, cfg.Clients[0].RequireProofOfPossession)

	for _, c := range []struct{ name, api, clients, want string }{
		{"mtls", popAPI + `{"mechanism":"mtls"}}`, "", `model-api-auth0:api.proofOfPossession.mechanism: mtls is not checked by guard or the gateway; use dpop`},
		{"unknown mechanism", popAPI + `{"mechanism":"DPoP"}}`, "", `api.proofOfPossession.mechanism: "DPoP": want dpop`},
		{"camelCase requiredFor", popAPI + `{"required":true,"requiredFor":"allClients"}}`, "", `api.proofOfPossession.requiredFor: "allClients": want all_clients or public_clients`},
		{"requiredFor alone", popAPI + `{"requiredFor":"public_clients"}}`, "", `api.proofOfPossession.requiredFor: only applies with required: true`},
		{"misspelled key", popAPI + `{"require":true}}`, "", `api.proofOfPossession: unknown key "require"; did you mean "required"?`},
		{"client requires it, API has none", "", `[{"name":"c","scopes":["read:models"],"requireProofOfPossession":true}]`, `model-api-auth0:clients[c].requireProofOfPossession: needs the API's proofOfPossession`},
	} {
		t.Run(c.name, func(t *testing.T) {
			changes := map[string]string{}
			if c.api != "" {
				changes[stackconfig.KeyAPI] = c.api
			}
			if c.clients != "" {
				changes[stackconfig.KeyClients] = c.clients
			}
			_, err := loadWith(t, changes)
			require.Error(t, err)
			assert.Contains(t, err.Error(), c.want)
		})
	}
}
