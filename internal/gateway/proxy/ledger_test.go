package proxy_test

import (
	"bytes"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/model-api-auth0/model-api-auth0/internal/dev/echomodel"
	"github.com/model-api-auth0/model-api-auth0/internal/gateway/ledger"
	"github.com/model-api-auth0/model-api-auth0/internal/gateway/limits"
	"github.com/model-api-auth0/model-api-auth0/internal/gateway/proxy"
	"github.com/model-api-auth0/model-api-auth0/internal/gateway/proxy/proxytest"
	"github.com/model-api-auth0/model-api-auth0/internal/testing/testissuer"
)

// rows is a ledger in a channel.
type rows chan ledger.Row

func (c rows) Record(r ledger.Row) bool { c <- r; return true }

func (c rows) next(t *testing.T) ledger.Row {
	t.Helper()
	select {
	case r := <-c:
		return r
	case <-time.After(10 * time.Second):
		t.Fatal("no ledger row")
		return ledger.Row{}
	}
}

func startLedger(t *testing.T) (*testissuer.Issuer, string, rows, *proxy.Metrics, chan string) {
	iss := testissuer.New(t)
	upstream, bodies := openAIUpstream(t, `{"prompt_tokens":1000,"completion_tokens":2000,"total_tokens":3000}`)
	rec, m := make(rows, 10), proxy.NewMetrics()
	h, err := proxy.New(proxytest.Validator(t, iss), proxy.Config{
		Routes: proxy.DefaultRoutes(), Logger: proxytest.Quiet, Ledger: rec, Metrics: m,
		Models: []proxy.Model{{Name: "m", Servers: []*url.URL{upstream}, Price: &proxy.Price{Input: 0.5, Output: 2}}},
	})
	require.NoError(t, err)
	return iss, serve(t, h), rec, m, bodies
}

func TestLedgerRowOfEachCall(t *testing.T) {
	iss, gw, rec, m, _ := startLedger(t)
	person := iss.Token(map[string]any{"sub": "auth0|ann", "azp": "web-app", "org_id": "org_1", "scope": "invoke:models", "permissions": []string{"model:m"}})
	machine := iss.Token(map[string]any{"sub": "svc@clients", "azp": "svc", "scope": "invoke:models model:m"})

	t.Run("plain", func(t *testing.T) {
		resp, text := call(t, "POST", gw+"/v1/chat/completions", person, strings.NewReader(`{"model":"m"}`), "X-Request-Id", "forged")
		require.Equal(t, 200, resp.StatusCode, text)
		row := rec.next(t)
		assert.Regexp(t, `^[0-9a-f]{32}$`, row.RequestID, "the gateway's own ID, never the caller's header")
		assert.Equal(t, []string{row.RequestID}, resp.Header.Values("X-Request-Id"), "the caller gets the row's ID")
		assert.Equal(t, "org_1", row.Org)
		assert.Equal(t, "web-app", row.Client)
		assert.Equal(t, "auth0|ann", row.Person)
		assert.Equal(t, "m", row.Model)
		assert.True(t, strings.HasPrefix(row.Server, "http://127.0.0.1:"), row.Server)
		assert.Equal(t, int64(1000), row.InputTokens)
		assert.Equal(t, int64(2000), row.OutputTokens)
		assert.False(t, row.Unmetered)
		assert.Equal(t, int64(1000*0.5+2000*2), row.CostMicros)
		assert.Equal(t, 200, row.Status)
		assert.Positive(t, row.Duration)
	})
	t.Run("a machine is no person", func(t *testing.T) {
		call(t, "POST", gw+"/v1/chat/completions", machine, strings.NewReader(`{"model":"m"}`))
		row := rec.next(t)
		assert.Empty(t, row.Person)
		assert.Equal(t, "svc", row.Client)
	})
	t.Run("stream, usage not asked for: metered, and kept from the client", func(t *testing.T) {
		_, text := call(t, "POST", gw+"/v1/chat/completions", machine, strings.NewReader(`{"model":"m","stream":true}`))
		assert.Equal(t, "data: {\"choices\":[{\"delta\":{\"content\":\"Hi\"}}],\"usage\":null}\n\ndata: [DONE]\n\n", text)
		row := rec.next(t)
		assert.Equal(t, int64(1000), row.InputTokens)
		assert.Equal(t, int64(2000), row.OutputTokens)
	})
	t.Run("stream, usage asked for: the client gets it", func(t *testing.T) {
		_, text := call(t, "POST", gw+"/v1/chat/completions", machine, strings.NewReader(`{"model":"m","stream":true,"stream_options":{"include_usage":true}}`))
		assert.Contains(t, text, `data: {"choices":[],"usage":{"prompt_tokens":1000`)
		assert.Equal(t, int64(2000), rec.next(t).OutputTokens)
	})
	t.Run("unmetered: NULL tokens, and counted", func(t *testing.T) {
		route := map[string]string{"route": "POST /v1/chat/completions", "model": "m"}
		before := counterValue(t, m, "gateway_responses_without_usage_total", route)
		call(t, "POST", gw+"/v1/chat/completions", machine, strings.NewReader(`{"model":"m","messages":"unmetered"}`))
		row := rec.next(t)
		assert.True(t, row.Unmetered)
		assert.Zero(t, row.InputTokens)
		assert.Zero(t, row.CostMicros)
		assert.Eventually(t, func() bool {
			return counterValue(t, m, "gateway_responses_without_usage_total", route) == before+1
		}, 10*time.Second, 10*time.Millisecond)
	})
	t.Run("refused before a model server: no row", func(t *testing.T) {
		resp, _ := call(t, "POST", gw+"/v1/chat/completions", machine, strings.NewReader(`{"model":"other"}`))
		require.Equal(t, 404, resp.StatusCode)
		call(t, "POST", gw+"/v1/chat/completions", machine, strings.NewReader(`{"model":"m"}`))
		assert.Equal(t, 200, rec.next(t).Status, "the next row is the next call's")
	})
}

// A client cannot turn metering off, whatever it says of stream_options.
func TestStreamsAreAlwaysMetered(t *testing.T) {
	iss, gw, rec, _, bodies := startLedger(t)
	token := iss.Token(map[string]any{"scope": "invoke:models model:m"})
	for _, c := range []struct{ name, body, upstream string }{
		{"include_usage false", `{"model":"m","stream":true,"stream_options":{"include_usage":false}}`, `{"model":"m","stream":true,"stream_options":{"include_usage":true}}`},
		{"stream_options null", `{"model":"m","stream":true,"stream_options":null}`, `{"model":"m","stream":true,"stream_options":{"include_usage":true}}`},
		{"include_usage twice", `{"model":"m","stream":true,"stream_options":{"include_usage":true,"include_usage":false}}`, `{"model":"m","stream":true,"stream_options":{"include_usage":true}}`},
		{"other options kept", `{"model":"m","stream_options":{"x":1},"stream":true}`, `{"model":"m","stream_options":{"include_usage":true,"x":1},"stream":true}`},
		{"escaped key", `{"model":"m","str\u0065am":true}`, `{"stream_options":{"include_usage":true},"model":"m","str\u0065am":true}`},
	} {
		t.Run(c.name, func(t *testing.T) {
			resp, text := call(t, "POST", gw+"/v1/chat/completions", token, strings.NewReader(c.body))
			require.Equal(t, 200, resp.StatusCode, text)
			assert.NotContains(t, text, `"choices":[]`, "the client did not ask for the usage")
			row := rec.next(t)
			assert.Equal(t, [2]int64{1000, 2000}, [2]int64{row.InputTokens, row.OutputTokens})
			assert.JSONEq(t, c.upstream, <-bodies)
		})
	}
	for _, c := range []struct{ name, body string }{
		{"stream twice", `{"model":"m","stream":false,"stream":true}`},
		{"stream_options twice", `{"model":"m","stream":true,"stream_options":{"include_usage":true},"stream_options":null}`},
		{"stream_options not an object", `{"model":"m","stream":true,"stream_options":"include_usage"}`},
		{"stream as a string", `{"model":"m","stream":"true"}`},
		{"stream as a number", `{"model":"m","stream":1}`},
	} {
		t.Run(c.name, func(t *testing.T) {
			resp, text := call(t, "POST", gw+"/v1/chat/completions", token, strings.NewReader(c.body))
			require.Equal(t, 400, resp.StatusCode, text)
			assert.Equal(t, "invalid_request", decodeOpenAIError(t, text).Code)
		})
	}
}

// The Responses API (POST /v1/responses, a default route) is metered as
// Chat Completions is: its input and output tokens, plain and streamed
// (the usage of the response.completed event), priced into the ledger's
// row and counted in the caller's budget. Its body reaches the model
// server unchanged: the Responses API reports usage without being asked.
func TestResponsesAPIIsMetered(t *testing.T) {
	iss := testissuer.New(t)
	seen := make(chan string, 10)
	echo := echomodel.New(echomodel.Options{Models: []string{"m"}})
	upstream := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		seen <- string(b)
		r.Body = io.NopCloser(bytes.NewReader(b))
		echo.ServeHTTP(w, r)
	}))
	server, _ := url.Parse(upstream)
	rec := make(rows, 10)
	policies, err := limits.Load("limits", map[string]any{"perPerson": map[string]any{"tokensPerDay": 1000}})
	require.NoError(t, err)
	h, err := proxy.New(proxytest.Validator(t, iss), proxy.Config{
		Routes: proxy.DefaultRoutes(), Logger: proxytest.Quiet, Ledger: rec, Limits: limits.NewEnforcer(policies, limits.NewMemory(nil), nil),
		Models: []proxy.Model{{Name: "m", Servers: []*url.URL{server}, Price: &proxy.Price{Input: 0.5, Output: 2}}},
	})
	require.NoError(t, err)
	gw := serve(t, h)
	person := iss.Token(map[string]any{"sub": "auth0|ann", "azp": "web-app", "gty": nil, "scope": "invoke:models", "permissions": []string{"model:m"}})
	remaining := func(resp *http.Response) string { return resp.Header.Get("x-ratelimit-remaining-tokens") }

	for _, c := range []struct{ name, body, text string }{
		{"plain", `{"model":"m","input":"four words of input"}`, `"text":"four words of input"`},
		{"streamed", `{"model":"m","stream":true,"input":"four words of input"}`, `"type":"response.completed"`},
	} {
		t.Run(c.name, func(t *testing.T) {
			resp, text := call(t, "POST", gw+"/v1/responses", person, strings.NewReader(c.body))
			require.Equal(t, 200, resp.StatusCode, text)
			assert.Contains(t, text, c.text)
			assert.Equal(t, c.body, <-seen, "the body reaches the model server unchanged")
			row := rec.next(t)
			assert.False(t, row.Unmetered)
			assert.Equal(t, [2]int64{4, 4}, [2]int64{row.InputTokens, row.OutputTokens})
			assert.Equal(t, int64(4*0.5+4*2), row.CostMicros)
		})
	}
	resp, text := call(t, "POST", gw+"/v1/responses", person, strings.NewReader(`{"model":"m","input":"hi"}`))
	require.Equal(t, 200, resp.StatusCode, text)
	assert.Equal(t, "984", remaining(resp), "the two calls' 16 tokens counted in the person's budget")
}
