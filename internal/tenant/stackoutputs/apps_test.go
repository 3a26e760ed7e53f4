package stackoutputs_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/model-api-auth0/model-api-auth0/internal/tenant/stackoutputs"
)

func TestCLIClientIDAndOrganizations(t *testing.T) {
	cases := []struct {
		name, json, want string
	}{
		{"the stack's cliApp", `"cliApp": {"name": "cli", "clientId": "from-stack"}`, "from-stack"},
		// An earlier dev tenant wrote its command-line client as nativeApp:
		// such a file is written again by starting the dev tenant.
		{"nativeApp is not read", `"nativeApp": {"name": "cli", "clientId": "from-devtenant"}`, ""},
		{"a cliApp without a client ID", `"cliApp": {"name": "cli"}`, ""},
		{"neither", `"webApp": {"clientId": "web"}`, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "outputs.json")
			require.NoError(t, os.WriteFile(path, []byte(`{"audience": "a", "issuer": "https://t/", "organizations": {"acme": "org_1"}, `+c.json+`}`), 0o600))
			out, err := stackoutputs.Load(path)
			require.NoError(t, err)
			assert.Equal(t, stackoutputs.Organizations{"acme": "org_1"}, out.Organizations)
			id, err := out.CLIClientID()
			assert.Equal(t, c.want, id)
			if c.want == "" {
				assert.ErrorIs(t, err, stackoutputs.ErrNoCLIApp)
			} else {
				assert.NoError(t, err)
			}
		})
	}
}
