package main

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/model-api-auth0/model-api-auth0/internal/gateway/gatewaytest"
	"github.com/model-api-auth0/model-api-auth0/internal/testing/syncbuf"
	"github.com/model-api-auth0/model-api-auth0/internal/testing/testissuer"
)

// The login is configured from the stack outputs' webApp and a secret file.
func TestLoginFromStackOutputs(t *testing.T) {
	iss := testissuer.New(t)
	outputs := filepath.Join(t.TempDir(), "outputs.json")
	b, _ := json.Marshal(map[string]any{"audience": iss.Audience, "issuer": iss.Issuer, "jwksUri": iss.JWKSURL(),
		"webApp": map[string]any{"name": "gateway", "clientId": "web-client-id"}})
	os.WriteFile(outputs, b, 0o644)
	secretFile := filepath.Join(t.TempDir(), "secret")
	os.WriteFile(secretFile, []byte("s3cret\n"), 0o600)
	var logs syncbuf.Buffer
	addr, stop := start(t, []string{"-stack-outputs", outputs, "-upstream", "http://127.0.0.1:9", "-listen", "127.0.0.1:0",
		"-public-url", "http://127.0.0.1:8080", "-client-secret-file", secretFile}, env(nil), &logs)
	defer stop()
	resp, err := http.Get("http://" + addr + "/")
	require.NoError(t, err)
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Contains(t, string(body), `id="login"`)
	assert.Contains(t, logs.String(), `"client_id":"web-client-id"`, "the stack's web app, since its secret is given")
	assert.NotContains(t, logs.String(), "s3cret")
}

// start runs the gateway until the test stops it.
func start(t *testing.T, args []string, env func(string) (string, bool), out io.Writer) (string, func()) {
	t.Helper()
	return gatewaytest.Start(t, func(ctx context.Context, ready chan<- string) error { return run(ctx, args, env, out, ready) })
}
