package gateway

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/model-api-auth0/model-api-auth0/internal/gateway/limits"
	"github.com/model-api-auth0/model-api-auth0/internal/gateway/proxy"
	"github.com/model-api-auth0/model-api-auth0/internal/gateway/redisurl"
)

// setUpLimits makes the Redis client, if any, and the enforcer of the
// routes file's limits (nil: none), in memory or in Redis.
func (p *parts) setUpLimits(o Limits, policies *limits.Policies, logger *slog.Logger) []error {
	var problems []error
	p.failMode = o.FailMode
	if o.FailMode == "" {
		p.failMode = proxy.FailClosed
	} else if o.FailMode != proxy.FailOpen && o.FailMode != proxy.FailClosed {
		problems = append(problems, fmt.Errorf("-limits-fail-mode / LIMITS_FAIL_MODE %q: want %q (requests pass, unlimited, when Redis fails) or %q (they get 503)",
			o.FailMode, proxy.FailOpen, proxy.FailClosed))
	}
	if o.Lease < 0 {
		problems = append(problems, fmt.Errorf("-limits-lease / LIMITS_LEASE %q: want a duration such as %s, or 0 (no leases)", o.Lease, limits.DefaultLease))
	}
	if o.RedisURL != "" {
		rdb, err := redisurl.Client(o.RedisURL)
		if err != nil {
			problems = append(problems, err)
		}
		p.redis = rdb
	}
	switch {
	case policies == nil:
	case p.redis != nil && o.Lease > 0:
		p.leases = limits.NewLeases(limits.NewRedis(p.redis, 0), o.Lease, nil)
		p.limits = limits.NewEnforcer(policies, p.leases, nil)
	case p.redis != nil:
		p.limits = limits.NewEnforcer(policies, limits.NewRedis(p.redis, 0), nil)
	default:
		p.limits = limits.NewEnforcer(policies, limits.NewMemory(nil), nil)
		logger.Info("limits are kept in memory: each gateway process counts on its own; set -redis or REDIS_URL to share them")
	}
	return problems
}

// checkLimits says how limits are enforced, and whether Redis answers: when
// it does not, the fail mode applies until it does, which is no reason not
// to start.
func (p *parts) checkLimits(ctx context.Context, logger *slog.Logger) {
	if p.redis != nil {
		pingCtx, cancel := context.WithTimeout(ctx, 2*time.Second)
		if err := p.redis.Ping(pingCtx).Err(); err != nil {
			logger.Warn("Redis does not answer; limits follow -limits-fail-mode until it does", "redis", p.redis.Options().Addr, "error", err, "fail_mode", p.failMode)
		}
		cancel()
	}
	if p.limits != nil {
		logger.Info("limits enforced", "store", map[bool]string{true: "redis", false: "memory"}[p.redis != nil], "fail_mode", p.failMode)
	}
}

// close sends Redis the tokens counted in the last lease period, and closes
// the client.
func (p *parts) close() error {
	if p.redis == nil {
		return nil
	}
	var err error
	if p.leases != nil {
		err = p.leases.Flush(context.Background())
	}
	return errors.Join(err, p.redis.Close())
}

// redisLog sends go-redis's own messages (a failed dial, for each one) to
// the JSON log at debug level: the limits log a failing Redis themselves.
type redisLog struct{ logger *slog.Logger }

func (l redisLog) Printf(ctx context.Context, format string, v ...any) {
	l.logger.DebugContext(ctx, "redis: "+fmt.Sprintf(format, v...))
}
