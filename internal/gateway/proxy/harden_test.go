package proxy_test

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/model-api-auth0/model-api-auth0/internal/gateway/proxy"
	"github.com/model-api-auth0/model-api-auth0/internal/gateway/proxy/proxytest"
	"github.com/model-api-auth0/model-api-auth0/internal/testing/testissuer"
)

// edge is a gateway served as cmd/gateway serves it, with chosen routes
// and server limits, in front of an upstream that records what it gets.
type edge struct {
	iss  *testissuer.Issuer
	gw   *httptest.Server
	seen *seen
}

func (e *edge) addr() string { return e.gw.Listener.Addr().String() }

func startEdge(t testing.TB, upstream http.Handler, routes []proxy.Route, server proxy.ServerConfig) *edge {
	t.Helper()
	e := &edge{iss: testissuer.New(t), seen: &seen{}}
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		e.seen.mu.Lock()
		e.seen.requests = append(e.seen.requests, r.Clone(context.Background()))
		e.seen.mu.Unlock()
		upstream.ServeHTTP(w, r)
	}))
	t.Cleanup(up.Close)
	u, _ := url.Parse(up.URL)
	if routes == nil {
		routes = proxy.DefaultRoutes()
	}
	h, err := proxy.New(proxytest.Validator(t, e.iss), proxy.Config{Upstream: u, Routes: routes, Logger: proxytest.Quiet})
	require.NoError(t, err)
	if server.Logger == nil {
		server.Logger = proxytest.Quiet
	}
	e.gw = httptest.NewUnstartedServer(nil)
	e.gw.Config = proxy.NewServer(h, server)
	ln, err := proxy.Listen("127.0.0.1:0", server)
	require.NoError(t, err)
	e.gw.Listener.Close()
	e.gw.Listener = ln
	e.gw.Start()
	t.Cleanup(e.gw.Close)
	return e
}

// upstreamCalls is how many requests reached the upstream.
func (e *edge) upstreamCalls() int {
	e.seen.mu.Lock()
	defer e.seen.mu.Unlock()
	return len(e.seen.requests)
}

// dial opens a raw connection, for requests no well-behaved client sends.
func dial(t testing.TB, addr string) (net.Conn, *bufio.Reader) {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	require.NoError(t, err)
	t.Cleanup(func() { conn.Close() })
	conn.SetDeadline(time.Now().Add(10 * time.Second))
	return conn, bufio.NewReader(conn)
}

// rawRequest sends head (request line and headers, "\r\n"-separated,
// without the blank line) and body, and reads the answer.
func rawRequest(t testing.TB, addr, head, body string) (*http.Response, string) {
	t.Helper()
	conn, br := dial(t, addr)
	_, err := io.WriteString(conn, head+"\r\n\r\n"+body)
	require.NoError(t, err)
	resp, err := http.ReadResponse(br, nil)
	require.NoError(t, err)
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	return resp, string(b)
}

// closed reports whether the server closes conn within d, reading
// and discarding whatever comes first.
func closed(conn net.Conn, br *bufio.Reader, d time.Duration) bool {
	conn.SetReadDeadline(time.Now().Add(d))
	_, err := io.Copy(io.Discard, br)
	return err == nil // io.Copy reports EOF as nil; a timeout as an error
}

func bearer(token string) string { return "Authorization: Bearer " + token }

func head(lines ...string) string { return strings.Join(lines, "\r\n") }

func get(target string, headers ...string) string {
	return head(append([]string{fmt.Sprintf("GET %s HTTP/1.1", target), "Host: proxy.test"}, headers...)...)
}
