package websession_test

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/model-api-auth0/model-api-auth0/internal/gateway/proxy"
	"github.com/model-api-auth0/model-api-auth0/internal/gateway/proxy/proxytest"
	"github.com/model-api-auth0/model-api-auth0/internal/gateway/websession"
)

// A WebSocket tunnel opened with a session ends when the session does: at
// once on the replica that logs it out, and soon on the others.
func TestTunnelEndsWithItsSession(t *testing.T) {
	eachStore(t, 2, func(t *testing.T, o options) {
		o.routes = append(proxy.DefaultRoutes(), proxy.Route{Pattern: "GET /v1/realtime", AllOf: []string{"invoke:models"}, Upgrade: []string{"websocket"}})
		s := newStack(t, o)
		if len(s.webs) > 1 {
			// The logout happens on another replica, which the tunnel's
			// replica learns of from the store. (On its own replica, at
			// once: the check's default period is longer than the test
			// waits.)
			websession.SetTunnelCheck(s.webs[0], 100*time.Millisecond)
		}
		first, last := s.gateways[0].URL, s.gateways[len(s.gateways)-1].URL
		b := s.browser(t)
		b.login(first, bob, "globex")
		conn, br := openTunnel(t, first, b.cookie(first).Value)
		proxytest.Echo(t, conn, br, "ping")

		r := b.do(http.MethodPost, last+"/logout", nil, "Origin", last)
		require.Equal(t, http.StatusSeeOther, r.StatusCode, r.message())
		conn.SetReadDeadline(time.Now().Add(3 * time.Second))
		_, err := br.ReadByte()
		assert.ErrorIs(t, err, io.EOF, "the tunnel outlived its session")
	})
}

// openTunnel switches GET /v1/realtime of gw to WebSocket with the session
// cookie, as the gateway's page would, and returns the tunnel.
func openTunnel(t *testing.T, gw, session string) (net.Conn, *bufio.Reader) {
	t.Helper()
	u, _ := url.Parse(gw)
	conn, err := net.Dial("tcp", u.Host)
	require.NoError(t, err)
	t.Cleanup(func() { conn.Close() })
	io.WriteString(conn, "GET /v1/realtime HTTP/1.1\r\nHost: "+u.Host+"\r\nOrigin: "+gw+"\r\nCookie: session="+session+
		"\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n")
	br := bufio.NewReader(conn)
	resp, err := http.ReadResponse(br, nil)
	require.NoError(t, err)
	require.Equal(t, http.StatusSwitchingProtocols, resp.StatusCode)
	return conn, br
}
