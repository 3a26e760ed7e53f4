package main

import (
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/model-api-auth0/model-api-auth0/internal/tenant/stackoutputs"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The stack outputs give the routes file's limits the names of the
// organizations and clients; without them there are none to resolve.
func TestLimitNamesFromStackOutputs(t *testing.T) {
	outputs := filepath.Join(t.TempDir(), "outputs.json")
	require.NoError(t, os.WriteFile(outputs, []byte(`{"audience":"https://a/","issuer":"https://t.us.auth0.com/","tenantDomain":"t.us.auth0.com",
		"organizations":{"acme":"org_1"},"clients":{"scorer":{"clientId":"c1"}},"webApp":{"name":"web","clientId":"c2"}}`), 0o600))
	o, err := parse([]string{"-stack-outputs", outputs, "-upstream", "http://127.0.0.1:9"}, env(nil), io.Discard)
	require.NoError(t, err)
	require.NotNil(t, o.Limits.Names)
	assert.Equal(t, stackoutputs.Names{"acme": "org_1"}, o.Limits.Names.Organizations)
	assert.Equal(t, stackoutputs.Names{"scorer": "c1", "web": "c2"}, o.Limits.Names.Clients)

	o, err = parse([]string{"-upstream", "http://127.0.0.1:9", "-domain", "t.us.auth0.com", "-audience", "https://a/"}, env(nil), io.Discard)
	require.NoError(t, err)
	assert.Nil(t, o.Limits.Names)
}
