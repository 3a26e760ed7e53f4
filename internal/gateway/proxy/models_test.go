package proxy_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/model-api-auth0/model-api-auth0/internal/gateway/proxy"
	"github.com/model-api-auth0/model-api-auth0/internal/gateway/proxy/proxytest"
	"github.com/model-api-auth0/model-api-auth0/internal/testing/testissuer"
)

// upstream is a model server (or the default upstream) that records what
// reaches it and answers with its name, or with status when set.
type upstream struct {
	name string
	srv  *httptest.Server
	mu   sync.Mutex
	hits int
	body string
	fail int // a status to answer with, 0: 200
}

func newUpstream(t testing.TB, name string) *upstream {
	u := &upstream{name: name}
	u.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		u.mu.Lock()
		u.hits, u.body = u.hits+1, string(b)
		fail := u.fail
		u.mu.Unlock()
		if fail != 0 {
			w.WriteHeader(fail)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"served_by":"`+u.name+`"}`)
	}))
	t.Cleanup(u.srv.Close)
	return u
}

func (u *upstream) url() *url.URL { p, _ := url.Parse(u.srv.URL); return p }

func (u *upstream) seen() (int, string) { u.mu.Lock(); defer u.mu.Unlock(); return u.hits, u.body }

func (u *upstream) failWith(status int) { u.mu.Lock(); u.fail = status; u.mu.Unlock() }

// clock is the gateway's clock in tests: it moves only when told.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }

func (c *clock) advance(d time.Duration) { c.mu.Lock(); c.now = c.now.Add(d); c.mu.Unlock() }

// startModels serves the gateway with models, the default routes plus one
// with a small body limit, and fallback as the default upstream (nil: none).
func startModels(t testing.TB, models []proxy.Model, fallback *url.URL) (*testissuer.Issuer, string, *clock) {
	t.Helper()
	iss := testissuer.New(t)
	c := &clock{now: time.Unix(1_800_000_000, 0)}
	routes := append(proxy.DefaultRoutes(), proxy.Route{Pattern: "POST /v1/small", AllOf: []string{"invoke:models"}, MaxBody: 64})
	h, err := proxy.New(proxytest.Validator(t, iss), proxy.Config{
		Upstream: fallback, Routes: routes, Models: models, Clock: c.Now, Logger: proxytest.Quiet,
	})
	require.NoError(t, err)
	return iss, serve(t, h), c
}

func TestModelAccessPerToken(t *testing.T) {
	a, b, fallback := newUpstream(t, "a"), newUpstream(t, "b"), newUpstream(t, "default")
	iss, gw, _ := startModels(t, []proxy.Model{
		{Name: "a", Servers: []*url.URL{a.url()}}, {Name: "b", Servers: []*url.URL{b.url()}},
	}, fallback.url())
	person := iss.Token(map[string]any{"scope": "invoke:models", "permissions": []string{"model:a"}}) // RBAC
	m2m := iss.Token(map[string]any{"scope": "invoke:models model:a"})                                // a client grant
	for _, c := range []struct {
		name, body, contentType string
		status                  int
		to                      *upstream // nil: refused
		code, message           string
	}{
		{"allowed", `{"model":"a","messages":[]}`, "", 200, a, "", ""},
		{"not granted", `{"model":"b"}`, "", 403, nil, "model_not_allowed", "needs the permission model:b"},
		{"unknown", `{"model":"gpt-9"}`, "", 404, nil, "model_not_found", "The model `gpt-9` does not exist or you do not have access to it."},
		{"no model field", `{"messages":[]}`, "", 200, fallback, "", ""},
		{"not JSON", `hello`, "text/plain", 200, fallback, "", ""},
		{"JSON under another Content-Type", `{"model":"b"}`, "text/plain", 403, nil, "model_not_allowed", "model:b"},
		{"a form naming a model: checked by route only, never sent to a model server", "model=b", "application/x-www-form-urlencoded", 200, fallback, "", ""},
		{"malformed JSON", `{"model":"a",`, "", 400, nil, "invalid_request", "not valid JSON"},
		{"trailing object", `{"model":"a"}{"model":"b"}`, "", 400, nil, "invalid_request", "not valid JSON"},
		{"byte order mark", "\ufeff{\"model\":\"b\"}", "", 200, fallback, "", ""},
		{"model twice", `{"model":"a","model":"b"}`, "", 400, nil, "invalid_request", "more than once"},
		{"model twice, escaped", `{"model":"a","mod\u0065l":"b"}`, "", 400, nil, "invalid_request", "more than once"},
		{"escaped value", `{"model":"\u0062"}`, "", 403, nil, "model_not_allowed", "model:b"},
		{"null model", `{"model":null}`, "", 400, nil, "invalid_request", "not a string"},
		{"nested model is not the model", `{"tools":[{"model":"b","x":"}"}],"model":"a"}`, "", 200, a, "", ""},
	} {
		for _, token := range []string{person, m2m} {
			t.Run(c.name, func(t *testing.T) {
				before := map[*upstream]int{}
				for _, u := range []*upstream{a, b, fallback} {
					before[u], _ = u.seen()
				}
				resp, text := call(t, "POST", gw+"/v1/chat/completions", token, strings.NewReader(c.body), "Content-Type", c.contentType)
				require.Equal(t, c.status, resp.StatusCode, text)
				for _, u := range []*upstream{a, b, fallback} {
					hits, body := u.seen()
					if u == c.to {
						assert.Equal(t, before[u]+1, hits, "%s was called", u.name)
						assert.Equal(t, c.body, body, "the body reaches the server unchanged")
					} else {
						assert.Equal(t, before[u], hits, "%s was not called", u.name)
					}
				}
				if c.to == nil {
					e := decodeOpenAIError(t, text)
					assert.Equal(t, c.code, e.Code)
					assert.Contains(t, e.Message, c.message)
				}
			})
		}
	}
	t.Run("over maxBody", func(t *testing.T) {
		resp, text := call(t, "POST", gw+"/v1/small", m2m, strings.NewReader(`{"model":"a","pad":"`+strings.Repeat("x", 100)+`"}`))
		require.Equal(t, 413, resp.StatusCode, text)
		assert.Equal(t, "request_too_large", decodeOpenAIError(t, text).Code)
		resp, text = call(t, "POST", gw+"/v1/small", m2m, chunked(`{"pad":"`+strings.Repeat("x", 100)+`","model":"a"}`))
		require.Equal(t, 413, resp.StatusCode, "without Content-Length too: %s", text)
	})
	t.Run("exact 404 body", func(t *testing.T) {
		_, text := call(t, "POST", gw+"/v1/chat/completions", m2m, strings.NewReader(`{"model":"x"}`))
		assert.JSONEq(t, `{"error":{"message":"The model `+"`x`"+` does not exist or you do not have access to it.","type":"invalid_request_error","param":null,"code":"model_not_found"}}`, text)
	})
}

// chunked is a body of unknown length: sent without Content-Length.
func chunked(s string) io.Reader { return io.MultiReader(strings.NewReader(s)) }

// Without a default upstream, a request that names no model is refused,
// and says what to do.
func TestNoDefaultUpstream(t *testing.T) {
	a := newUpstream(t, "a")
	iss, gw, _ := startModels(t, []proxy.Model{{Name: "a", Servers: []*url.URL{a.url()}}}, nil)
	token := iss.Token(map[string]any{"scope": "invoke:models model:a"})
	resp, text := call(t, "POST", gw+"/v1/chat/completions", token, strings.NewReader(`{"messages":[]}`))
	require.Equal(t, 400, resp.StatusCode, text)
	e := decodeOpenAIError(t, text)
	assert.Equal(t, "model_required", e.Code)
	assert.Contains(t, e.Message, `name one in the JSON body ("model"`)
	resp, _ = call(t, "POST", gw+"/v1/chat/completions", token, strings.NewReader(`{"model":"a"}`))
	assert.Equal(t, 200, resp.StatusCode)
}

func TestModelListHasTheCallersModelsOnly(t *testing.T) {
	a := newUpstream(t, "a")
	servers := []*url.URL{a.url()}
	iss, gw, _ := startModels(t, []proxy.Model{{Name: "a", Servers: servers}, {Name: "b", Servers: servers}, {Name: "c", Servers: servers}}, nil)
	for _, c := range []struct {
		claims map[string]any
		want   []string
	}{
		{map[string]any{"scope": "read:models"}, []string{}},
		{map[string]any{"scope": "read:models model:c model:a"}, []string{"a", "c"}},
		{map[string]any{"scope": "read:models", "permissions": []string{"model:b", "model:zzz"}}, []string{"b"}},
	} {
		resp, text := call(t, "GET", gw+"/v1/models", iss.Token(c.claims), nil)
		require.Equal(t, 200, resp.StatusCode, text)
		var list struct {
			Object string
			Data   []map[string]any
		}
		require.NoError(t, json.Unmarshal([]byte(text), &list))
		assert.Equal(t, "list", list.Object)
		ids := []string{}
		for _, m := range list.Data {
			ids = append(ids, m["id"].(string))
			assert.Equal(t, "model", m["object"])
			assert.Contains(t, m, "created")
			assert.Contains(t, m, "owned_by")
		}
		assert.Equal(t, c.want, ids, "%v", c.claims)
	}
	token := iss.Token(map[string]any{"scope": "read:models model:a"})
	resp, text := call(t, "GET", gw+"/v1/models/a", token, nil)
	assert.Equal(t, 200, resp.StatusCode)
	assert.Contains(t, text, `"id":"a"`)
	resp, _ = call(t, "GET", gw+"/v1/models/b", token, nil)
	assert.Equal(t, 403, resp.StatusCode)
	resp, _ = call(t, "GET", gw+"/v1/models/zzz", token, nil)
	assert.Equal(t, 404, resp.StatusCode)
	hits, _ := a.seen()
	assert.Zero(t, hits, "the gateway answers these itself")
}

// Without models, nothing changes: a body naming any model, and the model
// list, go to the upstream unread.
func TestWithoutModelsEverythingGoesUpstream(t *testing.T) {
	up := newUpstream(t, "up")
	iss, gw, _ := startModels(t, nil, up.url())
	token := iss.Token(nil)
	resp, _ := call(t, "POST", gw+"/v1/chat/completions", token, strings.NewReader(`{"model":"a","model":"b"}`))
	assert.Equal(t, 200, resp.StatusCode)
	resp, _ = call(t, "GET", gw+"/v1/models", token, nil)
	assert.Equal(t, 200, resp.StatusCode)
	hits, body := up.seen()
	assert.Equal(t, 2, hits)
	assert.Empty(t, body, "the last request was the model list's GET")
}
