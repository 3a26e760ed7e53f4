package proxy_test

import (
	"bufio"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/model-api-auth0/model-api-auth0/guard"
	"github.com/model-api-auth0/model-api-auth0/internal/gateway/limits"
	"github.com/model-api-auth0/model-api-auth0/internal/gateway/proxy"
	"github.com/model-api-auth0/model-api-auth0/internal/gateway/proxy/proxytest"
	"github.com/model-api-auth0/model-api-auth0/internal/testing/testissuer"
)

// BenchmarkStreamMemory holds 500 event streams open directly and through
// the gateway (hardened server, limits and metrics on, so the usage of
// every stream is read) and reports what the gateway holds per open
// stream: Go's live heap after a collection plus goroutine stacks, and
// goroutines, through the gateway minus directly. Unlike RSS this does not
// depend on the machine's load, or on whether a fresh process has written
// the memory it allocated; the client and the upstream share the process,
// so compare it with other runs of itself. bench/proxy.sh -only streams
// measures the gateway's RSS.
func BenchmarkStreamMemory(b *testing.B) {
	const streams = 500
	var mu sync.Mutex
	release := make(chan struct{})
	upstream := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		done := release
		mu.Unlock()
		io.Copy(io.Discard, r.Body) // as a model server reads the request
		w.Header().Set("Content-Type", "text/event-stream")
		io.WriteString(w, `data: {"choices":[{"index":0,"delta":{"content":"Hel"}}]}`+"\n\n")
		w.(http.Flusher).Flush()
		<-done
		io.WriteString(w, `data: {"choices":[],"usage":{"total_tokens":7}}`+"\n\ndata: [DONE]\n\n")
	}))
	b.Cleanup(upstream.Close)
	iss := testissuer.New(b)
	const idleTimeout = 50 * time.Millisecond
	gw := streamGateway(b, iss, upstream.URL, idleTimeout)
	token := "Bearer " + iss.Token(map[string]any{"azp": "bench-client", "sub": "bench-client@clients", "org_id": "org_bench"})

	// hold opens the streams, measures, then has the upstream end them.
	hold := func(url, auth string) memory {
		client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
		defer client.CloseIdleConnections()
		time.Sleep(4 * idleTimeout) // the upstream connections of the last run are closed
		before := goMemory()
		var opened, ended sync.WaitGroup
		for range streams {
			opened.Add(1)
			ended.Add(1)
			go func() {
				defer ended.Done()
				req, _ := http.NewRequest("POST", url+"/v1/chat/completions", strings.NewReader(`{"stream":true}`))
				if auth != "" {
					req.Header.Set("Authorization", auth)
				}
				resp, err := client.Do(req)
				if err != nil {
					b.Error(err)
					opened.Done()
					return
				}
				defer resp.Body.Close()
				_, err = bufio.NewReader(resp.Body).ReadString('\n')
				opened.Done()
				if err != nil || resp.StatusCode != http.StatusOK {
					b.Errorf("first event: status %d, %v", resp.StatusCode, err)
				}
				io.Copy(io.Discard, resp.Body)
			}()
		}
		opened.Wait()
		held := goMemory()
		mu.Lock()
		close(release)
		release = make(chan struct{})
		mu.Unlock()
		ended.Wait()
		return held.minus(before).per(streams)
	}
	hold(gw.URL, token) // warm up the token cache and the pools
	var added memory
	for b.Loop() {
		direct := hold(upstream.URL, "")
		added = hold(gw.URL, token).minus(direct)
	}
	b.ReportMetric((added.heap+added.stacks)/1024, "gateway-KiB/stream")
	b.ReportMetric(added.heap/1024, "heap-KiB/stream")
	b.ReportMetric(added.stacks/1024, "stacks-KiB/stream")
	b.ReportMetric(added.goroutines, "goroutines/stream")
}

// memory is what the process holds: its live heap after a collection,
// its goroutine stacks and its goroutines.
type memory struct{ heap, stacks, goroutines float64 }

func goMemory() memory {
	runtime.GC()
	runtime.GC() // and what sync.Pools kept from the last
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return memory{float64(m.HeapAlloc), float64(m.StackInuse), float64(runtime.NumGoroutine())}
}

func (m memory) minus(o memory) memory {
	return memory{m.heap - o.heap, m.stacks - o.stacks, m.goroutines - o.goroutines}
}

func (m memory) per(n int) memory {
	return memory{m.heap / float64(n), m.stacks / float64(n), m.goroutines / float64(n)}
}

// streamGateway is the gateway as cmd/gateway serves it, with limits per
// client and organization and metrics. Its idle upstream connections close
// after idleTimeout, so that none is left from one run to the next.
func streamGateway(b *testing.B, iss *testissuer.Issuer, upstream string, idleTimeout time.Duration) *httptest.Server {
	u, _ := url.Parse(upstream)
	policies, err := limits.Load("limits", map[string]any{
		"perClient": map[string]any{"requests": 1_000_000, "per": "1s", "tokensPerDay": 1_000_000_000},
		"perOrg":    map[string]any{"requests": 1_000_000, "per": "1s", "tokensPerDay": 1_000_000_000},
	})
	require.NoError(b, err)
	metrics := proxy.NewMetrics()
	ctx, cancel := context.WithCancel(context.Background())
	b.Cleanup(cancel)
	v, err := guard.New(ctx, guard.Config{Issuer: iss.Issuer, Audience: iss.Audience, JWKSURL: iss.JWKSURL(),
		Logger: proxytest.Quiet, Observer: proxy.GuardObserver(metrics)})
	require.NoError(b, err)
	h, err := proxy.New(v, proxy.Config{Upstream: u, Routes: proxy.DefaultRoutes(), Logger: proxytest.Quiet,
		Metrics: metrics, Limits: limits.NewEnforcer(policies, limits.NewMemory(nil), nil), UpstreamIdleTimeout: idleTimeout})
	require.NoError(b, err)
	gw := httptest.NewUnstartedServer(nil)
	gw.Config = proxy.NewServer(h, proxy.ServerConfig{Logger: proxytest.Quiet})
	gw.Start()
	b.Cleanup(gw.Close)
	return gw
}
