package proxy_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

// A path another hop could read differently is refused before routing;
// any other reaches the upstream byte for byte.
func TestAmbiguousPathsAreRefused(t *testing.T) {
	e := startEdge(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}), nil, serverLimits())
	token := e.iss.Token(nil)
	refused := []string{
		"/v1/models/../models",
		"/v1/models/..",
		"/v1/./models",
		"/v1/models/.",
		"/v1//models",
		"//v1/models",
		"/v1/models/%2e%2e/x",
		"/v1/models/%2E%2E/x",
		"/v1/models/%2e",
		"/v1/models%2fllama",
		"/v1/models%2Fllama",
		"/v1/models/x%5c..%5cadmin",
		`/v1/models/x\..\admin`,
		"/v1/models;jsessionid=1",
		"/v1/models/llama;v=2",
		"/v1/models/llama%3bv=2",
		"/v1/models/llama%00.json",
		"/v1/models/llama%0d%0aX-Injected:%201",
		"/v1/models/%c0%ae%c0%ae/x", // overlong UTF-8 for ..
		"/v1/models/%c0%af",         // overlong UTF-8 for /
		"/v1/models/%e0%80%ae",      // overlong, three bytes
		"/v1/models/%ff",            // not UTF-8 at all
		"/v1/models/%252e%252e/x",   // double encoding
		"/v1/models/%25",
		"/v1/models/%ef%bc%8e%ef%bc%8e/x", // fullwidth full stops
		"/v1/models/x%ef%bc%8fy",          // fullwidth solidus
		"/v1/models/%e2%80%a4",            // one dot leader
		"/v1/models/x%3fy",
		"/v1/models/x%23y",
		"/v1/models/\x01",
		"/v1/models/caf\xc3\xa9", // raw UTF-8, not percent-encoded
		"/v1/models/%2",
		"/v1/models/%g1",
		"/v1/models/%u002e%u002e",
		"http://gateway.test/v1/models/../admin",
		"http://gateway.test//v1/models",
		"http://gateway.test/v1/models%2fllama",
		"http://user:pass@gateway.test/v1/models",
		"ftp://gateway.test/v1/models",
		"gateway.test/v1/models",
	}
	for _, target := range refused {
		t.Run(target, func(t *testing.T) {
			resp, body := rawRequest(t, e.addr(), get(target, bearer(token)), "")
			assert.Equal(t, http.StatusBadRequest, resp.StatusCode, "%s", body)
			// net/http refuses some targets itself (such as %g1); those it
			// passes, the gateway refuses with a JSON message.
			if resp.Header.Get("Content-Type") == "application/json" {
				var m struct{ Message string }
				assert.NoError(t, json.Unmarshal([]byte(body), &m))
				assert.True(t, strings.HasPrefix(m.Message, "the path is refused: "), m.Message)
			}
		})
	}
	assert.Zero(t, e.upstreamCalls(), "a refused path reached the upstream")

	allowed := []string{
		"/v1/models",
		"/v1/models/llama-3.1-8b",
		"/v1/models/meta-llama/Llama-3.1-8B-Instruct",
		"/v1/models/caf%C3%A9",
		"/v1/models/%41%42",
		"/v1/models/a%20b",
		"/v1/models/..llama",
		"/v1/models/llama..",
		"/v1/models?limit=5&after=x",
	}
	for _, target := range allowed {
		t.Run(target, func(t *testing.T) {
			before := e.upstreamCalls()
			resp, body := rawRequest(t, e.addr(), get(target, bearer(token)), "")
			assert.Equal(t, http.StatusOK, resp.StatusCode, "%s", body)
			if assert.Equal(t, before+1, e.upstreamCalls()) {
				assert.Equal(t, target, e.seen.last().RequestURI, "the upstream got another path than the one authorised")
			}
		})
	}
}

// A target in absolute form (RFC 9112 3.2.2: a server must accept it) is
// checked by its path and forwarded in origin form: the authority it names
// is never where the request goes, nor what the upstream sees.
func TestAbsoluteFormTargets(t *testing.T) {
	e := startEdge(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}), nil, serverLimits())
	token := e.iss.Token(nil)
	for target, upstreamSees := range map[string]string{
		"http://gateway.test/v1/models":                     "/v1/models",
		"HTTPS://GATEWAY.TEST/v1/models?limit=5":            "/v1/models?limit=5",
		"http://elsewhere.example:8443/v1/models/llama-3.1": "/v1/models/llama-3.1",
	} {
		t.Run(target, func(t *testing.T) {
			before := e.upstreamCalls()
			resp, body := rawRequest(t, e.addr(), get(target, bearer(token)), "")
			assert.Equal(t, http.StatusOK, resp.StatusCode, "%s", body)
			if assert.Equal(t, before+1, e.upstreamCalls()) {
				last := e.seen.last()
				assert.Equal(t, upstreamSees, last.RequestURI)
				assert.NotContains(t, last.Host, "elsewhere", "the target's authority reached the upstream")
			}
		})
	}
	// Without a token, an absolute-form target is refused like any other.
	resp, _ := rawRequest(t, e.addr(), get("http://gateway.test/v1/models"), "")
	assert.Equal(t, http.StatusUnauthorized, resp.StatusCode)
}
