package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/model-api-auth0/model-api-auth0/internal/gateway/proxy"
	"github.com/model-api-auth0/model-api-auth0/internal/testing/testissuer"
)

// The example is served with the gateway's server limits: a body limit,
// read timeouts, a connection cap, and unread bodies that close the
// connection.
func TestExampleServiceLimits(t *testing.T) {
	iss := testissuer.New(t)
	t.Setenv("AUTH0_ISSUER", iss.Issuer)
	t.Setenv("AUTH0_AUDIENCE", iss.Audience)
	t.Setenv("AUTH0_JWKS_URL", iss.JWKSURL())
	ctx, cancel := context.WithCancel(context.Background())
	ready, done := make(chan string, 1), make(chan error, 1)
	cfg := proxy.ServerConfig{ReadHeaderTimeout: 5 * time.Second, ReadTimeout: 3 * time.Second, MaxConns: 3}
	go func() { done <- serve(ctx, "127.0.0.1:0", cfg, ready) }()
	var addr string
	select {
	case addr = <-ready:
	case err := <-done:
		t.Fatal(err)
	}
	t.Cleanup(func() { cancel(); <-done })
	token := iss.Token(nil)

	exchange := func(request string) (*http.Response, string, net.Conn, *bufio.Reader) {
		conn, err := net.Dial("tcp", addr)
		require.NoError(t, err)
		t.Cleanup(func() { conn.Close() })
		conn.SetDeadline(time.Now().Add(10 * time.Second))
		io.WriteString(conn, request)
		br := bufio.NewReader(conn)
		resp, err := http.ReadResponse(br, nil)
		require.NoError(t, err)
		body, _ := io.ReadAll(resp.Body)
		return resp, string(body), conn, br
	}
	post := func(headers ...string) string {
		return strings.Join(append([]string{"POST /v1/chat/completions HTTP/1.1", "Host: x"}, headers...), "\r\n") + "\r\n\r\n"
	}

	resp, body, _, _ := exchange(post("Authorization: Bearer "+token, "Content-Length: 17") + `{"model":"llama"}`)
	assert.Equal(t, 200, resp.StatusCode, "%s", body)
	assert.Contains(t, body, `"model":"llama"`)

	resp, body, _, _ = exchange(post("Authorization: Bearer "+token, fmt.Sprintf("Content-Length: %d", maxBody+1)))
	assert.Equal(t, 413, resp.StatusCode, "announced: %s", body)
	big := `{"model":"` + strings.Repeat("a", maxBody) + `"}`
	resp, body, _, _ = exchange(post("Authorization: Bearer "+token, "Transfer-Encoding: chunked") + fmt.Sprintf("%x\r\n%s\r\n0\r\n\r\n", len(big), big))
	assert.Equal(t, 413, resp.StatusCode, "streamed: %s", body)

	start := time.Now()
	resp, _, conn, br := exchange(post("Content-Length: 1000")) // no token, body never sent
	assert.Equal(t, 401, resp.StatusCode)
	_, err := br.ReadByte()
	assert.ErrorIs(t, err, io.EOF, "the connection stayed open")
	assert.Less(t, time.Since(start), 2*time.Second)
	conn.Close()

	// A body that stalls is cut at the read timeout.
	resp, _, _, _ = exchange(post("Authorization: Bearer "+token, "Content-Length: 1000") + `{"model"`)
	assert.Equal(t, 400, resp.StatusCode)
}
