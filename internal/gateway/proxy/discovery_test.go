package proxy_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/model-api-auth0/model-api-auth0/internal/gateway/proxy"
)

func TestProtectedResourceMetadata(t *testing.T) {
	s := start(t, openAI(1), options{publicURL: "https://models.example.com", audience: "https://models.example.com/"})
	// The metadata is the same whatever Host a caller claims.
	resp, body := call(t, "GET", s.gw.URL+"/.well-known/oauth-protected-resource", "", nil, "Host", "evil.example")
	require.Equal(t, 200, resp.StatusCode)
	assert.Equal(t, "application/json", resp.Header.Get("Content-Type"))
	assert.Equal(t, "*", resp.Header.Get("Access-Control-Allow-Origin"))
	var m map[string]any
	require.NoError(t, json.Unmarshal([]byte(body), &m))
	assert.Equal(t, map[string]any{
		"resource":                 "https://models.example.com/",
		"authorization_servers":    []any{"https://tenant.test/"},
		"scopes_supported":         []any{"invoke:models", "read:admin-messages", "read:models"},
		"bearer_methods_supported": []any{"header"},
	}, m)

	// Every challenge points there, with the configured URL, never the Host.
	for _, c := range []struct{ method, path, token string }{
		{"POST", "/v1/chat/completions", ""},
		{"GET", "/v1/models", "not-a-jwt"},
		{"GET", "/api/messages/admin", s.token("client-a", "")},
	} {
		resp, _ := call(t, c.method, s.gw.URL+c.path, c.token, nil, "Host", "evil.example", "X-Forwarded-Host", "evil.example")
		assert.Contains(t, resp.Header.Get("WWW-Authenticate"),
			`resource_metadata="https://models.example.com/.well-known/oauth-protected-resource"`, c.path)
	}
}

// An audience with a path has its metadata under that path (RFC 9728 3.1).
func TestMetadataPathFollowsTheAudience(t *testing.T) {
	public, _ := url.Parse("https://models.example.com")
	cases := []struct{ audience, path string }{
		{"https://models.example.com/", "/.well-known/oauth-protected-resource"},
		{"https://models.example.com", "/.well-known/oauth-protected-resource"},
		{"https://models.example.com/v1/", "/.well-known/oauth-protected-resource/v1"},
		{"https://MODELS.example.com/tenant/a", "/.well-known/oauth-protected-resource/tenant/a"},
		{"https://api.models.example.com/", "/.well-known/oauth-protected-resource"}, // another origin: no suffix
		{"urn:models", "/.well-known/oauth-protected-resource"},
	}
	for _, c := range cases {
		d := proxy.Discovery{PublicURL: public, Audience: c.audience, Issuer: "https://tenant.test/"}
		assert.Equal(t, c.path, d.MetadataPath(), c.audience)
		assert.Equal(t, "https://models.example.com"+c.path, d.MetadataURL(), c.audience)
	}
	s := start(t, openAI(1), options{publicURL: "https://models.example.com", audience: "https://models.example.com/v1/"})
	resp, _ := call(t, "GET", s.gw.URL+"/.well-known/oauth-protected-resource/v1", "", nil)
	assert.Equal(t, http.StatusOK, resp.StatusCode)
}

func TestParsePublicURL(t *testing.T) {
	good := map[string]string{
		"https://models.example.com":      "https://models.example.com",
		"https://models.example.com/":     "https://models.example.com",
		"https://models.example.com:8443": "https://models.example.com:8443",
		"http://127.0.0.1:8080":           "http://127.0.0.1:8080",
		"http://localhost:8080/":          "http://localhost:8080",
	}
	for raw, want := range good {
		u, err := proxy.ParsePublicURL(raw)
		if assert.NoError(t, err, raw) {
			assert.Equal(t, want, u.String())
		}
	}
	for _, bad := range []string{"", "models.example.com", "http://models.example.com", "https://models.example.com/api",
		"https://models.example.com?x=1", "https://user:pw@models.example.com", "ftp://models.example.com", "https:///x"} {
		_, err := proxy.ParsePublicURL(bad)
		assert.ErrorContains(t, err, "want the gateway's external base URL", bad)
	}
}

func TestDiscoveryConfigurationErrors(t *testing.T) {
	public, _ := url.Parse("https://models.example.com")
	up, _ := url.Parse("http://127.0.0.1:8000")
	v := validatorFor(t)
	routes := append(proxy.DefaultRoutes(), proxy.Route{Pattern: "GET /.well-known/oauth-protected-resource"})
	_, err := proxy.New(v, proxy.Config{Upstream: up, Routes: routes,
		Discovery: &proxy.Discovery{PublicURL: public, Audience: "https://models.example.com/", Issuer: "https://tenant.test/"}})
	assert.ErrorContains(t, err, "discovery: a route takes the metadata's path /.well-known/oauth-protected-resource")
	_, err = proxy.New(v, proxy.Config{Upstream: up, Routes: proxy.DefaultRoutes(), LimitsFailMode: "sometimes",
		Discovery: &proxy.Discovery{Audience: "https://models.example.com/"}})
	assert.ErrorContains(t, err, "discovery: the gateway's public URL is not set (-public-url)")
	assert.ErrorContains(t, err, `limits fail mode "sometimes": want "open" or "closed"`)
}
