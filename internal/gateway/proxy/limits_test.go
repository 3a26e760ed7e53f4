package proxy_test

import (
	"bufio"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/model-api-auth0/model-api-auth0/internal/gateway/limits"
	"github.com/model-api-auth0/model-api-auth0/internal/gateway/proxy"
	"github.com/model-api-auth0/model-api-auth0/internal/testing/redistest"
)

// message is the message of an OpenAI-shaped error body: the limited
// routes are under /v1/.
func message(t *testing.T, body string) string {
	t.Helper()
	return decodeOpenAIError(t, body).Message
}

func TestRequestRatePerClientAndOrganization(t *testing.T) {
	s := start(t, openAI(10), options{limits: `{
		"perClient": {"requests": 1, "per": "1h", "burst": 2},
		"perOrg": {"requests": 1, "per": "1h", "burst": 3}}`})
	a, b := s.token("client-a", "org_acme"), s.token("client-b", "org_acme")
	models := s.gw.URL + "/v1/models"

	resp, _ := call(t, "GET", models, a, nil)
	require.Equal(t, 200, resp.StatusCode)
	assert.Equal(t, `"per-client";q=1;w=3600, "per-org";q=1;w=3600`, resp.Header.Get("RateLimit-Policy"))
	assert.Regexp(t, `^"per-client";r=1;t=\d+, "per-org";r=2;t=\d+$`, resp.Header.Get("RateLimit"))
	resp, _ = call(t, "GET", models, a, nil)
	require.Equal(t, 200, resp.StatusCode)

	resp, body := call(t, "GET", models, a, nil)
	require.Equal(t, 429, resp.StatusCode, "client-a spent its burst")
	assert.Regexp(t, `^"per-client";r=0;t=\d+$`, resp.Header.Get("RateLimit"))
	retry, err := strconv.Atoi(resp.Header.Get("Retry-After"))
	require.NoError(t, err)
	assert.InDelta(t, 3600, retry, 5, "one request comes back per hour")
	assert.Contains(t, message(t, body), "rate limit reached: per-client allows 1 requests per 1h0m0s (bursts of 2); retry in")

	resp, _ = call(t, "GET", models, b, nil)
	require.Equal(t, 200, resp.StatusCode, "client-b has its own rate; org_acme's third request")
	resp, body = call(t, "GET", models, b, nil)
	require.Equal(t, 429, resp.StatusCode, "org_acme spent its burst of 3")
	assert.Contains(t, message(t, body), "per-org allows 1 requests per 1h0m0s (bursts of 3)")

	resp, _ = call(t, "GET", models, s.token("client-c", ""), nil)
	assert.Equal(t, 200, resp.StatusCode, "a client outside organizations has only its own limit")
	assert.Equal(t, `"per-client";q=1;w=3600`, resp.Header.Get("RateLimit-Policy"))
	assert.Equal(t, int64(4), s.upstream.Load(), "refused requests never reach the model server")
}

func TestModelTokenBudgetCountsJSONAndStreams(t *testing.T) {
	s := start(t, openAI(40), options{limits: `{"perClient": {"tokensPerDay": 100}}`})
	tok := s.token("client-a", "")
	chat := s.gw.URL + "/v1/chat/completions"
	remaining := func(resp *http.Response) string {
		return strings.TrimPrefix(strings.Split(resp.Header.Get("RateLimit"), ";t=")[0], `"per-client-tokens";r=`)
	}
	resp, _ := call(t, "POST", chat, tok, strings.NewReader(`{"stream":false}`))
	require.Equal(t, 200, resp.StatusCode)
	assert.Equal(t, `"per-client-tokens";q=100;qu="model-tokens";w=86400`, resp.Header.Get("RateLimit-Policy"))
	assert.Equal(t, "100", remaining(resp), "counted at admission, before this response")
	resp, body := call(t, "POST", chat, tok, strings.NewReader(`{"stream":true,"stream_options":{"include_usage":true}}`))
	require.Equal(t, 200, resp.StatusCode)
	assert.Contains(t, body, "data: [DONE]", "the stream reaches the caller whole")
	assert.Equal(t, "60", remaining(resp))
	resp, _ = call(t, "POST", chat, tok, strings.NewReader(`{}`))
	require.Equal(t, 200, resp.StatusCode)
	assert.Equal(t, "20", remaining(resp), "the stream's usage was counted")

	resp, body = call(t, "POST", chat, tok, strings.NewReader(`{}`))
	require.Equal(t, 429, resp.StatusCode, "120 of 100 tokens are used")
	assert.Equal(t, "0", remaining(resp))
	assert.Contains(t, message(t, body), "model-token budget spent: per-client-tokens allows 100 model tokens per day (UTC); it renews at 00:00 UTC")
	retry, err := strconv.Atoi(resp.Header.Get("Retry-After"))
	require.NoError(t, err)
	untilMidnight := time.Until(time.Now().UTC().Truncate(24 * time.Hour).Add(24 * time.Hour)).Seconds()
	assert.True(t, float64(retry) >= untilMidnight-2 && float64(retry) <= untilMidnight+62, "Retry-After %d s, midnight in %.0f s", retry, untilMidnight)

	resp, _ = call(t, "POST", chat, s.token("client-b", ""), strings.NewReader(`{}`))
	assert.Equal(t, 200, resp.StatusCode, "another client has its own budget")
}

// With budgets and metrics on, events still reach the caller as the model
// server writes them.
func TestStreamingWithLimitsIsNotBuffered(t *testing.T) {
	release := make(chan struct{})
	s := start(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		w.Write([]byte("data: {\"choices\":[{\"delta\":{\"content\":\"Hel\"}}],\"usage\":null}\n\n"))
		w.(http.Flusher).Flush()
		<-release
		w.Write([]byte("data: {\"choices\":[],\"usage\":{\"total_tokens\":7}}\n\ndata: [DONE]\n\n"))
	}), options{limits: `{"perClient": {"requests": 100, "tokensPerDay": 1000}}`, metrics: true})
	req, _ := http.NewRequest("POST", s.gw.URL+"/v1/chat/completions", strings.NewReader(`{"stream":true}`))
	req.Header.Set("Authorization", "Bearer "+s.token("client-a", "org_acme"))
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	first := make(chan string, 1)
	go func() {
		line, _ := bufio.NewReader(resp.Body).ReadString('\n')
		first <- line
	}()
	select {
	case line := <-first:
		assert.Contains(t, line, `"Hel"`)
	case <-time.After(5 * time.Second):
		t.Fatal("the first event was held back by the gateway")
	}
	close(release)
}

func TestLimitsStoreDown(t *testing.T) {
	srv := redistest.Start(t)
	rdb := redis.NewClient(&redis.Options{Addr: srv.Addr, MaxRetries: -1, ContextTimeoutEnabled: true})
	t.Cleanup(func() { rdb.Close() })
	store := limits.NewRedis(rdb, 200*time.Millisecond)
	config := `{"perClient": {"requests": 100, "tokensPerDay": 1000}}`
	closed := start(t, openAI(10), options{limits: config, store: store, failMode: proxy.FailClosed, metrics: true})
	open := start(t, openAI(10), options{limits: config, store: store, failMode: proxy.FailOpen, metrics: true})
	for _, s := range []*stack{closed, open} {
		resp, _ := call(t, "GET", s.gw.URL+"/v1/models", s.token("client-a", ""), nil)
		require.Equal(t, 200, resp.StatusCode, "while Redis is up")
		s.settle(t, 1) // its tokens are counted after the caller has its answer
	}
	srv.Stop()

	resp, body := call(t, "GET", closed.gw.URL+"/v1/models", closed.token("client-a", ""), nil)
	assert.Equal(t, 503, resp.StatusCode, "fail closed")
	assert.Equal(t, "1", resp.Header.Get("Retry-After"))
	assert.Equal(t, "the gateway cannot check your limits right now; retry shortly", message(t, body))
	assert.Equal(t, int64(1), closed.upstream.Load(), "the refused request did not reach the model server")
	access := closed.settle(t, 2)
	assert.Equal(t, "the limits store failed (fail mode closed)", access[len(access)-1]["reason"])

	resp, _ = call(t, "POST", open.gw.URL+"/v1/chat/completions", open.token("client-a", ""), strings.NewReader(`{}`))
	assert.Equal(t, 200, resp.StatusCode, "fail open")
	assert.Empty(t, resp.Header.Get("RateLimit"), "no limit was checked, none is advertised")
	access = open.settle(t, 2)
	assert.Equal(t, "limits not enforced: the limits store failed", access[len(access)-1]["degraded"])
	warnings := open.logs.entries("limits store failed: request let through unlimited (fail mode open) (logged at most every 10 s; see gateway_limits_store_errors_total)")
	require.Len(t, warnings, 1, "the failure is logged, once per 10 s")
	assert.Contains(t, warnings[0]["error"], limits.ErrStore.Error())
	assert.Equal(t, 2.0, counterValue(t, open.metrics, "gateway_limits_store_errors_total", nil),
		"the admission and the count of the response's tokens both failed")
}

func TestLoadLimits(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(p, []byte(text), 0o644))
		return p
	}
	good := write("good.yaml", `routes:
  - pattern: POST /v1/chat/completions
    allOf: [invoke:models]
limits:
  perClient: {requests: 10, burst: 20, tokensPerDay: 100000}
  clients:
    1234: {requests: 50}
`)
	rf, err := proxy.LoadRoutesFile(good)
	require.NoError(t, err, "the routes file may have limits")
	assert.Len(t, rf.Routes, 1)
	p := rf.Limits
	require.NotNil(t, p)
	assert.True(t, p.HasBudgets())

	none, err := proxy.LoadRoutesFile(write("none.yaml", "routes:\n  - pattern: GET /v1/models\n"))
	require.NoError(t, err)
	assert.Nil(t, none.Limits, "no limits: section, no limits")

	_, err = proxy.LoadRoutesFile(write("bad.yaml", `limits:
  perClient: {requests: 0, per: 1, brust: 3}
  orgs:
    acme: {tokensPerDay: 10}
`))
	require.Error(t, err)
	for _, want := range []string{
		"bad.yaml: 4 problem(s) in the limits:",
		`limits.perClient: unknown key "brust"; did you mean "burst"?`,
		"limits.perClient.per: want a string, got the number 1",
		"limits.perClient.requests: want at least 1, got 0",
		`limits.orgs.acme: "acme" is not an organization ID`,
		"bad.yaml declares no routes", // reported with the limits' problems
	} {
		assert.Contains(t, err.Error(), want)
	}
}

// The example routes file of the README has valid limits.
func TestExampleLimits(t *testing.T) {
	rf, err := proxy.LoadRoutesFile(filepath.Join("..", "..", "..", "examples", "routes.yaml"))
	require.NoError(t, err)
	require.NotNil(t, rf.Limits)
	assert.True(t, rf.Limits.HasBudgets())
}

// docs/gateway.md's gateway with three models and budgets loads with the
// stack's names, and without them says what is missing.
func TestExampleModelsAndBudgets(t *testing.T) {
	path := filepath.Join("..", "..", "..", "examples", "routes-models.yaml")
	rf, err := proxy.LoadRoutesFileWith(path, &limits.Stack{
		Organizations: map[string]string{"acme": "org_acme1"},
		Clients:       map[string]string{"batch-scorer": "cid_batch"},
	})
	require.NoError(t, err)
	require.Len(t, rf.Models, 3)
	assert.True(t, rf.Limits.HasBudgets())
	_, err = proxy.LoadRoutesFile(path)
	assert.ErrorContains(t, err, `limits.orgs.acme: "acme" is not an organization ID`)
}
