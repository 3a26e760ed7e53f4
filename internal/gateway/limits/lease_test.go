package limits_test

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/model-api-auth0/model-api-auth0/internal/gateway/limits"
	"github.com/model-api-auth0/model-api-auth0/internal/testing/redistest"
)

// replica is one gateway process: its own Redis client, round-trip counter
// and Enforcer, leasing for period.
type replica struct {
	e     *limits.Enforcer
	store limits.Store
	trips *redistest.RoundTrips
}

func newReplica(t *testing.T, srv *redistest.Server, config string, period time.Duration) replica {
	t.Helper()
	rdb := gatewayClient(t, srv)
	trips := &redistest.RoundTrips{}
	rdb.AddHook(trips)
	var store limits.Store = limits.NewRedis(rdb, 0) // period 0: no leases, as the gateway's -limits-lease 0
	if period > 0 {
		store = limits.NewLeases(limits.NewRedis(rdb, 0), period, nil)
	}
	return replica{limits.NewEnforcer(policies(t, config), store, nil), store, trips}
}

// Two gateway processes leasing from one Redis, hammering one client's rate
// for a second, admit no more than the shared GCRA allows in that time
// (each request they admit was taken from Redis first), and not much less:
// what leases hold unspent when they run out is little.
func TestLeasesKeepTheSharedLimit(t *testing.T) {
	srv := redistest.Start(t)
	const config = `{"perClient": {"requests": 500, "per": "1s", "burst": 50}}`
	replicas := []replica{
		newReplica(t, srv, config, limits.DefaultLease),
		newReplica(t, srv, config, limits.DefaultLease),
	}
	caller := limits.Caller{ClientID: "busy"}
	ctx := context.Background()
	var admitted, refused atomic.Int64
	var wg sync.WaitGroup
	begin := time.Now()
	stop := begin.Add(time.Second)
	for _, r := range replicas {
		for range 4 {
			wg.Go(func() {
				for time.Now().Before(stop) {
					v, err := r.e.Admit(ctx, caller)
					if !assert.NoError(t, err) {
						return
					}
					if v.Denied == nil {
						admitted.Add(1)
					} else {
						refused.Add(1)
					}
				}
			})
		}
	}
	wg.Wait()
	elapsed := time.Since(begin)
	// GCRA gives the burst at once, then one request per 1/500 s: in
	// elapsed, at most the burst and 500 a second, and one more for a
	// request on the boundary.
	most := int64(500*elapsed.Seconds()) + 50 + 1
	t.Logf("%d admitted, %d refused in %s; the shared limit allows at most %d", admitted.Load(), refused.Load(), elapsed, most)
	assert.LessOrEqual(t, admitted.Load(), most, "admitted more than the shared rate allows")
	assert.GreaterOrEqual(t, admitted.Load(), most*8/10, "leases held back too much")
	assert.Positive(t, refused.Load(), "the test did not reach the limit")
}

// A busy caller well under its limits goes to Redis about once per lease,
// for its rates, its budgets and the tokens its responses count, rather
// than twice per request.
func TestLeasesAmortizeRoundTrips(t *testing.T) {
	srv := redistest.Start(t)
	const config = `{"perClient": {"requests": 1000000, "tokensPerDay": 1000000000},
		"perOrg": {"requests": 1000000, "tokensPerDay": 1000000000}}`
	r := newReplica(t, srv, config, limits.DefaultLease)
	ctx := context.Background()
	caller := limits.Caller{ClientID: "busy", OrgID: "org_busy"}
	// Opens the connection and loads the script.
	_, err := r.e.Admit(ctx, limits.Caller{ClientID: "warm-up"})
	require.NoError(t, err)
	r.trips.Reset()
	const requests = 4000
	for range requests {
		v, err := r.e.Admit(ctx, caller)
		require.NoError(t, err)
		require.Nil(t, v.Denied)
		require.NoError(t, r.e.Record(ctx, caller, 10))
	}
	perRequest := float64(r.trips.Count()) / requests
	t.Logf("%d round trips for %d requests", r.trips.Count(), requests)
	assert.LessOrEqual(t, perRequest, 1.0/8, "round trips per request")
}

// Requests of one key that arrive together wait for one refill: one round
// trip, not one each.
func TestLeasesRefillOnceForConcurrentRequests(t *testing.T) {
	srv := redistest.Start(t)
	r := newReplica(t, srv, `{"perClient": {"requests": 1000000}}`, time.Second)
	ctx := context.Background()
	_, err := r.e.Admit(ctx, limits.Caller{ClientID: "warm-up"})
	require.NoError(t, err)
	r.trips.Reset()
	start := make(chan struct{})
	var wg sync.WaitGroup
	for range 32 {
		wg.Go(func() {
			<-start
			v, err := r.e.Admit(ctx, limits.Caller{ClientID: "crowd"})
			assert.NoError(t, err)
			assert.Nil(t, v.Denied)
		})
	}
	close(start)
	wg.Wait()
	assert.Equal(t, int64(1), r.trips.Count(), "32 requests of a key, a lease of 64")
}

// A slow caller, whose rate yields less than two requests in a lease
// period, gets exactly the decisions it gets without leases, each from
// Redis.
func TestLeasesLeaveSlowCallersAlone(t *testing.T) {
	srv := redistest.Start(t)
	const config = `{"perClient": {"requests": 5, "per": "1s", "burst": 3}}`
	leased := newReplica(t, srv, config, limits.DefaultLease)
	plain := newReplica(t, srv, config, 0)
	ctx := context.Background()
	for _, r := range []replica{leased, plain} {
		_, err := r.e.Admit(ctx, limits.Caller{ClientID: "warm-up"})
		require.NoError(t, err)
		r.trips.Reset()
	}
	for step := range 12 {
		if step == 6 {
			time.Sleep(250 * time.Millisecond) // a request more
		}
		want, err := plain.e.Admit(ctx, limits.Caller{ClientID: "slow-plain"})
		require.NoError(t, err)
		got, err := leased.e.Admit(ctx, limits.Caller{ClientID: "slow-leased"})
		require.NoError(t, err)
		assert.Equal(t, want.Denied == nil, got.Denied == nil, "step %d: admitted", step)
		assert.Equal(t, want.Outcomes[0].Remaining, got.Outcomes[0].Remaining, "step %d: remaining", step)
		assert.Equal(t, int64(step+1), leased.trips.Count(), "step %d: one round trip per request", step)
	}
}

// Budgets: a process's own counts refuse its next request at once; another
// process's show within two periods (one to send them, one for the budget
// read before to run out).
func TestLeasesKeepBudgets(t *testing.T) {
	srv := redistest.Start(t)
	const config = `{"perClient": {"requests": 1000000, "tokensPerDay": 100}}`
	const period = 100 * time.Millisecond
	a := newReplica(t, srv, config, period)
	b := newReplica(t, srv, config, period)
	ctx := context.Background()
	admit := func(r replica, id string) bool {
		v, err := r.e.Admit(ctx, limits.Caller{ClientID: id})
		require.NoError(t, err)
		return v.Denied == nil
	}
	require.True(t, admit(a, "own"))
	require.NoError(t, a.e.Record(ctx, limits.Caller{ClientID: "own"}, 150))
	a.trips.Reset()
	assert.False(t, admit(a, "own"), "the process's own count refuses")
	assert.Zero(t, a.trips.Count(), "without a round trip")

	require.True(t, admit(a, "other"))
	require.True(t, admit(b, "other"))
	require.NoError(t, b.e.Record(ctx, limits.Caller{ClientID: "other"}, 150))
	time.Sleep(2*period + 50*time.Millisecond)
	assert.False(t, admit(a, "other"), "another process's count refuses, two periods later")
	assert.False(t, admit(b, "other"))
}

// Leases need a period: leasing off is the Redis store itself, which the
// caller uses instead (the gateway's -limits-lease 0).
func TestLeasesNeedAPeriod(t *testing.T) {
	r := limits.NewRedis(nil, 0)
	assert.PanicsWithValue(t, "limits: NewLeases needs a positive lease period; without leases, use the Redis store itself",
		func() { limits.NewLeases(r, 0, nil) })
	assert.IsType(t, &limits.Leases{}, limits.NewLeases(r, time.Millisecond, nil))
}

// Requests of one key that wait for another's call to a Redis that hangs
// wait no longer than the timeout in all, as without leases: then the
// gateway's fail mode decides.
func TestLeasesKeepTheTimeout(t *testing.T) {
	srv := redistest.Start(t)
	const timeout = 100 * time.Millisecond
	store := limits.NewLeases(limits.NewRedis(gatewayClient(t, srv), timeout), time.Second, nil)
	e := limits.NewEnforcer(policies(t, `{"perClient": {"requests": 1000000, "tokensPerDay": 100}}`), store, nil)
	ctx := context.Background()
	_, err := e.Admit(ctx, limits.Caller{ClientID: "warm-up"})
	require.NoError(t, err)
	// Redis holds every command for a second: it hangs.
	require.NoError(t, srv.Client(t).Do(ctx, "CLIENT", "PAUSE", 1000, "ALL").Err())
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			start := time.Now()
			_, err := e.Admit(ctx, limits.Caller{ClientID: "waits"})
			assert.ErrorIs(t, err, limits.ErrStore)
			// The timeout, and a scheduler that may be slow on a busy
			// machine; without a bound on waiting, the eighth waits 8 times.
			assert.Less(t, time.Since(start), 4*timeout, "a request waited past the timeout")
		})
	}
	wg.Wait()
}

// Leases keep the order of an admission: an organization is not charged for
// a request its client's rate refused; and one process's RateLimit
// remaining counts are those it would get without leases.
func TestLeasesKeepTheOrderOfAdmission(t *testing.T) {
	srv := redistest.Start(t)
	// Refills are slow (36 s a request): only the bursts count. Leases of 2
	// requests for the client (a quarter of its burst), 3 for the
	// organization.
	r := newReplica(t, srv, `{
		"perClient": {"requests": 100, "per": "1h", "burst": 8},
		"perOrg": {"requests": 100, "per": "1h", "burst": 12}}`, time.Hour)
	ctx := context.Background()
	admit := func(id string) limits.Verdict {
		v, err := r.e.Admit(ctx, limits.Caller{ClientID: id, OrgID: "org_a"})
		require.NoError(t, err)
		return v
	}
	for i := range 8 {
		v := admit("c1")
		require.Nil(t, v.Denied, "request %d of c1's burst", i+1)
		assert.Equal(t, int64(7-i), v.Outcomes[0].Remaining, "c1's remaining after request %d", i+1)
		assert.Equal(t, int64(11-i), v.Outcomes[1].Remaining, "the organization's remaining after request %d", i+1)
	}
	v := admit("c1")
	require.NotNil(t, v.Denied)
	assert.Equal(t, "per-client", v.Denied.Policy.Name)
	// The organization's burst has 4 requests left, one of them in this
	// process's lease: c1's refusal took none.
	for i := range 4 {
		require.Nil(t, admit("c2").Denied, "request %d of c2", i+1)
	}
	v = admit("c2")
	require.NotNil(t, v.Denied)
	assert.Equal(t, "per-org", v.Denied.Policy.Name)
}
