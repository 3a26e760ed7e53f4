package limits_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/model-api-auth0/model-api-auth0/internal/gateway/limits"
	"github.com/model-api-auth0/model-api-auth0/internal/testing/redistest"
)

// Two gateway processes counting one person's budgets in one Redis, at the
// same time: each threshold of each budget is crossed, and reported, once
// overall, by whichever process's count crossed it. With leases too, whose
// counts reach Redis a lease period late.
func TestCrossingsOnceAcrossProcesses(t *testing.T) {
	srv := redistest.Start(t)
	p, err := limits.LoadEnv("limits", jsonTree(t, `{"perPerson": {"tokensPerDay": 1000, "usdPerMonth": 1}}`),
		limits.Env{Models: map[string]bool{"m": true}})
	require.NoError(t, err)
	for _, leased := range []bool{false, true} {
		name := map[bool]string{false: "redis", true: "leases"}[leased]
		t.Run(name, func(t *testing.T) {
			var mu sync.Mutex
			got := map[string]int{} // policy and percent: crossings reported
			var flushes []func() error
			var enforcers []*limits.Enforcer
			for range 2 {
				store := limits.Store(limits.NewRedis(gatewayClient(t, srv), 0))
				if leased {
					l := limits.NewLeases(store.(*limits.Redis), 5*time.Millisecond, nil)
					flushes = append(flushes, func() error { return l.Flush(context.Background()) })
					store = l
				}
				e := limits.NewEnforcer(p, store, nil)
				e.OnCrossing(func(c limits.Crossing) {
					mu.Lock()
					defer mu.Unlock()
					got[c.Policy.Name+" "+map[int]string{80: "80", 100: "100"}[c.Percent]]++
				})
				enforcers = append(enforcers, e)
			}
			// 2 processes x 40 responses of 30 tokens and 30000 micro-dollars:
			// 2400 tokens of 1000 and 2.4 USD of 1, both past 100%.
			who := limits.Caller{ClientID: "web", OrgID: "org_" + name, Person: "auth0|alice", Model: "m"}
			var wg sync.WaitGroup
			for _, e := range enforcers {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for range 40 {
						assert.NoError(t, e.RecordSpend(context.Background(), who, limits.Spend{Tokens: 30, Micros: 30_000}))
					}
				}()
			}
			wg.Wait()
			for _, f := range flushes {
				require.NoError(t, f())
			}
			// A month's count lives the month, whichever way it was sent.
			key := limits.RedisPrefix + "tokens:" + limits.Month(time.Now()) + ":month:usd:person:" + who.OrgID + ":" + who.Person
			ttl, err := gatewayClient(t, srv).TTL(context.Background(), key).Result()
			require.NoError(t, err)
			assert.Greater(t, ttl, 32*24*time.Hour, key)
			mu.Lock()
			defer mu.Unlock()
			assert.Equal(t, map[string]int{
				"per-person-tokens 80": 1, "per-person-tokens 100": 1,
				"per-person-usd-month 80": 1, "per-person-usd-month 100": 1,
			}, got)
		})
	}
}
