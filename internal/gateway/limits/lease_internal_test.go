package limits

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/model-api-auth0/model-api-auth0/internal/gateway/redisurl"
	"github.com/model-api-auth0/model-api-auth0/internal/testing/redistest"
)

// The state of keys that go quiet is dropped: memory follows the callers
// of the last moments, not every caller ever seen.
func TestLeasesDropQuietKeys(t *testing.T) {
	srv := redistest.Start(t)
	rdb, err := redisurl.Client(srv.URL)
	require.NoError(t, err)
	t.Cleanup(func() { rdb.Close() })
	clock := &clock{time.Now()}
	leases := NewLeases(NewRedis(rdb, 0), DefaultLease, clock.now)
	p, err := load(t, `{"perClient": {"requests": 1000000, "tokensPerDay": 1000000}}`)
	require.NoError(t, err)
	e := NewEnforcer(p, leases, clock.now)
	ctx := context.Background()
	admit := func(id string) {
		v, err := e.Admit(ctx, Caller{ClientID: id})
		require.NoError(t, err)
		require.Nil(t, v.Denied)
	}
	for i := range 100 {
		admit(fmt.Sprint("client-", i))
	}
	assert.Equal(t, 100, len(leases.keys))
	clock.t = clock.t.Add(sweepEvery / 2)
	admit("client-0")
	assert.Equal(t, 100, len(leases.keys), "no sweep before sweepEvery")
	clock.t = clock.t.Add(sweepEvery)
	admit("client-0")
	assert.Equal(t, 1, len(leases.keys), "only the key used in the last period is left")
}

// Counts that could not reach Redis are kept for the next flush, and the
// next count reports the failure (the gateway logs and counts it).
func TestLeasesKeepCountsRedisMissed(t *testing.T) {
	srv := redistest.Start(t)
	rdb, err := redisurl.Client(srv.URL)
	require.NoError(t, err)
	t.Cleanup(func() { rdb.Close() })
	// A period longer than the test: the flushes are the test's.
	leases := NewLeases(NewRedis(rdb, 50*time.Millisecond), time.Hour, nil)
	ctx := context.Background()
	require.NoError(t, leases.Add(ctx, "2030-01-01", 5, "client:a"))
	require.NoError(t, leases.Flush(ctx))
	srv.Stop()
	require.NoError(t, leases.Add(ctx, "2030-01-01", 7, "client:a"))
	leases.flushLater() // as at the end of the period
	assert.ErrorIs(t, leases.Add(ctx, "2030-01-01", 1, "client:a"), ErrStore)
	assert.NoError(t, leases.Add(ctx, "2030-01-01", 1, "client:a"), "a failure is reported once")
	assert.ErrorIs(t, leases.Flush(ctx), ErrStore)
	leases.pendingMu.Lock()
	defer leases.pendingMu.Unlock()
	assert.Equal(t, int64(9), leases.pending[budgetRef{"2030-01-01", "client:a"}], "the counts Redis missed")
}

func TestLeaseSize(t *testing.T) {
	for _, c := range []struct {
		rate   Rate
		period time.Duration
		want   int64
	}{
		{Rate{500, time.Second, 50}, DefaultLease, 5},
		{Rate{5, time.Second, 5}, DefaultLease, 1},                       // a slow caller: no lease
		{Rate{199, time.Second, 1000}, DefaultLease, 1},                  // under 2 a period
		{Rate{200, time.Second, 1000}, DefaultLease, 2},                  // 2 a period
		{Rate{1000, time.Second, 8}, DefaultLease, 2},                    // a quarter of the burst
		{Rate{1000, time.Second, 7}, DefaultLease, 1},                    // burst under 8: no lease
		{Rate{1_000_000_000, time.Second, 1_000_000_000}, time.Hour, 64}, // at most 64
		{Rate{100, time.Hour, 8}, time.Hour, 2},
	} {
		assert.Equal(t, c.want, leaseSize(c.rate, c.period), "%+v per %s", c.rate, c.period)
	}
}
