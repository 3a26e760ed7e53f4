package proxy_test

import (
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/model-api-auth0/model-api-auth0/internal/gateway/proxy"
	"github.com/model-api-auth0/model-api-auth0/internal/gateway/proxy/proxytest"
	"github.com/model-api-auth0/model-api-auth0/internal/testing/testissuer"
)

// Requests that come back to back share one upstream connection; once it
// has waited UpstreamIdleTimeout for the next, the gateway closes it, with
// its goroutines and buffers, instead of keeping it for Go's default 90 s.
func TestIdleUpstreamConnectionsAreClosed(t *testing.T) {
	var opened, closed atomic.Int64
	up := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, `{"data":[]}`)
	}))
	up.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		switch s {
		case http.StateNew:
			opened.Add(1)
		case http.StateClosed:
			closed.Add(1)
		}
	}
	up.Start()
	t.Cleanup(up.Close)
	iss := testissuer.New(t)
	u, _ := url.Parse(up.URL)
	h, err := proxy.New(proxytest.Validator(t, iss), proxy.Config{
		Upstream: u, Routes: proxy.DefaultRoutes(), Logger: proxytest.Quiet, UpstreamIdleTimeout: time.Second})
	require.NoError(t, err)
	gw := httptest.NewServer(h)
	t.Cleanup(gw.Close)

	token := iss.Token(nil)
	for i := range 5 {
		resp, _ := call(t, "GET", gw.URL+"/v1/models", token, nil)
		require.Equal(t, http.StatusOK, resp.StatusCode, "request %d", i)
	}
	assert.Equal(t, int64(1), opened.Load(), "upstream connections opened by 5 requests in a row")
	assert.Zero(t, closed.Load(), "upstream connections closed right after the requests")
	require.Eventually(t, func() bool { return closed.Load() == 1 }, 10*time.Second, 20*time.Millisecond,
		"the idle upstream connection was still open 10 s later")
}
