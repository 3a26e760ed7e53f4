package main

import (
	"bufio"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The example's server has a deadline on every phase of a request and a
// cap on the headers: what a service copied from it starts with.
func TestServerIsHardened(t *testing.T) {
	srv := newServer("127.0.0.1:0")
	for name, d := range map[string]time.Duration{"ReadHeaderTimeout": srv.ReadHeaderTimeout, "ReadTimeout": srv.ReadTimeout,
		"WriteTimeout": srv.WriteTimeout, "IdleTimeout": srv.IdleTimeout} {
		assert.Positive(t, d, name)
	}
	assert.Less(t, srv.ReadHeaderTimeout, srv.ReadTimeout, "headers first, then the body")
	assert.Positive(t, srv.MaxHeaderBytes)
	assert.Less(t, srv.MaxHeaderBytes, http.DefaultMaxHeaderBytes)
}

// The example serves within its limits: a body limit, a read timeout, and
// unread bodies that close the connection.
func TestExampleServiceLimits(t *testing.T) {
	token := startTenant(t)
	ctx, cancel := context.WithCancel(context.Background())
	ready, done := make(chan string, 1), make(chan error, 1)
	srv := newServer("127.0.0.1:0")
	srv.ReadTimeout = 3 * time.Second // a stalled body is cut within the test's patience
	go func() { done <- serve(ctx, srv, ready) }()
	var addr string
	select {
	case addr = <-ready:
	case err := <-done:
		t.Fatal(err)
	}
	t.Cleanup(func() { cancel(); <-done })

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

// startTenant stands in for the tenant the example trusts, through the
// environment it reads: an RSA key whose JWKS is served on loopback, and
// the access token of an M2M client that may invoke models.
func startTenant(t *testing.T) string {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	require.NoError(t, err)
	jwks, err := json.Marshal(map[string][]map[string]string{"keys": {{
		"kty": "RSA", "use": "sig", "alg": "RS256", "kid": "example-key",
		"n": base64.RawURLEncoding.EncodeToString(key.N.Bytes()), "e": "AQAB", // Go's RSA keys have e = 65537
	}}})
	require.NoError(t, err)
	tenant := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.Write(jwks) }))
	t.Cleanup(tenant.Close)
	issuer, audience := tenant.URL+"/", "https://models.example.com/"
	t.Setenv("AUTH0_ISSUER", issuer)
	t.Setenv("AUTH0_AUDIENCE", audience)
	t.Setenv("AUTH0_JWKS_URL", tenant.URL+"/.well-known/jwks.json")

	type accessClaims struct {
		jwt.RegisteredClaims
		Scope string `json:"scope"`
	}
	tok := jwt.NewWithClaims(jwt.SigningMethodRS256, accessClaims{Scope: "invoke:models", RegisteredClaims: jwt.RegisteredClaims{
		Issuer: issuer, Audience: jwt.ClaimStrings{audience}, Subject: "batch-scorer@clients",
		IssuedAt: jwt.NewNumericDate(time.Now()), ExpiresAt: jwt.NewNumericDate(time.Now().Add(time.Hour)),
	}})
	tok.Header["kid"] = "example-key"
	signed, err := tok.SignedString(key)
	require.NoError(t, err)
	return signed
}
