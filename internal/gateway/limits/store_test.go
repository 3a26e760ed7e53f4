package limits_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/model-api-auth0/model-api-auth0/internal/gateway/limits"
	"github.com/model-api-auth0/model-api-auth0/internal/gateway/redisurl"
	"github.com/model-api-auth0/model-api-auth0/internal/testing/redistest"
)

// stores returns each Store implementation, fresh, for the same tests.
// Redis runs on a real redis-server (skipped without one).
func stores(t *testing.T) map[string]func(t *testing.T) limits.Store {
	return map[string]func(t *testing.T) limits.Store{
		"memory": func(t *testing.T) limits.Store { return limits.NewMemory(nil) },
		"redis": func(t *testing.T) limits.Store {
			srv := redistest.Start(t)
			return limits.NewRedis(srv.Client(t), 0)
		},
	}
}

func TestStoreRate(t *testing.T) {
	ctx := context.Background()
	// A slow refill (one per hour) so that only the burst counts in the test.
	rate := limits.Rate{Requests: 1, Per: time.Hour, Burst: 3}
	for name, newStore := range stores(t) {
		t.Run(name, func(t *testing.T) {
			s := newStore(t)
			for i := range 3 {
				r, err := s.Allow(ctx, "client:a", rate)
				require.NoError(t, err)
				assert.True(t, r.Allowed, "request %d of the burst", i+1)
				assert.Equal(t, int64(2-i), r.Remaining, "remaining after request %d", i+1)
				assert.Greater(t, r.ResetAfter, time.Duration(0))
			}
			r, err := s.Allow(ctx, "client:a", rate)
			require.NoError(t, err)
			assert.False(t, r.Allowed, "the burst is spent")
			assert.Equal(t, int64(0), r.Remaining)
			assert.InDelta(t, time.Hour.Seconds(), r.RetryAfter.Seconds(), 5, "one request comes back per hour")
			// Another key has its own quota.
			r, err = s.Allow(ctx, "client:b", rate)
			require.NoError(t, err)
			assert.True(t, r.Allowed, "another client is not limited by the first")
		})
	}
}

// Concurrent requests on one key never get more than the burst through.
func TestStoreRateIsAtomic(t *testing.T) {
	rate := limits.Rate{Requests: 1, Per: time.Hour, Burst: 10}
	for name, newStore := range stores(t) {
		t.Run(name, func(t *testing.T) {
			s := newStore(t)
			var allowed atomic.Int64
			var wg sync.WaitGroup
			for range 50 {
				wg.Go(func() {
					if r, err := s.Allow(context.Background(), "org:x", rate); err == nil && r.Allowed {
						allowed.Add(1)
					}
				})
			}
			wg.Wait()
			assert.Equal(t, int64(10), allowed.Load())
		})
	}
}

func TestStoreBudget(t *testing.T) {
	ctx := context.Background()
	for name, newStore := range stores(t) {
		t.Run(name, func(t *testing.T) {
			s := newStore(t)
			used, err := s.Used(ctx, "2030-01-01", "client:a", "org:x")
			require.NoError(t, err)
			assert.Equal(t, []int64{0, 0}, used, "nothing used yet")
			require.NoError(t, s.Add(ctx, "2030-01-01", 40, "client:a"))
			require.NoError(t, s.Add(ctx, "2030-01-01", 2, "client:a", "org:x"))
			require.NoError(t, s.Add(ctx, "2030-01-01", 5, "org:x"))
			used, err = s.Used(ctx, "2030-01-01", "client:a", "org:x", "org:y")
			require.NoError(t, err)
			assert.Equal(t, []int64{42, 7, 0}, used)
			used, err = s.Used(ctx, "2030-01-02", "client:a")
			require.NoError(t, err)
			assert.Equal(t, []int64{0}, used, "a new day starts from nothing")
		})
	}
}

// Redis that is down or hangs costs a request at most the timeout, and the
// error says it is the store.
func TestRedisDown(t *testing.T) {
	srv := redistest.Start(t)
	rdb := redis.NewClient(&redis.Options{Addr: srv.Addr, MaxRetries: -1, ContextTimeoutEnabled: true})
	defer rdb.Close()
	s := limits.NewRedis(rdb, 200*time.Millisecond)
	ctx := context.Background()
	_, err := s.Allow(ctx, "client:a", limits.Rate{Requests: 1, Per: time.Second, Burst: 1})
	require.NoError(t, err, "while redis is up")
	srv.Stop()
	time.Sleep(50 * time.Millisecond)
	admission := limits.Admission{Day: "2030-01-01",
		Budgets: []limits.Budget{{Key: "client:a", TokensPerDay: 10}},
		Rates:   []limits.KeyRate{{Key: "client:a", Rate: limits.Rate{Requests: 1, Per: time.Second, Burst: 1}}}}
	calls := map[string]func() error{
		"Allow": func() error {
			_, err := s.Allow(ctx, "client:a", limits.Rate{Requests: 1, Per: time.Second, Burst: 1})
			return err
		},
		"Used": func() error { _, err := s.Used(ctx, "2030-01-01", "client:a"); return err },
		"Add":  func() error { return s.Add(ctx, "2030-01-01", 1, "client:a") },
		"Admit": func() error {
			_, err := s.Admit(ctx, admission)
			return err
		},
	}
	for name, call := range calls {
		start := time.Now()
		err := call()
		assert.True(t, errors.Is(err, limits.ErrStore), "%s: %v", name, err)
		assert.Less(t, time.Since(start), 2*time.Second, "%s waited too long", name)
	}
	// A listener that accepts and never answers: the timeout bounds the wait.
	hang := hangingServer(t)
	s = limits.NewRedis(redis.NewClient(&redis.Options{Addr: hang, MaxRetries: -1, ContextTimeoutEnabled: true}), 200*time.Millisecond)
	for name, call := range calls {
		start := time.Now()
		err := call()
		assert.ErrorIs(t, err, limits.ErrStore, name)
		assert.Less(t, time.Since(start), time.Second, "%s: a hanging Redis held the request past the timeout", name)
	}
}

// The options the gateway gives go-redis (internal/gateway/redisurl) keep a Redis
// that accepts connections and never answers to the store's timeout, for
// every call of a request; so does one that is down.
func TestRedisDownWithGatewayOptions(t *testing.T) {
	ctx := context.Background()
	admission := limits.Admission{Day: "2030-01-01",
		Budgets: []limits.Budget{{Key: "client:a", TokensPerDay: 10}},
		Rates:   []limits.KeyRate{{Key: "client:a", Rate: limits.Rate{Requests: 1, Per: time.Second, Burst: 1}}}}
	for name, url := range map[string]string{"hanging": "redis://" + hangingServer(t) + "/0", "down": redistest.DownURL(t)} {
		rdb, err := redisurl.Client(url)
		require.NoError(t, err)
		defer rdb.Close()
		s := limits.NewRedis(rdb, 100*time.Millisecond)
		calls := map[string]func() error{
			"Admit": func() error { _, err := s.Admit(ctx, admission); return err },
			"Add":   func() error { return s.Add(ctx, "2030-01-01", 1, "client:a") },
		}
		for call, f := range calls {
			start := time.Now()
			err := f()
			assert.ErrorIs(t, err, limits.ErrStore, "%s: %s", name, call)
			// The timeout, and a scheduler that may be slow on a busy machine.
			assert.Less(t, time.Since(start), 600*time.Millisecond, "%s: %s waited past the timeout", name, call)
		}
	}
}

func hangingServer(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	var mu sync.Mutex
	var conns []net.Conn
	t.Cleanup(func() {
		ln.Close()
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			c.Close()
		}
	})
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
		}
	}()
	return ln.Addr().String()
}

func ExampleSeconds() {
	fmt.Println(limits.Seconds(1500*time.Millisecond), limits.Seconds(2*time.Second), limits.Seconds(0))
	// Output: 2 2 0
}
