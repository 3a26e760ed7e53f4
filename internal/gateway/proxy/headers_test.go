package proxy_test

import (
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/model-api-auth0/model-api-auth0/internal/gateway/proxy"
)

// normalized is a header name as a CGI or WSGI server sees it.
func normalized(name string) string { return strings.ToLower(strings.ReplaceAll(name, "_", "-")) }

// The identity headers reach the upstream once, with the gateway's values,
// whatever spelling a caller tries.
func TestIdentityHeadersCannotBeSpoofed(t *testing.T) {
	e := startEdge(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}), nil, serverLimits())
	token := e.iss.Token(map[string]any{"org_id": "org_acme"})
	var spoofs []string
	for _, name := range []string{
		"X-Auth-Subject", "x-auth-subject", "X-AUTH-SUBJECT", "X_Auth_Subject", "x_auth_subject", "X-Auth_Subject",
		"X-Auth-Client-Id", "X_Auth_Client_Id", "x-auth-client_id",
		"X-Auth-Org-Id", "X_AUTH_ORG_ID", "x_auth-org-id",
		"X_Forwarded_For", "X_Forwarded_Host",
	} {
		spoofs = append(spoofs, name+": spoofed")
	}
	resp, body := rawRequest(t, e.addr(), get("/v1/models", append(spoofs, bearer(token))...), "")
	require.Equal(t, 200, resp.StatusCode, "%s", body)

	got := map[string][]string{}
	for name, values := range e.seen.last().Header {
		got[normalized(name)] = append(got[normalized(name)], values...)
	}
	want := map[string]string{
		normalized(proxy.HeaderSubject):  "client-123@clients",
		normalized(proxy.HeaderClientID): "client-123",
		normalized(proxy.HeaderOrgID):    "org_acme",
	}
	for name, value := range want {
		assert.Equal(t, []string{value}, got[name], name)
	}
	for name, values := range got {
		for _, v := range values {
			assert.NotContains(t, v, "spoofed", "%s reached the upstream", name)
		}
	}
}

// Hop-by-hop headers, and those a Connection header names, stop at the
// gateway in both directions.
func TestHopByHopHeadersAreDropped(t *testing.T) {
	e := startEdge(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Connection", "X-Upstream-Internal")
		h.Set("X-Upstream-Internal", "secret")
		h.Set("Keep-Alive", "timeout=99")
		h.Set("Proxy-Authenticate", "Basic realm=upstream")
		h.Set("X-Model", "llama")
	}), nil, serverLimits())
	resp, body := rawRequest(t, e.addr(), get("/v1/models", bearer(e.iss.Token(nil)),
		"Connection: keep-alive, X-Client-Internal", "X-Client-Internal: secret",
		"Keep-Alive: timeout=99", "Proxy-Authorization: Basic dXNlcjpwYXNz", "Proxy-Connection: keep-alive"), "")
	require.Equal(t, 200, resp.StatusCode, "%s", body)

	up := e.seen.last().Header
	for _, name := range []string{"X-Client-Internal", "Keep-Alive", "Proxy-Authorization", "Proxy-Connection"} {
		assert.Empty(t, up.Values(name), "request header %s reached the upstream", name)
	}
	for _, name := range []string{"X-Upstream-Internal", "Keep-Alive", "Proxy-Authenticate"} {
		assert.Empty(t, resp.Header.Values(name), "response header %s reached the client", name)
	}
	assert.Equal(t, "llama", resp.Header.Get("X-Model"))
}

// A token comes in one Authorization header and nowhere else; a token
// elsewhere never reaches the upstream.
func TestTokenOnlyInTheAuthorizationHeader(t *testing.T) {
	e := startEdge(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.Copy(io.Discard, r.Body) }), nil, serverLimits())
	token := e.iss.Token(nil)
	formAs := func(contentType, body string, headers ...string) string {
		return head(append([]string{"POST /v1/completions HTTP/1.1", "Host: x", "Content-Type: " + contentType,
			"Content-Length: " + strconv.Itoa(len(body))}, headers...)...) + "\r\n\r\n" + body
	}
	form := func(body string, headers ...string) string {
		return formAs("application/x-www-form-urlencoded", body, headers...)
	}
	cases := []struct {
		name, request string
		status        int
	}{
		{"two Authorization headers", get("/v1/models", bearer(token), bearer(token)) + "\r\n\r\n", 400},
		{"query token", get("/v1/models?access_token="+token) + "\r\n\r\n", 400},
		{"query token and header", get("/v1/models?access_token="+token, bearer(token)) + "\r\n\r\n", 400},
		{"form token alone", form("access_token=" + token), 401},
		{"form token and header", form("prompt=hi&access_token="+token, bearer(token)), 400},
		{"form token, other case", form("Access_Token="+token, bearer(token)), 400},
		{"form with ; separators", form("prompt=hi;access_token="+token, bearer(token)), 400},
		{"form type in capitals, with a charset", formAs("Application/X-WWW-Form-URLEncoded; charset=utf-8", "access_token="+token, bearer(token)), 400},
		{"form type with spaces around it", formAs(" application/x-www-form-urlencoded ;charset=UTF-8", "access_token="+token, bearer(token)), 400},
		{"form without token", form("prompt=hi", bearer(token)), 200},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			before := e.upstreamCalls()
			conn, br := dial(t, e.addr())
			io.WriteString(conn, c.request)
			resp, err := http.ReadResponse(br, nil)
			require.NoError(t, err)
			resp.Body.Close()
			assert.Equal(t, c.status, resp.StatusCode)
			if c.status != 200 {
				assert.Equal(t, before, e.upstreamCalls(), "the request reached the upstream")
			} else if assert.Equal(t, before+1, e.upstreamCalls()) {
				assert.NotContains(t, e.seen.last().URL.RawQuery, token)
			}
		})
	}
}
