package main

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/model-api-auth0/model-api-auth0/internal/tenant/stackconfig"
	"github.com/model-api-auth0/model-api-auth0/internal/tenant/stackconfig/stackconfigtest"
)

// A bad configuration stops the program before it registers anything, with
// the problems internal/tenant/stackconfig finds (its tests hold every rule): a
// value it cannot decode, a rule broken, a name that is not declared.
func TestInvalidConfigRegistersNothing(t *testing.T) {
	cases := []struct {
		name, key, value string
		want             string
	}{
		{"unknown key", stackconfig.Namespace + ":organisations", `[]`, `model-api-auth0:organisations: unknown key; did you mean "model-api-auth0:organizations"?`},
		{"wrong kind", stackconfig.KeyAPI, `{"name":"n","identifier":"https://m.example.com/","tokenLifetime":"1h","scopes":[{"name":"read:models"},{"name":"invoke:models"}]}`,
			`model-api-auth0:api.tokenLifetime: want a whole number, got the string "1h"`},
		{"rule broken", stackconfig.KeyTestUserPassword, "short", `model-api-auth0:testUserPassword: does not meet password policy "good"`},
		{"not declared", stackconfig.KeyClients, `[{"name":"c","scopes":["train:models"]}]`, `model-api-auth0:clients[c].scopes[0]: scope "train:models" is not declared`},
		{"web app callback", stackconfig.KeyWebApp, `{"callbacks":["http://models.example.com/callback"]}`, `http would send login codes in the clear`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			raw := baseConfig()
			raw[c.key] = c.value
			registered, err := runRecorded("test", raw, stackconfig.SecretKeys)
			require.ErrorIs(t, err, stackconfig.ErrInvalidConfig)
			assert.Contains(t, err.Error(), c.want)
			assert.Empty(t, registered, "resources registered before the error")
			assert.NotContains(t, err.Error(), stackconfigtest.Password, "the error shows the password")
		})
	}
}
