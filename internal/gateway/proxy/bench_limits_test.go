package proxy_test

import (
	"io"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/model-api-auth0/model-api-auth0/internal/gateway/limits"
	"github.com/model-api-auth0/model-api-auth0/internal/gateway/redisurl"
	"github.com/model-api-auth0/model-api-auth0/internal/testing/redistest"
)

// BenchmarkThroughputLimits calls a chat completion (a small JSON answer
// with its usage) directly and through the gateway, plain, with limits in
// memory and metrics, and with limits in Redis on loopback and metrics,
// without and with leases (-limits-lease, its default), in one run: compare
// the ns/op. Every limit applies (client and organization, rate and budget)
// and never refuses. The Redis variants skip without redis-server.
//
// Each variant also reports the CPU per request of this process (client,
// gateway and model server) and, with Redis, of redis-server and the round
// trips to it (without leases, one to admit and one to count the tokens;
// with leases, about one per lease period): on a busy machine these move
// less than the time.
func BenchmarkThroughputLimits(b *testing.B) {
	const answer = `{"id":"c1","object":"chat.completion","choices":[{"index":0,"message":{"role":"assistant","content":"Hi"}}],"usage":{"prompt_tokens":9,"completion_tokens":1,"total_tokens":10}}`
	upstream := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, answer)
	})
	const config = `{"perClient": {"requests": 1000000000, "tokensPerDay": 1000000000000},
		"perOrg": {"requests": 1000000000, "tokensPerDay": 1000000000000}}`
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	// run makes b.N requests; with rdb, it reports the Redis round trips
	// and redis-server's CPU too.
	run := func(b *testing.B, url, token string, rdb *redis.Client) {
		b.ReportAllocs()
		cpu := redistest.StartCPU(b, rdb)
		defer cpu.Report(b)
		if rdb != nil {
			trips := &redistest.RoundTrips{}
			rdb.AddHook(trips)
			defer func() { b.ReportMetric(float64(trips.Count())/float64(b.N), "round-trips/op") }() // before Report's INFO
		}
		callOK(b, client, func() *http.Request {
			req, _ := http.NewRequest("POST", url, strings.NewReader(`{"model":"m","messages":[{"role":"user","content":"Hi"}]}`))
			if token != "" {
				req.Header.Set("Authorization", "Bearer "+token)
			}
			return req
		})
	}
	plain := start(b, upstream, options{quiet: true})
	b.Run("direct", func(b *testing.B) { run(b, plain.upURL+"/v1/chat/completions", "", nil) })
	b.Run("gateway", func(b *testing.B) {
		run(b, plain.gw.URL+"/v1/chat/completions", plain.token("client-a", "org_acme"), nil)
	})
	b.Run("gateway+limits+metrics", func(b *testing.B) {
		s := start(b, upstream, options{quiet: true, metrics: true, limits: config})
		run(b, s.gw.URL+"/v1/chat/completions", s.token("client-a", "org_acme"), nil)
	})
	b.Run("gateway+redis-limits+metrics", func(b *testing.B) {
		srv := redistest.Start(b)
		rdb, err := redisurl.Client(srv.URL) // as cmd/gateway makes it
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { rdb.Close() })
		s := start(b, upstream, options{quiet: true, metrics: true, limits: config, store: limits.NewRedis(rdb, 0)})
		run(b, s.gw.URL+"/v1/chat/completions", s.token("client-a", "org_acme"), rdb)
	})
	b.Run("gateway+redis-leases+metrics", func(b *testing.B) {
		srv := redistest.Start(b)
		rdb, err := redisurl.Client(srv.URL)
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { rdb.Close() })
		store := limits.NewLeases(limits.NewRedis(rdb, 0), limits.DefaultLease, nil)
		s := start(b, upstream, options{quiet: true, metrics: true, limits: config, store: store})
		run(b, s.gw.URL+"/v1/chat/completions", s.token("client-a", "org_acme"), rdb)
	})
}

// BenchmarkLimitsOverPlain makes one request through the plain gateway, one
// through the gateway with limits in memory and metrics, and with limits in
// Redis without and with leases (when redis-server is there), in turns, and
// reports the ratios: interleaving keeps them measured under the same
// conditions on a busy machine, where separate runs drift. One request at a
// time, each gateway sees about one a millisecond: a lease period (10 ms)
// holds a few requests, far fewer than at a high rate.
func BenchmarkLimitsOverPlain(b *testing.B) {
	upstream := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"choices":[],"usage":{"prompt_tokens":9,"completion_tokens":1,"total_tokens":10}}`)
	})
	const config = `{"perClient": {"requests": 1000000000, "tokensPerDay": 1000000000000},
		"perOrg": {"requests": 1000000000, "tokensPerDay": 1000000000000}}`
	stacks := []*stack{
		start(b, upstream, options{quiet: true}),
		start(b, upstream, options{quiet: true, metrics: true, limits: config}),
	}
	if _, err := os.Stat(redistest.Binary); err == nil {
		srv := redistest.Start(b)
		rdb, err := redisurl.Client(srv.URL)
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { rdb.Close() })
		stacks = append(stacks, start(b, upstream, options{quiet: true, metrics: true, limits: config, store: limits.NewRedis(rdb, 0)}))
		leases := limits.NewLeases(limits.NewRedis(rdb, 0), limits.DefaultLease, nil)
		stacks = append(stacks, start(b, upstream, options{quiet: true, metrics: true, limits: config, store: leases}))
	}
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 4}}
	tokens := make([]string, len(stacks))
	for i, s := range stacks {
		tokens[i] = "Bearer " + s.token("client-a", "org_acme")
	}
	spent := make([]time.Duration, len(stacks))
	for b.Loop() {
		for i, s := range stacks {
			req, _ := http.NewRequest("POST", s.gw.URL+"/v1/chat/completions", strings.NewReader(`{"model":"m"}`))
			req.Header.Set("Authorization", tokens[i])
			begin := time.Now()
			resp, err := client.Do(req)
			if err != nil {
				b.Fatal(err)
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			spent[i] += time.Since(begin)
			if resp.StatusCode != 200 {
				b.Fatalf("status %d", resp.StatusCode)
			}
		}
	}
	b.ReportMetric(float64(spent[0].Microseconds())/float64(b.N), "plain-µs/op")
	b.ReportMetric(float64(spent[1])/float64(spent[0]), "limits/plain")
	if len(spent) > 2 {
		b.ReportMetric(float64(spent[2])/float64(spent[0]), "redis/plain")
		b.ReportMetric(float64(spent[3])/float64(spent[0]), "redis-leases/plain")
	}
}
