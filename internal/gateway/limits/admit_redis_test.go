package limits_test

import (
	"context"
	"fmt"
	"strconv"
	"testing"
	"time"

	"github.com/go-redis/redis_rate/v10"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/model-api-auth0/model-api-auth0/internal/gateway/limits"
	"github.com/model-api-auth0/model-api-auth0/internal/testing/redistest"
)

// jan1st2017 is the epoch of redis_rate's stored times.
const jan1st2017 = 1483228800

// The admission script's rates are redis_rate's, on the same keys: three
// keys start alike; redis_rate alone takes from the first, the script alone
// from the second, the two in turns from the third, and each step must
// answer alike for all three.
//
// Redis's clock runs on between two calls, so the durations may differ by
// the time two steps took. Remaining counts and refusals are compared exactly:
// the starting states put the bucket half way between two whole requests
// (or at a whole one, never crossed in the microseconds between calls, when
// the key is new), far from where the step's microseconds could tip them.
func TestAdmitScriptIsRedisRate(t *testing.T) {
	srv := redistest.Start(t)
	rdb := gatewayClient(t, srv)
	store := limits.NewRedis(rdb, 0)
	rl := redis_rate.NewLimiter(rdb)
	ctx := context.Background()
	rates := []limits.Rate{
		{Requests: 1, Per: time.Second, Burst: 1},
		{Requests: 3, Per: 7 * time.Second, Burst: 2}, // 2.33 s between requests
		{Requests: 10, Per: time.Minute, Burst: 25},
		{Requests: 1, Per: time.Hour, Burst: 3},
	}
	for _, rate := range rates {
		interval := rate.Per.Seconds() / float64(rate.Requests)
		// Starting states: a new key; a stored time that is past; stored
		// times whole-and-a-half requests ahead, from all of the burst left
		// to none.
		ahead := []float64{-1, -10}
		for k := 0; k <= rate.Burst+1; k++ {
			ahead = append(ahead, float64(k)+0.5)
		}
		for _, a := range ahead {
			name := fmt.Sprintf("%d per %s burst %d/start %+.1f", rate.Requests, rate.Per, rate.Burst, a)
			t.Run(name, func(t *testing.T) {
				keys := [3]string{"client:rl-" + name, "client:script-" + name, "client:both-" + name}
				if a != -1 {
					now, err := rdb.Time(ctx).Result()
					require.NoError(t, err)
					tat := float64(now.UnixMicro())/1e6 - jan1st2017 + a*interval
					for _, k := range keys {
						require.NoError(t, rdb.Set(ctx, "rate:"+limits.RedisPrefix+k, strconv.FormatFloat(tat, 'f', -1, 64), time.Hour).Err())
					}
				}
				// A key's durations count from when it was last set and
				// from now: the keys may differ by the time two steps took.
				var spread time.Duration
				for step := range rate.Burst + 2 {
					begin := time.Now()
					want := redisRate(t, rl, keys[0], rate)
					got := [2]limits.Result{script(t, store, keys[1], rate)}
					if step%2 == 0 {
						got[1] = redisRate(t, rl, keys[2], rate)
					} else {
						got[1] = script(t, store, keys[2], rate)
					}
					took := time.Since(begin) + time.Microsecond
					slack := spread + took
					spread = max(spread, took)
					for i, g := range got {
						who := [...]string{"script", "redis_rate and script in turns"}[i]
						assert.Equal(t, want.Allowed, g.Allowed, "step %d, %s: allowed", step, who)
						assert.Equal(t, want.Remaining, g.Remaining, "step %d, %s: remaining", step, who)
						assert.InDelta(t, want.RetryAfter, g.RetryAfter, float64(slack), "step %d, %s: retry after", step, who)
						assert.InDelta(t, want.ResetAfter, g.ResetAfter, float64(slack), "step %d, %s: reset after", step, who)
					}
				}
				// The keys hold the same time, for as long.
				var tats [3]float64
				var ttls [3]time.Duration
				for i, k := range keys {
					v, err := rdb.Get(ctx, "rate:"+limits.RedisPrefix+k).Float64()
					require.NoError(t, err, "redis_rate's key %d", i)
					tats[i] = v
					ttls[i], err = rdb.PTTL(ctx, "rate:"+limits.RedisPrefix+k).Result()
					require.NoError(t, err)
				}
				assert.InDelta(t, tats[0], tats[1], 0.05, "stored times")
				assert.InDelta(t, tats[0], tats[2], 0.05, "stored times")
				assert.InDelta(t, ttls[0], ttls[1], float64(100*time.Millisecond), "expiries")
				assert.InDelta(t, ttls[0], ttls[2], float64(100*time.Millisecond), "expiries")
			})
		}
	}
}

// redisRate takes one request with redis_rate, as Redis.Allow does before
// converting: the reference.
func redisRate(t *testing.T, rl *redis_rate.Limiter, key string, r limits.Rate) limits.Result {
	t.Helper()
	res, err := rl.Allow(context.Background(), limits.RedisPrefix+key, redis_rate.Limit{Rate: r.Requests, Burst: r.Burst, Period: r.Per})
	require.NoError(t, err)
	out := limits.Result{Allowed: res.Allowed == 1, Remaining: int64(res.Remaining), ResetAfter: res.ResetAfter}
	if res.Allowed == 0 {
		out.RetryAfter = res.RetryAfter
	} else {
		require.Equal(t, time.Duration(-1), res.RetryAfter, "redis_rate says -1 when allowed")
	}
	return out
}

// script takes one request with the admission script.
func script(t *testing.T, s *limits.Redis, key string, r limits.Rate) limits.Result {
	t.Helper()
	got, err := s.Admit(context.Background(), limits.Admission{Rates: []limits.KeyRate{{Key: key, Rate: r}}})
	require.NoError(t, err)
	require.Empty(t, got.Used)
	require.Len(t, got.Rates, 1)
	return got.Rates[0]
}

// A budget key that holds something else than a count (written by hand, or
// by another program) is an error of the store, whichever way it is read.
func TestAdmitRefusesACorruptBudget(t *testing.T) {
	srv := redistest.Start(t)
	rdb := gatewayClient(t, srv)
	p := policies(t, `{"perClient": {"requests": 10, "tokensPerDay": 100}}`)
	day := time.Date(2030, 1, 1, 12, 0, 0, 0, time.UTC)
	require.NoError(t, rdb.Set(context.Background(), limits.RedisPrefix+"tokens:2030-01-01:client:c1", "lots", 0).Err())
	for name, s := range map[string]limits.Store{
		"script":   limits.NewRedis(rdb, 0),
		"stepwise": stepwiseOnly{limits.NewRedis(rdb, 0)},
	} {
		t.Run(name, func(t *testing.T) {
			e := limits.NewEnforcer(p, s, func() time.Time { return day })
			_, err := e.Admit(context.Background(), limits.Caller{ClientID: "c1"})
			assert.ErrorIs(t, err, limits.ErrStore)
		})
	}
}

// stepwiseOnly hides a Store's Admit method: the Enforcer then calls Used
// and Allow in turn.
type stepwiseOnly struct{ limits.Store }
