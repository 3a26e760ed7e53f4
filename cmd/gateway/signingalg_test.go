package main

import (
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The gateway accepts what the stack signs with: the stack's signingAlg
// output, unless a flag or AUTH0_SIGNING_ALG says otherwise.
func TestSigningAlgFromStackOutputs(t *testing.T) {
	outputs := filepath.Join(t.TempDir(), "outputs.json")
	require.NoError(t, os.WriteFile(outputs, []byte(`{"audience":"https://a/","issuer":"https://t.us.auth0.com/","tenantDomain":"t.us.auth0.com","signingAlg":"PS256"}`), 0o600))
	cases := []struct {
		args []string
		env  map[string]string
		want string
	}{
		{args: []string{"-stack-outputs", outputs}, want: "PS256"},
		{args: []string{"-stack-outputs", outputs, "-signing-alg", "RS256"}, want: "RS256"},
		{args: []string{"-stack-outputs", outputs}, env: map[string]string{"AUTH0_SIGNING_ALG": "RS256"}, want: "RS256"},
	}
	for _, c := range cases {
		o, err := parse(append(c.args, "-upstream", "http://127.0.0.1:9"), env(c.env), io.Discard)
		require.NoError(t, err, c.args)
		assert.Equal(t, c.want, o.Tenant.SigningAlg, "%v %v", c.args, c.env)
	}
}
