package main

import (
	"encoding/json"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/model-api-auth0/model-api-auth0/internal/plan/recorder"
	"github.com/model-api-auth0/model-api-auth0/internal/tenant/stackconfig"
)

// engineConfig calls EngineConfig in a program whose engine holds config.
func engineConfig(t *testing.T, config map[string]string, stackKeys ...string) (map[string]string, error) {
	t.Helper()
	var raw map[string]string
	var cfgErr error
	err := pulumi.RunErr(func(ctx *pulumi.Context) error {
		raw, cfgErr = EngineConfig(ctx, stackKeys...)
		return nil
	}, recorder.New(stackconfig.Namespace, "test").RunOption(config, stackconfig.SecretKeys))
	require.NoError(t, err)
	return raw, cfgErr
}

func TestEngineConfig(t *testing.T) {
	const typo = stackconfig.Namespace + ":organisations"
	engine := map[string]string{
		stackconfig.KeyDomain: "t.us.auth0.com",
		stackconfig.KeyAPI:    `{"name":"n"}`,
		typo:                  `[]`,
		"aws:region":          "eu-west-1", // another package's key: not the program's
	}
	declared := map[string]string{stackconfig.KeyDomain: "t.us.auth0.com", stackconfig.KeyAPI: `{"name":"n"}`}
	withTypo := map[string]string{stackconfig.KeyDomain: "t.us.auth0.com", stackconfig.KeyAPI: `{"name":"n"}`, typo: `[]`}
	hostConfig, err := json.Marshal(map[string]string{stackconfig.KeyAPI: `{"stale":true}`, typo: `[]`, stackconfig.KeyDomain: "x"})
	require.NoError(t, err)

	cases := []struct {
		name         string
		pulumiConfig string // PULUMI_CONFIG, as the Go language host sets it
		stackKeys    []string
		want         map[string]string
	}{
		{"inline: the keys the program declares", "", nil, declared},
		{"inline: the keys of the stack file too", "", []string{typo, stackconfig.KeyAPI}, withTypo},
		{"inline: a named key the engine lacks", "", []string{stackconfig.Namespace + ":nothing"}, declared},
		// Every key the language host passes is read, values from the engine.
		{"language host", string(hostConfig), nil, withTypo},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Setenv(pulumi.EnvConfig, c.pulumiConfig)
			raw, err := engineConfig(t, engine, c.stackKeys...)
			require.NoError(t, err)
			assert.Equal(t, c.want, raw)
		})
	}

	t.Run("unknown key found inline is reported", func(t *testing.T) {
		t.Setenv(pulumi.EnvConfig, "")
		raw, err := engineConfig(t, engine, typo)
		require.NoError(t, err)
		_, err = stackconfig.Load(raw, nil)
		require.ErrorIs(t, err, stackconfig.ErrInvalidConfig)
		assert.Contains(t, err.Error(), `model-api-auth0:organisations: unknown key; did you mean "model-api-auth0:organizations"?`)
	})

	t.Run("malformed PULUMI_CONFIG", func(t *testing.T) {
		t.Setenv(pulumi.EnvConfig, `{not json`)
		_, err := engineConfig(t, engine)
		require.Error(t, err)
		assert.Contains(t, err.Error(), "PULUMI_CONFIG")
	})
}

// A secret key stored in plain text is refused by the program (Pulumi.yaml
// cannot have the CLI do it), with the command that fixes it, and with the
// other problems of the configuration.
func TestPlaintextSecretRefused(t *testing.T) {
	cases := []struct {
		name       string
		secretKeys []string
		mutate     func(map[string]string)
		want       []string
	}{
		{"encrypted", stackconfig.SecretKeys, func(map[string]string) {}, nil},
		{"plain text", nil, func(map[string]string) {}, []string{
			"model-api-auth0:testUserPassword: is stored in plain text; remove it from the stack file and run `pulumi config set --secret model-api-auth0:testUserPassword`",
		}},
		{"plain text and another problem", nil, func(raw map[string]string) { raw[stackconfig.KeyDomain] = "" }, []string{
			"model-api-auth0:testUserPassword: is stored in plain text",
			"auth0:domain: the tenant domain is not set",
		}},
		{"empty is not stored", nil, func(raw map[string]string) {
			raw[stackconfig.KeyTestUserPassword] = ""
			raw[stackconfig.KeyTestUsers] = "[]"
			raw[stackconfig.KeyOrganizations] = "[]"
		}, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			raw := baseConfig()
			c.mutate(raw)
			registered, err := runRecorded("test", raw, c.secretKeys)
			if c.want == nil {
				require.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, stackconfig.ErrInvalidConfig)
			for _, w := range c.want {
				assert.Contains(t, err.Error(), w)
			}
			assert.Empty(t, registered, "nothing is registered")
		})
	}
}
