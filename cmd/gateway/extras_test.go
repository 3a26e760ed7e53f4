package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/model-api-auth0/model-api-auth0/internal/testing/syncbuf"
	"github.com/model-api-auth0/model-api-auth0/internal/testing/testissuer"
)

func TestExtrasConfigurationProblemsComeTogether(t *testing.T) {
	routes := filepath.Join(t.TempDir(), "routes.yaml")
	require.NoError(t, os.WriteFile(routes, []byte("routes:\n  - pattern: GET /v1/models\nlimits:\n  perClient: {requests: 0}\n"), 0o644))
	err := run(context.Background(), []string{"-routes", routes, "-redis", "redis://:hunter2@127.0.0.1:6379/x",
		"-limits-fail-mode", "sometimes", "-limits-lease", "-1s", "-public-url", "http://models.example.com/api"},
		env(minimalEnv()), io.Discard, nil)
	require.Error(t, err)
	for _, want := range []string{
		`-limits-fail-mode / LIMITS_FAIL_MODE "sometimes": want "open"`,
		"-redis / REDIS_URL redis://:xxxxx@127.0.0.1:6379/x:",
		"limits.perClient.requests: want at least 1, got 0",
		`-limits-lease / LIMITS_LEASE "-1s": want a duration such as 10ms, or 0 (no leases)`,
		`-public-url / PUBLIC_URL: public URL "http://models.example.com/api": want the gateway's external base URL`,
	} {
		assert.Contains(t, err.Error(), want)
	}
	assert.NotContains(t, err.Error(), "hunter2", "a password reached an error message")

	err = run(context.Background(), []string{"-redis", "http://127.0.0.1:6379"},
		env(minimalEnv()), io.Discard, nil)
	assert.ErrorContains(t, err, "want redis://[:PASSWORD@]HOST:PORT[/DB]")
}

// The lease period comes from the flag, else LIMITS_LEASE, else 10 ms; a
// value that is not a duration names where it came from.
func TestLimitsLeaseSetting(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
		env  map[string]string
		want string
	}{
		{"default", nil, minimalEnv(), "10ms"},
		{"env", nil, minimalEnv("LIMITS_LEASE", "50ms"), "50ms"},
		{"flag wins", []string{"-limits-lease", "0"}, minimalEnv("LIMITS_LEASE", "50ms"), "0"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, err := parse(tc.args, env(tc.env), io.Discard)
			require.NoError(t, err)
			assert.Equal(t, tc.want, s.limitsLease)
			_, problems := setUpExtras(s, nil, slog.New(slog.DiscardHandler))
			assert.Empty(t, problems)
		})
	}
	err := run(t.Context(), nil, env(minimalEnv("LIMITS_LEASE", "soon")), io.Discard, nil)
	assert.ErrorContains(t, err, `-limits-lease / LIMITS_LEASE "soon": want a duration such as 10ms, or 0 (no leases)`)
}

// logged is the value of key in the first JSON log line whose msg is msg.
func logged(logs *syncbuf.Buffer, msg, key string) string {
	sc := bufio.NewScanner(strings.NewReader(logs.String()))
	for sc.Scan() {
		var e map[string]any
		if json.Unmarshal(sc.Bytes(), &e) == nil && e["msg"] == msg {
			s, _ := e[key].(string)
			return s
		}
	}
	return ""
}

// Metrics are served on their own listener only; discovery on the main one.
func TestMetricsListenerAndDiscovery(t *testing.T) {
	iss := testissuer.New(t)
	upstream := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, `{"data":[]}`) }))
	defer upstream.Close()
	logs := &syncbuf.Buffer{}
	ctx, cancel := context.WithCancel(context.Background())
	ready, done := make(chan string, 1), make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"-issuer", iss.Issuer, "-audience", "https://models.example.com/", "-jwks-url", iss.JWKSURL(),
			"-upstream", upstream.URL, "-listen", "127.0.0.1:0", "-metrics-listen", "127.0.0.1:0", "-public-url", "https://models.example.com"},
			env(nil), logs, ready)
	}()
	var addr string
	select {
	case addr = <-ready:
	case err := <-done:
		t.Fatal(err)
	}
	metricsAddr := logged(logs, "metrics listening", "addr")
	require.NotEmpty(t, metricsAddr)

	resp, err := http.Get("http://" + addr + "/v1/models")
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, 401, resp.StatusCode)
	assert.Contains(t, resp.Header.Get("WWW-Authenticate"), `resource_metadata="https://models.example.com/.well-known/oauth-protected-resource"`)

	resp, err = http.Get("http://" + metricsAddr + "/metrics")
	require.NoError(t, err)
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	assert.Equal(t, 200, resp.StatusCode)
	assert.Contains(t, string(body), `gateway_requests_total{org="none",route="GET /v1/models",status="401"} 1`)

	resp, err = http.Get("http://" + addr + "/metrics")
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, 404, resp.StatusCode, "the metrics are not on the public listener")

	resp, err = http.Get("http://" + addr + "/.well-known/oauth-protected-resource")
	require.NoError(t, err)
	var m struct{ Resource string }
	json.NewDecoder(resp.Body).Decode(&m)
	resp.Body.Close()
	assert.Equal(t, "https://models.example.com/", m.Resource)

	cancel()
	select {
	case err := <-done:
		assert.NoError(t, err)
	case <-time.After(10 * time.Second):
		buf := make([]byte, 1<<20)
		t.Fatal("the gateway did not shut down", string(buf[:runtime.Stack(buf, true)]))
	}
}

// The metrics listener has the main listener's protections: a client that
// never finishes its headers is cut after -read-header-timeout.
func TestMetricsListenerCutsSlowHeaders(t *testing.T) {
	iss := testissuer.New(t)
	logs := &syncbuf.Buffer{}
	_, stop := start(t, []string{"-issuer", iss.Issuer, "-audience", iss.Audience, "-jwks-url", iss.JWKSURL(),
		"-upstream", "http://127.0.0.1:9", "-listen", "127.0.0.1:0", "-metrics-listen", "127.0.0.1:0", "-read-header-timeout", "200ms"},
		env(nil), logs)
	defer stop()
	metricsAddr := logged(logs, "metrics listening", "addr")
	require.NotEmpty(t, metricsAddr)

	conn, err := net.Dial("tcp", metricsAddr)
	require.NoError(t, err)
	defer conn.Close()
	_, err = io.WriteString(conn, "GET /metrics HTTP/1.1\r\nHost: metrics\r\nX-Slow: ") // and nothing more
	require.NoError(t, err)
	// Far more than the 200ms allowed, far less than net/http's own default.
	require.NoError(t, conn.SetReadDeadline(time.Now().Add(5*time.Second)))
	_, err = io.ReadAll(conn)
	var netErr net.Error
	assert.False(t, errors.As(err, &netErr) && netErr.Timeout(), "the metrics listener kept a connection whose headers never ended: %v", err)
}

// -pprof serves Go's profiles on the metrics listener, never on the public
// one, and only when asked.
func TestPprofOnTheMetricsListenerOnly(t *testing.T) {
	iss := testissuer.New(t)
	base := []string{"-issuer", iss.Issuer, "-audience", iss.Audience, "-jwks-url", iss.JWKSURL(),
		"-upstream", "http://127.0.0.1:9", "-listen", "127.0.0.1:0", "-metrics-listen", "127.0.0.1:0"}
	status := func(url string) int {
		resp, err := http.Get(url)
		require.NoError(t, err)
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp.StatusCode
	}
	for _, tc := range []struct {
		name    string
		flags   []string
		metrics int // what the metrics listener answers at /debug/pprof/heap
	}{
		{"with -pprof", []string{"-pprof"}, 200},
		{"without", nil, 404},
	} {
		t.Run(tc.name, func(t *testing.T) {
			logs := &syncbuf.Buffer{}
			addr, stop := start(t, append(append([]string{}, base...), tc.flags...), env(nil), logs)
			defer stop()
			metricsAddr := logged(logs, "metrics listening", "addr")
			require.NotEmpty(t, metricsAddr)
			assert.Equal(t, tc.metrics, status("http://"+metricsAddr+"/debug/pprof/heap"))
			assert.Equal(t, 404, status("http://"+addr+"/debug/pprof/heap"), "never on the public listener")
		})
	}
	err := run(t.Context(), []string{"-pprof"}, env(minimalEnv()), io.Discard, nil)
	assert.ErrorContains(t, err, "-pprof: the profiles are served on the metrics listener; set -metrics-listen")
}
