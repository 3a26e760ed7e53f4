package gateway

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"runtime"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/model-api-auth0/model-api-auth0/internal/testing/syncbuf"
	"github.com/model-api-auth0/model-api-auth0/internal/testing/testissuer"
)

// Metrics are served on their own listener only; discovery on the main one.
func TestMetricsListenerAndDiscovery(t *testing.T) {
	iss := testissuer.New(t)
	upstream := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, `{"data":[]}`) }))
	defer upstream.Close()
	logs := &syncbuf.Buffer{}
	o := issuerOptions(iss, upstream.URL, logs)
	o.Tenant.Audience, o.Metrics.Listen, o.PublicURL = "https://models.example.com/", "127.0.0.1:0", "https://models.example.com"
	ctx, cancel := context.WithCancel(context.Background())
	ready, done := make(chan string, 1), make(chan error, 1)
	go func() { done <- Run(ctx, o, ready) }()
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
	o := issuerOptions(iss, "http://127.0.0.1:9", logs)
	o.Metrics.Listen, o.Server.ReadHeaderTimeout = "127.0.0.1:0", 200*time.Millisecond
	_, stop := start(t, o)
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
	status := func(url string) int {
		resp, err := http.Get(url)
		require.NoError(t, err)
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp.StatusCode
	}
	for _, tc := range []struct {
		name    string
		pprof   bool
		metrics int // what the metrics listener answers at /debug/pprof/heap
	}{
		{"with -pprof", true, 200},
		{"without", false, 404},
	} {
		t.Run(tc.name, func(t *testing.T) {
			logs := &syncbuf.Buffer{}
			o := issuerOptions(iss, "http://127.0.0.1:9", logs)
			o.Metrics = Metrics{Listen: "127.0.0.1:0", Pprof: tc.pprof}
			addr, stop := start(t, o)
			defer stop()
			metricsAddr := logged(logs, "metrics listening", "addr")
			require.NotEmpty(t, metricsAddr)
			assert.Equal(t, tc.metrics, status("http://"+metricsAddr+"/debug/pprof/heap"))
			assert.Equal(t, 404, status("http://"+addr+"/debug/pprof/heap"), "never on the public listener")
		})
	}
	o := minimalOptions()
	o.Metrics.Pprof = true
	assert.ErrorContains(t, o.Validate(), "-pprof: the profiles are served on the metrics listener; set -metrics-listen")
}
