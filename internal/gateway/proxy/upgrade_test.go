package proxy_test

import (
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/model-api-auth0/model-api-auth0/internal/gateway/proxy"
	"github.com/model-api-auth0/model-api-auth0/internal/gateway/proxy/proxytest"
)

var tunnelRoutes = []proxy.Route{
	{Pattern: "GET /v1/models"},
	{Pattern: "GET /v1/realtime", Upgrade: []string{"websocket"}},
}

// A protocol switch happens only where a route allows it.
func TestUpgradeOnlyWhereAllowed(t *testing.T) {
	e := startEdge(t, http.HandlerFunc(proxytest.EchoTunnel), tunnelRoutes, serverLimits())
	token := e.iss.Token(nil)
	cases := []struct {
		path, upgrade string
		status        int
	}{
		{"/v1/models", "websocket", 400},
		{"/v1/models", "h2c", 400},
		{"/v1/realtime", "h2c", 400},
		{"/v1/realtime", "websocket, h2c", 400},
		{"/v1/realtime", "WebSocket", 101},
	}
	for _, c := range cases {
		t.Run(c.path+" "+c.upgrade, func(t *testing.T) {
			before := e.upstreamCalls()
			conn, br := dial(t, e.addr())
			io.WriteString(conn, get(c.path, bearer(token), "Connection: Upgrade", "Upgrade: "+c.upgrade)+"\r\n\r\n")
			resp, err := http.ReadResponse(br, nil)
			require.NoError(t, err)
			assert.Equal(t, c.status, resp.StatusCode)
			if c.status == 400 {
				assert.Equal(t, before, e.upstreamCalls(), "the upstream saw the upgrade request")
			}
		})
	}
	// Without a token, no tunnel either.
	resp, _ := rawRequest(t, e.addr(), get("/v1/realtime", "Connection: Upgrade", "Upgrade: websocket"), "")
	assert.Equal(t, 401, resp.StatusCode)
}

// An allowed tunnel ends when the token that opened it expires.
func TestTunnelEndsWhenTheTokenExpires(t *testing.T) {
	e := startEdge(t, http.HandlerFunc(proxytest.EchoTunnel), tunnelRoutes, serverLimits())
	expires := time.Now().Add(2 * time.Second).Truncate(time.Second)
	token := e.iss.Token(map[string]any{"exp": expires.Unix()})
	conn, br := dial(t, e.addr())
	io.WriteString(conn, get("/v1/realtime", bearer(token), "Connection: Upgrade", "Upgrade: websocket")+"\r\n\r\n")
	resp, err := http.ReadResponse(br, nil)
	require.NoError(t, err)
	require.Equal(t, 101, resp.StatusCode)

	// The tunnel works, past the server's read and write timeouts...
	for range 3 {
		proxytest.Echo(t, conn, br, "ping")
		time.Sleep(200 * time.Millisecond)
	}
	// ...and closes at expiry.
	conn.SetReadDeadline(expires.Add(3 * time.Second))
	_, err = br.ReadByte()
	assert.ErrorIs(t, err, io.EOF, "the tunnel outlived the token")
	assert.WithinDuration(t, expires, time.Now(), 2*time.Second)
}
