package proxy_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/model-api-auth0/model-api-auth0/internal/gateway/proxy"
)

// A server that answers 503, or does not answer at all, is set aside: the
// requests go to the other, a 503 of the gateway's own when none is left,
// and the server is tried again once the set-aside period has passed.
func TestPassiveHealth(t *testing.T) {
	good, bad := newUpstream(t, "good"), newUpstream(t, "bad")
	gone := newUpstream(t, "gone")
	gone.srv.Close() // refuses connections
	iss, gw, clock := startModels(t, []proxy.Model{
		{Name: "m", Servers: []*url.URL{bad.url(), good.url()}},
		{Name: "down", Servers: []*url.URL{gone.url()}},
	}, nil)
	token := iss.Token(map[string]any{"scope": "invoke:models model:m model:down"})
	chat := func(model string) (*http.Response, string) {
		return call(t, "POST", gw+"/v1/chat/completions", token, strings.NewReader(`{"model":"`+model+`"}`))
	}

	bad.failWith(http.StatusServiceUnavailable)
	for range 2 { // the first two requests: one server each, in turn
		chat("m")
	}
	hits, _ := bad.seen()
	require.Equal(t, 1, hits)
	for range 4 {
		resp, text := chat("m")
		require.Equal(t, 200, resp.StatusCode, text)
		assert.Contains(t, text, `"served_by":"good"`)
	}
	hits, _ = bad.seen()
	assert.Equal(t, 1, hits, "set aside after its 503")

	resp, text := chat("down")
	assert.Equal(t, 502, resp.StatusCode, "no connection: %s", text)
	resp, text = chat("down")
	require.Equal(t, 503, resp.StatusCode, text)
	e := decodeOpenAIError(t, text)
	assert.Equal(t, "model_unavailable", e.Code)
	assert.Contains(t, e.Message, "no server of the model `down` is answering right now")
	assert.Equal(t, "10", resp.Header.Get("Retry-After"))

	bad.failWith(0)
	clock.advance(10 * time.Second)
	for range 4 {
		chat("m")
	}
	hits, _ = bad.seen()
	assert.Equal(t, 3, hits, "tried again after 10 s, and balanced")
}

// While one server holds a long request, the next goes to the other.
func TestBalancingSkipsABusyServer(t *testing.T) {
	release, arrived := make(chan struct{}), make(chan struct{}, 1)
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		arrived <- struct{}{}
		<-release
	}))
	t.Cleanup(slow.Close)
	fast := newUpstream(t, "fast")
	slowURL, _ := url.Parse(slow.URL)
	iss, gw, _ := startModels(t, []proxy.Model{{Name: "m", Servers: []*url.URL{slowURL, fast.url()}}}, nil)
	token := iss.Token(map[string]any{"scope": "invoke:models model:m"})

	go http.DefaultClient.Do(mustRequest(t, gw, token)) // the first request goes to slow, which holds it
	<-arrived
	for range 3 {
		resp, err := http.DefaultClient.Do(mustRequest(t, gw, token))
		require.NoError(t, err)
		resp.Body.Close()
		assert.Equal(t, 200, resp.StatusCode)
	}
	hits, _ := fast.seen()
	assert.Equal(t, 3, hits, "every request while slow is busy")
	close(release) // before the servers close: they wait for their requests
}

func mustRequest(t testing.TB, gw, token string) *http.Request {
	req, err := http.NewRequest("POST", gw+"/v1/chat/completions", strings.NewReader(`{"model":"m"}`))
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+token)
	return req
}

// A routes file's models are checked all at once, each problem with its
// path.
func TestModelsConfigListsEveryProblem(t *testing.T) {
	path := filepath.Join(t.TempDir(), "routes.yaml")
	require.NoError(t, os.WriteFile(path, []byte(`routes:
  - pattern: POST /v1/chat/completions
models:
  - name: llama
    servers: [http://10.0.0.1:8000, "10.0.0.2:8000", ftp://x, "http://u:p@h"]
    price: {input: -1, output: cheap}
  - name: llama
    servers: [http://10.0.0.3:8000]
  - name: two words
    servers: []
    prize: {input: 1}
  - servers: [http://10.0.0.4]
    price: {input: 1}
`), 0o644))
	_, err := proxy.LoadRoutesFile(path)
	require.Error(t, err)
	for _, want := range []string{
		path + ": 11 problem(s) in the models:",
		`models[0] "llama".servers[1]: "10.0.0.2:8000" is not a server base URL: want an absolute http(s) URL`,
		`models[0] "llama".servers[2]: "ftp://x" is not`,
		`models[0] "llama".servers[3]: "http://u:p@h" is not`,
		`models[0] "llama".price.input: want a number of USD per million tokens, 0 or more, got -1`,
		`models[0] "llama".price.output: want a number of USD per million tokens, 0 or more, got the string "cheap"`,
		`models[1] "llama": the name of models[0] too`,
		`models[2] "two words": unknown key "prize"; did you mean "price"?`,
		`models[2] "two words".name: not a usable model name`,
		`models[2] "two words".servers: want at least one server base URL`,
		`models[3]: name is missing`,
		`models[3].price.output: want a number of USD per million tokens, 0 or more, got nothing`,
	} {
		assert.Contains(t, err.Error(), want)
	}

	require.NoError(t, os.WriteFile(path, []byte("routes:\n  - pattern: POST /v1/chat/completions\nmodels:\n  - name: m\n    servers: [http://10.0.0.1:8000]\n    price: {input: 0.15, output: 0}\n"), 0o644))
	rf, err := proxy.LoadRoutesFile(path)
	require.NoError(t, err)
	require.Len(t, rf.Models, 1)
	assert.Equal(t, &proxy.Price{Input: 0.15, Output: 0}, rf.Models[0].Price)
}

// The example routes file's models, commented out there, load.
func TestExampleModels(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "..", "..", "examples", "routes.yaml"))
	require.NoError(t, err)
	text, models, found := strings.Cut(string(b), "# models:\n")
	require.True(t, found, "the example has a models: section")
	text += "models:" + strings.ReplaceAll("\n"+models, "\n# ", "\n")
	path := filepath.Join(t.TempDir(), "routes.yaml")
	require.NoError(t, os.WriteFile(path, []byte(text), 0o644))
	rf, err := proxy.LoadRoutesFile(path)
	require.NoError(t, err)
	require.Len(t, rf.Models, 3)
	assert.Len(t, rf.Models[0].Servers, 2)
}
