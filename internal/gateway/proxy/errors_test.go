package proxy_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/model-api-auth0/model-api-auth0/internal/gateway/proxy"
	"github.com/model-api-auth0/model-api-auth0/internal/gateway/proxy/proxytest"
	"github.com/model-api-auth0/model-api-auth0/internal/testing/testissuer"
)

// openAIErrorBody is OpenAI's error body, as its SDKs read it.
type openAIErrorBody struct {
	Message string  `json:"message"`
	Type    string  `json:"type"`
	Param   *string `json:"param"`
	Code    string  `json:"code"`
}

// decodeOpenAIError reads an OpenAI-shaped error body strictly: no other
// key than "error", and a message.
func decodeOpenAIError(t testing.TB, body string) openAIErrorBody {
	t.Helper()
	var e struct {
		Error *openAIErrorBody `json:"error"`
	}
	dec := json.NewDecoder(strings.NewReader(body))
	dec.DisallowUnknownFields()
	require.NoError(t, dec.Decode(&e), body)
	require.NotNil(t, e.Error, "want OpenAI's {\"error\": {...}}: %s", body)
	require.NotEmpty(t, e.Error.Message, body)
	require.Contains(t, body, `"param":null`, "the SDKs read param")
	return *e.Error
}

// Every refusal on /v1/ routes is OpenAI-shaped, with the type and code
// OpenAI's clients tell apart, and keeps its WWW-Authenticate challenge;
// the reference routes keep {"message": ...}.
func TestRefusalsAreOpenAIShapedUnderV1(t *testing.T) {
	iss := testissuer.New(t)
	u, _ := url.Parse("http://127.0.0.1:1") // never reached
	routes := append(proxy.DefaultRoutes(),
		proxy.Route{Pattern: "POST /v1/small", MaxBody: 8},
		proxy.Route{Pattern: "POST /v1/plain", Errors: proxy.ErrorsMessage},
		proxy.Route{Pattern: "POST /internal/openai", Errors: proxy.ErrorsOpenAI})
	h, err := proxy.New(proxytest.Validator(t, iss), proxy.Config{Upstream: u, Routes: routes, Logger: proxytest.Quiet})
	require.NoError(t, err)
	gw := serve(t, h)
	invoke := iss.Token(map[string]any{"scope": "invoke:models"})
	for _, c := range []struct {
		name, method, path, token, body string
		status                          int
		typ, code, message, challenge   string
	}{
		{"no token", "POST", "/v1/chat/completions", "", "{}", 401, "authentication_error", "missing_token", "a bearer token is required", `Bearer realm=`},
		{"bad token", "POST", "/v1/chat/completions", "x.y.z", "{}", 401, "authentication_error", "invalid_token", "invalid token: malformed", `error="invalid_token"`},
		{"no scope", "POST", "/v1/chat/completions", iss.Token(map[string]any{"scope": "read:models"}), "{}", 403, "permission_error", "insufficient_scope", "needs invoke:models", `scope="invoke:models"`},
		{"too large", "POST", "/v1/small", invoke, "0123456789", 413, "invalid_request_error", "request_too_large", "larger than this route accepts", ""},
		{"no such endpoint", "GET", "/v1/assistants", invoke, "", 404, "invalid_request_error", "unknown_url", "no such route: GET /v1/assistants", ""},
		{"opted in", "POST", "/internal/openai", "", "{}", 401, "authentication_error", "missing_token", "a bearer token is required", `Bearer realm=`},
	} {
		t.Run(c.name, func(t *testing.T) {
			var body io.Reader
			if c.body != "" {
				body = strings.NewReader(c.body)
			}
			resp, text := call(t, c.method, gw+c.path, c.token, body)
			require.Equal(t, c.status, resp.StatusCode, text)
			e := decodeOpenAIError(t, text)
			assert.Equal(t, c.typ, e.Type)
			assert.Equal(t, c.code, e.Code)
			assert.Contains(t, e.Message, c.message)
			assert.Contains(t, resp.Header.Get("WWW-Authenticate"), c.challenge)
		})
	}
	for _, path := range []string{"/v1/plain", "/api/messages/protected", "/nowhere"} {
		resp, text := call(t, "POST", gw+path, "", strings.NewReader("{}"))
		assert.NotEqual(t, http.StatusOK, resp.StatusCode)
		var m map[string]any
		require.NoError(t, json.Unmarshal([]byte(text), &m), text)
		assert.Contains(t, m, "message", "%s keeps {\"message\": ...}: %s", path, text)
		assert.NotContains(t, m, "error", path)
	}
}

func TestErrorsOptionIsChecked(t *testing.T) {
	err := proxy.ValidateRoutes([]proxy.Route{{Pattern: "POST /v1/x", Errors: "openapi"}})
	assert.ErrorContains(t, err, `routes[0] "POST /v1/x": errors "openapi": want openai`)
}

// serve serves h as the gateway does, and returns its URL.
func serve(t testing.TB, h http.Handler) string {
	t.Helper()
	gw := httptest.NewUnstartedServer(nil)
	gw.Config = proxy.NewServer(h, proxy.ServerConfig{Logger: proxytest.Quiet})
	gw.Start()
	t.Cleanup(gw.Close)
	return gw.URL
}
