package proxy_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/model-api-auth0/model-api-auth0/internal/gateway/proxy"
	"github.com/model-api-auth0/model-api-auth0/internal/gateway/proxy/proxytest"
	"github.com/model-api-auth0/model-api-auth0/internal/testing/testissuer"
)

// A stream sent to the default upstream (no model named, or no models:
// section at all) is metered as a model's is: the gateway asks for its
// usage, keeps the usage event from a client that did not ask, and counts
// a response without usage as unmetered, never as 0 tokens.
func TestDefaultUpstreamStreamsAreMetered(t *testing.T) {
	const (
		streamed   = "data: {\"choices\":[{\"delta\":{\"content\":\"Hi\"}}],\"usage\":null}\n\ndata: [DONE]\n\n"
		withUsage  = "data: {\"choices\":[{\"delta\":{\"content\":\"Hi\"}}],\"usage\":null}\n\ndata: {\"choices\":[],\"usage\":{\"prompt_tokens\":7,\"completion_tokens\":5,\"total_tokens\":12}}\n\ndata: [DONE]\n\n"
		asked      = `{"stream_options":{"include_usage":true},`
		unmetered  = -1 // row.Unmetered, and the metric counted
		notProxied = -2 // refused by the gateway: no row, the upstream never called
	)
	cases := []struct {
		name, path, body string
		status           int
		upstream         string // the body the upstream must get (JSON)
		client           string // what the client must get; "" to skip
		tokens           int64  // input+output in the row, or unmetered / notProxied
	}{
		{"stream without usage: asked for, and kept from the client", "/v1/chat/completions",
			`{"stream":true,"messages":[]}`, 200, asked + `"stream":true,"messages":[]}`, streamed, 12},
		{"legacy completions too", "/v1/completions",
			`{"stream":true,"prompt":"x"}`, 200, asked + `"stream":true,"prompt":"x"}`, streamed, 12},
		{"include_usage false is overruled", "/v1/chat/completions",
			`{"stream":true,"stream_options":{"include_usage":false}}`, 200, `{"stream":true,"stream_options":{"include_usage":true}}`, streamed, 12},
		{"usage asked for: the client gets it", "/v1/chat/completions",
			`{"stream":true,"stream_options":{"include_usage":true}}`, 200, `{"stream":true,"stream_options":{"include_usage":true}}`, withUsage, 12},
		{"not streamed: unchanged", "/v1/chat/completions",
			`{"messages":[]}`, 200, `{"messages":[]}`, "", 12},
		{"embeddings: unchanged", "/v1/embeddings",
			`{"input":"x"}`, 200, `{"input":"x"}`, "", 12},
		{"a stream that reports no usage is unmetered, not 0", "/v1/chat/completions",
			`{"stream":true,"messages":"unmetered"}`, 200, asked + `"stream":true,"messages":"unmetered"}`, streamed, unmetered},
		// What a lenient parser (Python's json.loads, behind vLLM) reads
		// as a stream, but the gateway could not rewrite.
		{"byte order mark", "/v1/chat/completions", "\uFEFF" + `{"stream":true}`, 400, "", "", notProxied},
		{"UTF-16", "/v1/chat/completions", "\xff\xfe{\x00}\x00", 400, "", "", notProxied},
		{"not valid JSON", "/v1/chat/completions", `{"stream":true,}`, 400, "", "", notProxied},
		{"stream twice", "/v1/chat/completions", `{"stream":false,"stream":true}`, 400, "", "", notProxied},
		{"stream as a number", "/v1/chat/completions", `{"stream":1}`, 400, "", "", notProxied},
	}
	iss := testissuer.New(t)
	token := iss.Token(map[string]any{"scope": "invoke:models model:m"})
	for _, setup := range []struct {
		name   string
		models bool
	}{{"no models section", false}, {"models, and a default upstream for the rest", true}} {
		upstream, got := openAIUpstream(t, `{"prompt_tokens":7,"completion_tokens":5,"total_tokens":12}`)
		rec, m := make(rows, 10), proxy.NewMetrics()
		cfg := proxy.Config{Routes: proxy.DefaultRoutes(), Logger: proxytest.Quiet, Ledger: rec, Metrics: m, Upstream: upstream}
		if setup.models {
			other, _ := openAIUpstream(t, `{"prompt_tokens":7,"completion_tokens":5,"total_tokens":12}`)
			cfg.Models = []proxy.Model{{Name: "m", Servers: []*url.URL{other}}}
		}
		h, err := proxy.New(proxytest.Validator(t, iss), cfg)
		require.NoError(t, err)
		gw := serve(t, h)
		for _, c := range cases {
			t.Run(setup.name+"/"+c.name, func(t *testing.T) {
				route := map[string]string{"route": "POST " + c.path, "model": "none"}
				before := counterValue(t, m, "gateway_responses_without_usage_total", route)
				resp, text := call(t, "POST", gw+c.path, token, strings.NewReader(c.body))
				require.Equal(t, c.status, resp.StatusCode, text)
				if c.tokens == notProxied {
					assert.Equal(t, "invalid_request", decodeOpenAIError(t, text).Code)
					select {
					case b := <-got:
						t.Fatalf("the upstream got %q", b)
					default:
					}
					return
				}
				select {
				case b := <-got:
					assert.JSONEq(t, c.upstream, b)
				case <-time.After(10 * time.Second):
					t.Fatal("the upstream got nothing")
				}
				if c.client != "" {
					assert.Equal(t, c.client, text)
				}
				row := rec.next(t)
				assert.Equal(t, []string{row.RequestID}, resp.Header.Values("X-Request-Id"), "the ledger row's ID replaces the upstream's")
				if c.tokens == unmetered {
					assert.True(t, row.Unmetered, "no usage reported: unmetered")
					assert.Zero(t, row.InputTokens+row.OutputTokens)
					assert.Eventually(t, func() bool {
						return counterValue(t, m, "gateway_responses_without_usage_total", route) == before+1
					}, 10*time.Second, 10*time.Millisecond, "counted as unmetered")
					return
				}
				assert.False(t, row.Unmetered)
				assert.Equal(t, c.tokens, row.InputTokens+row.OutputTokens)
			})
		}
	}
}

// BenchmarkDefaultUpstreamStream: a short streamed chat to the default
// upstream, through a gateway that reads no usage (no metrics, budgets or
// ledger: the body passes unread) and through one that meters it (the body
// read, rewritten, the usage event kept from the client), in one run:
// compare the two ns/op.
func BenchmarkDefaultUpstreamStream(b *testing.B) {
	upstream := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "text/event-stream")
		for range 8 {
			io.WriteString(w, "data: {\"choices\":[{\"delta\":{\"content\":\"token\"}}],\"usage\":null}\n\n")
		}
		io.WriteString(w, "data: {\"choices\":[],\"usage\":{\"prompt_tokens\":7,\"completion_tokens\":8,\"total_tokens\":15}}\n\ndata: [DONE]\n\n")
	}))
	b.Cleanup(upstream.Close)
	u, _ := url.Parse(upstream.URL)
	iss := testissuer.New(b)
	token := "Bearer " + iss.Token(map[string]any{"scope": "invoke:models"})
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	body := `{"model":"llama","stream":true,"messages":[{"role":"user","content":"Say something short about gateways."}]}`
	for _, c := range []struct {
		name    string
		metrics *proxy.Metrics
	}{{"unmetered", nil}, {"metered", proxy.NewMetrics()}} {
		h, err := proxy.New(proxytest.Validator(b, iss), proxy.Config{Routes: proxy.DefaultRoutes(), Logger: proxytest.Quiet, Upstream: u, Metrics: c.metrics})
		require.NoError(b, err)
		gw := serve(b, h)
		b.Run(c.name, func(b *testing.B) {
			callOK(b, client, func() *http.Request {
				req, _ := http.NewRequest("POST", gw+"/v1/chat/completions", strings.NewReader(body))
				req.Header.Set("Authorization", token)
				return req
			})
		})
	}
}
