package proxy_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/model-api-auth0/model-api-auth0/guard"
	"github.com/model-api-auth0/model-api-auth0/internal/gateway/limits"
	"github.com/model-api-auth0/model-api-auth0/internal/gateway/proxy"
	"github.com/model-api-auth0/model-api-auth0/internal/gateway/proxy/proxytest"
	"github.com/model-api-auth0/model-api-auth0/internal/testing/testissuer"
)

// stack is a gateway with limits, metrics and discovery as a test sets
// them, in front of an upstream, with its logs kept.
type stack struct {
	iss      *testissuer.Issuer
	gw       *httptest.Server
	metrics  *proxy.Metrics
	logs     *logBuffer
	upstream atomic.Int64 // requests the upstream received
	upURL    string       // the upstream itself
}

type options struct {
	limits    string       // the limits: section, as JSON
	store     limits.Store // default: in memory
	failMode  string
	metrics   bool
	publicURL string
	audience  string
	routes    []proxy.Route
	quiet     bool // discard the logs (benchmarks)
}

func start(t testing.TB, upstream http.Handler, o options) *stack {
	t.Helper()
	s := &stack{iss: testissuer.New(t), logs: &logBuffer{}}
	if o.audience != "" {
		s.iss.Audience = o.audience
	}
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.upstream.Add(1)
		upstream.ServeHTTP(w, r)
	}))
	t.Cleanup(up.Close)
	s.upURL = up.URL
	logger := slog.New(slog.NewJSONHandler(s.logs, nil))
	if o.quiet {
		logger = proxytest.Quiet
	}
	cfg := proxy.Config{Routes: o.routes, Logger: logger, LimitsFailMode: o.failMode}
	cfg.Upstream, _ = url.Parse(up.URL)
	if cfg.Routes == nil {
		cfg.Routes = proxy.DefaultRoutes()
	}
	if o.metrics {
		s.metrics = proxy.NewMetrics()
		cfg.Metrics = s.metrics
	}
	if o.limits != "" {
		var tree any
		require.NoError(t, json.Unmarshal([]byte(o.limits), &tree))
		p, err := limits.Load("limits", tree)
		require.NoError(t, err)
		if o.store == nil {
			o.store = limits.NewMemory(nil)
		}
		cfg.Limits = limits.NewEnforcer(p, o.store, nil)
	}
	guardCfg := guard.Config{Issuer: s.iss.Issuer, Audience: s.iss.Audience, JWKSURL: s.iss.JWKSURL(), Logger: logger,
		Observer: proxy.GuardObserver(s.metrics)}
	if o.publicURL != "" {
		u, err := proxy.ParsePublicURL(o.publicURL)
		require.NoError(t, err)
		cfg.Discovery = &proxy.Discovery{PublicURL: u, Audience: s.iss.Audience, Issuer: s.iss.Issuer}
		guardCfg.ResourceMetadataURL = cfg.Discovery.MetadataURL()
	}
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	v, err := guard.New(ctx, guardCfg)
	require.NoError(t, err)
	h, err := proxy.New(v, cfg)
	require.NoError(t, err)
	s.gw = httptest.NewServer(h)
	t.Cleanup(s.gw.Close)
	return s
}

// token is a token of client (azp) in org (none when empty).
func (s *stack) token(client, org string) string {
	claims := map[string]any{"azp": client, "sub": client + "@clients"}
	if org != "" {
		claims["org_id"] = org
	}
	return s.iss.Token(claims)
}

// settle waits until n requests are done: the access log line comes after
// the metrics, and both after the caller has its response.
func (s *stack) settle(t testing.TB, n int) []map[string]any {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		entries := s.logs.entries("request")
		if len(entries) >= n || time.Now().After(deadline) {
			require.Len(t, entries, n, "access log lines")
			return entries
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// logBuffer keeps JSON log lines, safe for concurrent use.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *logBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// entries are the log lines with the given message, decoded.
func (b *logBuffer) entries(msg string) []map[string]any {
	var out []map[string]any
	for _, line := range strings.Split(strings.TrimSpace(b.String()), "\n") {
		var e map[string]any
		if json.Unmarshal([]byte(line), &e) == nil && e["msg"] == msg {
			out = append(out, e)
		}
	}
	return out
}

// openAI answers like an OpenAI-compatible server: usage in the JSON body,
// or in the last event of a stream.
func openAI(tokens int) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req struct{ Stream bool }
		json.NewDecoder(r.Body).Decode(&req)
		if req.Stream {
			w.Header().Set("Content-Type", "text/event-stream")
			w.Write([]byte(`data: {"choices":[{"delta":{"content":"Hi"}}],"usage":null}` + "\n\n"))
			w.(http.Flusher).Flush()
			w.Write([]byte(`data: {"choices":[],"usage":{"prompt_tokens":5,"completion_tokens":` + itoa(tokens-5) + `,"total_tokens":` + itoa(tokens) + `}}` + "\n\ndata: [DONE]\n\n"))
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"choices":[{"message":{"content":"Hi"}}],"usage":{"prompt_tokens":5,"total_tokens":` + itoa(tokens) + `}}`))
	})
}

func itoa(n int) string {
	b, _ := json.Marshal(n)
	return string(b)
}

func validatorFor(t *testing.T) *guard.Validator {
	return proxytest.Validator(t, testissuer.New(t))
}
