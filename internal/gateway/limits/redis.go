package limits

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/go-redis/redis_rate/v10"
	"github.com/redis/go-redis/v9"
)

// RedisPrefix starts every key the limits keep in Redis.
const RedisPrefix = "model-api-gateway:limits:"

// DefaultRedisTimeout bounds each call to Redis on the request path: a
// Redis that hangs costs a request this much, then the fail mode decides.
const DefaultRedisTimeout = 250 * time.Millisecond

// budgetTTL keeps a day's token count a day longer than the day, for
// requests that straddle midnight, then Redis drops it; monthTTL a month's.
const (
	budgetTTL = 48 * time.Hour
	monthTTL  = 33 * 24 * time.Hour
)

// Redis is a Store shared by every gateway process using the same Redis:
// rates with GCRA (github.com/go-redis/redis_rate), budgets with INCRBY and
// EXPIRE. It is an Admitter: a request's budgets and rates are checked in one
// script call (redis_admit.go), one round trip.
type Redis struct {
	rdb     redis.UniversalClient
	rates   *redis_rate.Limiter
	timeout time.Duration
}

// NewRedis returns a Store in rdb, a single Redis server (the admission
// script touches several callers' keys, which a Redis Cluster would need on
// one node); timeout bounds each call (0: DefaultRedisTimeout). go-redis only honours that bound while reading a
// reply when rdb's options have ContextTimeoutEnabled: without it, a Redis
// that accepts connections and never answers holds a request for the
// client's ReadTimeout and retries instead.
func NewRedis(rdb redis.UniversalClient, timeout time.Duration) *Redis {
	if timeout <= 0 {
		timeout = DefaultRedisTimeout
	}
	return &Redis{rdb: rdb, rates: redis_rate.NewLimiter(rdb), timeout: timeout}
}

// Allow implements Store.
func (s *Redis) Allow(ctx context.Context, key string, r Rate) (Result, error) {
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	res, err := s.rates.Allow(ctx, RedisPrefix+key, redis_rate.Limit{Rate: r.Requests, Burst: r.Burst, Period: r.Per})
	if err != nil {
		return Result{}, storeError(err)
	}
	return rateResult(res.Allowed > 0, int64(res.Remaining), res.RetryAfter, res.ResetAfter), nil
}

func budgetKey(day, key string) string { return RedisPrefix + "tokens:" + day + ":" + key }

// Used implements Store with one round trip.
func (s *Redis) Used(ctx context.Context, day string, keys ...string) ([]int64, error) {
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	// GETs in a pipeline rather than MGET: keys may live on different
	// nodes of a cluster.
	cmds := make([]*redis.StringCmd, len(keys))
	_, err := s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		for i, k := range keys {
			cmds[i] = p.Get(ctx, budgetKey(day, k))
		}
		return nil
	})
	if err != nil && !errors.Is(err, redis.Nil) {
		return nil, storeError(err)
	}
	used := make([]int64, len(keys))
	for i, c := range cmds {
		n, err := c.Int64()
		switch {
		case errors.Is(err, redis.Nil):
		case err != nil:
			return nil, storeError(err)
		default:
			used[i] = n
		}
	}
	return used, nil
}

// Add implements Store with one round trip.
func (s *Redis) Add(ctx context.Context, day string, n int64, keys ...string) error {
	return s.addPeriods(ctx, n, periodKeys{day, keys})
}

// periodKeys are keys counted in one period.
type periodKeys struct {
	period string
	keys   []string
}

// addPeriods counts n for the keys of each period, in one round trip: a
// day's and a month's budgets cost a response no more than a day's alone.
func (s *Redis) addPeriods(ctx context.Context, n int64, groups ...periodKeys) error {
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	_, err := s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		for _, g := range groups {
			ttl := periodTTL(g.period)
			for _, key := range g.keys {
				k := budgetKey(g.period, key)
				p.IncrBy(ctx, k, n)
				p.Expire(ctx, k, ttl) // after INCRBY: a key INCRBY makes gets its expiry
			}
		}
		return nil
	})
	if err != nil {
		return storeError(err)
	}
	return nil
}

// count implements counter: every increment, with its expiry, in one
// round trip; INCRBY's answer is the count after it.
func (s *Redis) count(ctx context.Context, incs []increment, counted func(increment, int64)) error {
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	cmds := make([]*redis.IntCmd, len(incs))
	_, err := s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		for i, inc := range incs {
			k := budgetKey(inc.period, inc.key)
			cmds[i] = p.IncrBy(ctx, k, inc.n)
			p.Expire(ctx, k, periodTTL(inc.period)) // after INCRBY: a key INCRBY makes gets its expiry
		}
		return nil
	})
	for i, c := range cmds {
		if c.Err() == nil {
			counted(incs[i], c.Val())
		}
	}
	if err != nil {
		return storeError(err)
	}
	return nil
}

// periodTTL is how long Redis keeps a count of the period: a day's or a
// month's.
func periodTTL(period string) time.Duration {
	if len(period) == len(monthLayout) {
		return monthTTL
	}
	return budgetTTL
}

func storeError(err error) error { return fmt.Errorf("%w: redis: %v", ErrStore, err) }
