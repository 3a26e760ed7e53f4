package websession_test

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/model-api-auth0/model-api-auth0/guard"
	"github.com/model-api-auth0/model-api-auth0/internal/dev/devtenant"
	"github.com/model-api-auth0/model-api-auth0/internal/gateway/redisurl"
	"github.com/model-api-auth0/model-api-auth0/internal/testing/redistest"
)

// BenchmarkSessionOverBearer alternates one call authenticated by a bearer
// token and one by the session cookie (same user, same route, same
// keep-alive client, over loopback) and reports their time ratio, with the
// sessions in memory and in Redis. Interleaving keeps both measured under
// the same conditions on a machine whose speed drifts. With Redis, a bare
// GET of a key (redis-get-ns/call) is measured in the same loop: the floor
// of what a session read from Redis costs. memory-dpop's sessions are
// DPoP-bound.
func BenchmarkSessionOverBearer(b *testing.B) {
	b.Run("memory", func(b *testing.B) { benchSessionOverBearer(b, newStack(b, options{}), nil) })
	// A DPoP session: the gateway signs a proof for each call and the guard
	// verifies it and records its jti; the bearer calls are unbound tokens,
	// which -dpop allowed takes.
	b.Run("memory-dpop", func(b *testing.B) {
		benchSessionOverBearer(b, newStack(b, options{dpop: guard.DPoPAllowed}), nil)
	})
	b.Run("redis", func(b *testing.B) {
		client, err := redisurl.Client(redistest.Start(b).URL)
		if err != nil {
			b.Fatal(err)
		}
		ctx := context.Background()
		client.Set(ctx, "bench", strings.Repeat("x", 3000), 0)
		benchSessionOverBearer(b, newStack(b, options{redis: client}), func() {
			if err := client.Get(ctx, "bench").Err(); err != nil {
				b.Fatal(err)
			}
		})
	})
}

func benchSessionOverBearer(b *testing.B, s *stack, floor func()) {
	br := s.browser(b)
	br.login(s.url(), bob, "globex")
	cookie := "session=" + br.cookie(s.url()).Value
	tok, err := s.dt.Tokens(context.Background(), devtenant.UserLogin{Email: bob, Organization: "globex"})
	if err != nil {
		b.Fatal(err)
	}
	bearer := "Bearer " + tok.AccessToken
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 4}}
	target := s.url() + "/api/messages/protected"
	call := func(header, value string) time.Duration {
		req, _ := http.NewRequest(http.MethodGet, target, nil)
		req.Header.Set(header, value)
		start := time.Now()
		resp, err := client.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			b.Fatalf("%s: status %d", header, resp.StatusCode)
		}
		return time.Since(start)
	}
	call("Authorization", bearer) // warm the connection and the guard's cache
	call("Cookie", cookie)
	var withBearer, withSession, redisGet time.Duration
	for b.Loop() {
		withBearer += call("Authorization", bearer)
		withSession += call("Cookie", cookie)
		if floor != nil {
			start := time.Now()
			floor()
			redisGet += time.Since(start)
		}
	}
	n := float64(b.N)
	if floor != nil {
		b.ReportMetric(float64(redisGet.Nanoseconds())/n, "redis-get-ns/call")
	}
	b.ReportMetric(float64(withBearer.Nanoseconds())/n, "bearer-ns/call")
	b.ReportMetric(float64(withSession.Nanoseconds())/n, "session-ns/call")
	b.ReportMetric(float64(withSession)/float64(withBearer), "session/bearer")
}

// BenchmarkLoginRoundTrip is a whole login against the dev tenant: /login,
// the tenant's login form, /callback (code exchange, ID token and access
// token checks, session stored). gateway-ms/op is the share of the
// gateway's two requests.
func BenchmarkLoginRoundTrip(b *testing.B) {
	// Every login comes from 127.0.0.1: lift the per-address login limit.
	s := newStack(b, options{loginBurst: 1 << 30})
	var atGateway time.Duration
	for b.Loop() {
		br := s.browser(b)
		start := time.Now()
		authorize := br.startLogin(s.url(), "organization=globex")
		mid := time.Now()
		callback := br.authorize(authorize, bob, "globex")
		end := time.Now()
		r := br.get(callback.String())
		if r.StatusCode != http.StatusSeeOther {
			b.Fatalf("callback: %d %s", r.StatusCode, r.message())
		}
		atGateway += mid.Sub(start) + time.Since(end)
	}
	b.ReportMetric(float64(atGateway.Microseconds())/1000/float64(b.N), "gateway-ms/op")
}
