package gateway

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/model-api-auth0/model-api-auth0/internal/gateway/gatewaytest"
	"github.com/model-api-auth0/model-api-auth0/internal/testing/syncbuf"
	"github.com/model-api-auth0/model-api-auth0/internal/testing/testissuer"
)

// minimalOptions are the least the gateway starts with (a tenant, an
// audience, an upstream), logging nowhere.
func minimalOptions() Options {
	o := DefaultOptions()
	o.Tenant = Tenant{Domain: "t.us.auth0.com", Audience: "https://a/"}
	o.Upstream = "http://127.0.0.1:9"
	o.Log.Output = io.Discard
	return o
}

// issuerOptions are options trusting iss, in front of upstream, on a free
// loopback port, logging to logs.
func issuerOptions(iss *testissuer.Issuer, upstream string, logs io.Writer) Options {
	o := DefaultOptions()
	o.Tenant = Tenant{Issuer: iss.Issuer, Audience: iss.Audience, JWKSURL: iss.JWKSURL()}
	o.Upstream, o.Listen, o.Log.Output = upstream, "127.0.0.1:0", logs
	return o
}

// start runs the gateway until the test stops it, and returns its address.
func start(t *testing.T, o Options) (string, func()) {
	t.Helper()
	return gatewaytest.Start(t, func(ctx context.Context, ready chan<- string) error { return Run(ctx, o, ready) })
}

// writeFile writes content to a file of the test's own, and returns its path.
func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	require.NoError(t, os.WriteFile(path, []byte(content), 0o600))
	return path
}

// logged is the value of key in the first JSON log line whose msg is msg.
func logged(logs *syncbuf.Buffer, msg, key string) string {
	sc := bufio.NewScanner(strings.NewReader(logs.String()))
	for sc.Scan() {
		var e map[string]any
		if json.Unmarshal(sc.Bytes(), &e) == nil && e["msg"] == msg {
			s, _ := e[key].(string)
			return s
		}
	}
	return ""
}
