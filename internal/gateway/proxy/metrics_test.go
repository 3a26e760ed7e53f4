package proxy_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/model-api-auth0/model-api-auth0/internal/gateway/proxy"
)

// counterValue is the value of a counter series, 0 if it does not exist.
func counterValue(t *testing.T, m *proxy.Metrics, name string, labels map[string]string) float64 {
	t.Helper()
	families, err := m.Registry().Gather()
	require.NoError(t, err)
	for _, f := range families {
		if f.GetName() != name {
			continue
		}
	series:
		for _, s := range f.GetMetric() {
			got := map[string]string{}
			for _, l := range s.GetLabel() {
				got[l.GetName()] = l.GetValue()
			}
			for k, v := range labels {
				if got[k] != v {
					continue series
				}
			}
			return s.GetCounter().GetValue()
		}
	}
	return 0
}

// histogramCount is how many observations a histogram series has.
func histogramCount(t *testing.T, m *proxy.Metrics, name, route string) uint64 {
	t.Helper()
	families, err := m.Registry().Gather()
	require.NoError(t, err)
	for _, f := range families {
		if f.GetName() != name {
			continue
		}
		for _, s := range f.GetMetric() {
			for _, l := range s.GetLabel() {
				if l.GetName() == "route" && l.GetValue() == route {
					return s.GetHistogram().GetSampleCount()
				}
			}
		}
	}
	return 0
}

func TestMetrics(t *testing.T) {
	s := start(t, openAI(40), options{metrics: true, limits: `{"perOrg": {"requests": 1, "per": "1h", "burst": 2}}`})
	acme := s.token("client-a", "org_acme")
	chat := s.gw.URL + "/v1/chat/completions"
	call(t, "POST", chat, acme, strings.NewReader(`{}`))
	call(t, "POST", chat, acme, strings.NewReader(`{"stream":true}`))
	call(t, "POST", chat, acme, strings.NewReader(`{}`)) // per-org: 429
	call(t, "POST", chat, s.token("client-b", ""), strings.NewReader(`{}`))
	call(t, "GET", s.gw.URL+"/v1/models", "", nil)
	call(t, "GET", s.gw.URL+"/v1/models", acme+"x", nil)
	call(t, "GET", s.gw.URL+"/v1/secret-path-123", acme, nil)
	s.settle(t, 7)

	counters := []struct {
		name   string
		labels map[string]string
		want   float64
	}{
		{"gateway_requests_total", map[string]string{"route": "POST /v1/chat/completions", "status": "200", "org": "org_acme"}, 2},
		{"gateway_requests_total", map[string]string{"route": "POST /v1/chat/completions", "status": "429", "org": "org_acme"}, 1},
		{"gateway_requests_total", map[string]string{"route": "POST /v1/chat/completions", "status": "200", "org": "none"}, 1},
		{"gateway_requests_total", map[string]string{"route": "GET /v1/models", "status": "401", "org": "none"}, 2},
		{"gateway_requests_total", map[string]string{"route": "/", "status": "404", "org": "none"}, 1},
		{"gateway_token_validations_total", map[string]string{"result": "valid"}, 4},
		{"gateway_token_validations_total", map[string]string{"result": "invalid"}, 1},
		{"gateway_token_cache_hits_total", nil, 2},
		{"gateway_jwks_fetches_total", map[string]string{"result": "ok"}, 1},
		{"gateway_limited_requests_total", map[string]string{"policy": "per-org"}, 1},
		{"gateway_model_tokens_total", map[string]string{"client": "client-a", "org": "org_acme"}, 80},
		{"gateway_model_tokens_total", map[string]string{"client": "client-b", "org": "none"}, 40},
	}
	for _, c := range counters {
		assert.Equal(t, c.want, counterValue(t, s.metrics, c.name, c.labels), "%s%v", c.name, c.labels)
	}
	assert.Equal(t, uint64(4), histogramCount(t, s.metrics, "gateway_processing_seconds", "POST /v1/chat/completions"))
	assert.Equal(t, uint64(3), histogramCount(t, s.metrics, "gateway_upstream_response_seconds", "POST /v1/chat/completions"),
		"the refused request never reached the model server")
	assert.Equal(t, uint64(4), histogramCount(t, s.metrics, "gateway_request_duration_seconds", "POST /v1/chat/completions"))

	// Served in the exposition format, raw paths never among the labels.
	rec := httptest.NewRecorder()
	s.metrics.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	require.Equal(t, 200, rec.Code)
	text, _ := io.ReadAll(rec.Body)
	assert.Contains(t, string(text), `gateway_requests_total{org="org_acme",route="POST /v1/chat/completions",status="200"} 2`)
	assert.Contains(t, string(text), "go_goroutines")
	assert.NotContains(t, string(text), "secret-path-123")
}

func TestResponsesWithoutUsageAreCounted(t *testing.T) {
	s := start(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		io.WriteString(w, "data: {\"choices\":[{\"delta\":{\"content\":\"Hi\"}}]}\n\ndata: [DONE]\n\n")
	}), options{metrics: true})
	call(t, "POST", s.gw.URL+"/v1/chat/completions", s.token("client-a", ""), strings.NewReader(`{"stream":true}`))
	call(t, "GET", s.gw.URL+"/v1/models", s.token("client-a", ""), nil)
	s.settle(t, 2)
	assert.Equal(t, 1.0, counterValue(t, s.metrics, "gateway_responses_without_usage_total", map[string]string{"route": "POST /v1/chat/completions"}))
	assert.Equal(t, 0.0, counterValue(t, s.metrics, "gateway_responses_without_usage_total", map[string]string{"route": "GET /v1/models"}),
		"listing models is not inference")
}

// Only inference (anything but GET and HEAD) is read for its usage: a GET
// answer passes unread, with the caller's Accept-Encoding kept, and counts no
// model tokens even if it looks like a completion; its upstream time is
// still measured.
func TestOnlyInferenceIsReadForUsage(t *testing.T) {
	var encodings sync.Map // method -> Accept-Encoding the model server got
	s := start(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		encodings.Store(r.Method, r.Header.Get("Accept-Encoding"))
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"choices":[],"usage":{"total_tokens":25}}`)
	}), options{metrics: true, limits: `{"perClient": {"tokensPerDay": 1000}}`})
	tok := s.token("client-a", "")
	for _, method := range []string{"GET", "HEAD", "POST"} {
		path := map[string]string{"GET": "/v1/models", "HEAD": "/v1/models", "POST": "/v1/chat/completions"}[method]
		resp, _ := call(t, method, s.gw.URL+path, tok, strings.NewReader(`{}`), "Accept-Encoding", "br")
		require.Equal(t, 200, resp.StatusCode, method)
	}
	s.settle(t, 3)
	assert.Equal(t, 25.0, counterValue(t, s.metrics, "gateway_model_tokens_total", map[string]string{"client": "client-a"}),
		"the POST's usage only")
	// The transport asks for gzip itself (and unpacks it) when the
	// caller's Accept-Encoding is dropped.
	for method, want := range map[string]string{"GET": "br", "HEAD": "br", "POST": "gzip"} {
		got, _ := encodings.Load(method)
		assert.Equal(t, want, got, "Accept-Encoding the model server got for %s", method)
	}
	assert.Equal(t, uint64(2), histogramCount(t, s.metrics, "gateway_upstream_response_seconds", "GET /v1/models"), "GET and HEAD")
	assert.Equal(t, uint64(1), histogramCount(t, s.metrics, "gateway_upstream_response_seconds", "POST /v1/chat/completions"))
}

// The access log names the caller (subject, client, organization) and why
// a request was refused, and never carries a token.
func TestAccessLog(t *testing.T) {
	s := start(t, openAI(10), options{limits: `{"perClient": {"requests": 1, "per": "1h", "burst": 1}}`})
	tok := s.token("client-a", "org_acme")
	call(t, "GET", s.gw.URL+"/v1/models", tok, nil)
	call(t, "GET", s.gw.URL+"/v1/models", tok, nil)
	call(t, "POST", s.gw.URL+"/v1/chat/completions", s.token("client-b", ""), strings.NewReader(`{}`))
	call(t, "GET", s.gw.URL+"/v1/models", tok+"x", nil)
	call(t, "GET", s.gw.URL+"/api/messages/admin", s.token("client-c", ""), nil)
	call(t, "GET", s.gw.URL+"/nowhere", "", nil)

	entries := s.settle(t, 6)
	want := []map[string]any{
		{"route": "GET /v1/models", "status": 200.0, "sub": "client-a@clients", "client_id": "client-a", "org_id": "org_acme"},
		{"route": "GET /v1/models", "status": 429.0, "client_id": "client-a", "reason": "rate limit reached: per-client allows 1 requests per 1h0m0s (bursts of 1); retry in 3600 s"},
		{"route": "POST /v1/chat/completions", "status": 200.0, "client_id": "client-b", "org_id": ""},
		{"route": "GET /v1/models", "status": 401.0},
		{"route": "GET /api/messages/admin", "status": 403.0, "reason": "insufficient scope: needs read:admin-messages"},
		{"route": "/", "path": "/nowhere", "status": 404.0, "reason": "no such route"},
	}
	for i, w := range want {
		for k, v := range w {
			assert.Equal(t, v, entries[i][k], "entry %d, %s", i, k)
		}
	}
	assert.Contains(t, entries[3]["reason"], "invalid token")
	assert.NotContains(t, entries[0], "reason", "an answered request has no reason")
	for _, secret := range []string{tok, strings.Split(tok, ".")[2]} {
		assert.NotContains(t, s.logs.String(), secret, "a token reached the logs")
	}
}
