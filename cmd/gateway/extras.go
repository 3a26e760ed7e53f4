package main

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/pprof"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/model-api-auth0/model-api-auth0/guard"
	"github.com/model-api-auth0/model-api-auth0/internal/gateway/limits"
	"github.com/model-api-auth0/model-api-auth0/internal/gateway/proxy"
	"github.com/model-api-auth0/model-api-auth0/internal/gateway/redisurl"
)

// extras are the gateway's optional parts: limits (in memory, or in Redis
// shared by every gateway process), metrics on their own listener, and
// discovery for agents.
type extras struct {
	redis     *redis.Client // nil without -redis; sessions use it too
	limits    *limits.Enforcer
	leases    *limits.Leases // nil without -redis or with -limits-lease 0
	failMode  string
	metrics   *proxy.Metrics
	discovery *proxy.Discovery
}

// defaultLimitsLease is -limits-lease's default.
const defaultLimitsLease = limits.DefaultLease

// setUpExtras reads the settings of the optional parts, with the routes
// file's limits (nil: none). Every problem is returned, for the caller to
// report with the others.
func setUpExtras(s *settings, policies *limits.Policies, logger *slog.Logger) (*extras, []error) {
	x := &extras{failMode: s.limitsFailMode}
	var problems []error
	if s.limitsFailMode != proxy.FailOpen && s.limitsFailMode != proxy.FailClosed {
		problems = append(problems, fmt.Errorf("-limits-fail-mode / LIMITS_FAIL_MODE %q: want %q (requests pass, unlimited, when Redis fails) or %q (they get 503)",
			s.limitsFailMode, proxy.FailOpen, proxy.FailClosed))
	}
	lease, err := time.ParseDuration(s.limitsLease)
	if err != nil || lease < 0 {
		problems = append(problems, fmt.Errorf("-limits-lease / LIMITS_LEASE %q: want a duration such as %s, or 0 (no leases)", s.limitsLease, defaultLimitsLease))
	}
	if s.redisURL != "" {
		// go-redis's own messages (a failed dial, for each one) go to the
		// JSON log at debug level: the limits log a failing Redis themselves.
		redis.SetLogger(redisLog{logger})
		rdb, err := redisurl.Client(s.redisURL) // internal/gateway/redisurl: shared with the sessions
		if err != nil {
			problems = append(problems, err)
		}
		x.redis = rdb
	}
	if policies != nil {
		switch {
		case x.redis != nil && lease > 0:
			x.leases = limits.NewLeases(limits.NewRedis(x.redis, 0), lease, nil)
			x.limits = limits.NewEnforcer(policies, x.leases, nil)
		case x.redis != nil:
			x.limits = limits.NewEnforcer(policies, limits.NewRedis(x.redis, 0), nil)
		default:
			x.limits = limits.NewEnforcer(policies, limits.NewMemory(nil), nil)
			logger.Info("limits are kept in memory: each gateway process counts on its own; set -redis or REDIS_URL to share them")
		}
	}
	if s.metricsListen != "" {
		x.metrics = proxy.NewMetrics()
	}
	if s.pprof && s.metricsListen == "" {
		problems = append(problems, errors.New("-pprof: the profiles are served on the metrics listener; set -metrics-listen (such as 127.0.0.1:9090) too"))
	}
	if s.publicURL != "" {
		u, err := proxy.ParsePublicURL(s.publicURL)
		if err != nil {
			problems = append(problems, fmt.Errorf("-public-url / PUBLIC_URL: %w", err))
		} else {
			issuer := cmp.Or(s.issuer, "https://"+s.domain+"/")
			x.discovery = &proxy.Discovery{PublicURL: u, Audience: s.audience, Issuer: issuer}
			if !x.discovery.SameOrigin() {
				logger.Warn("the API identifier (audience) is not a URL on the public URL: MCP clients refuse metadata whose resource is not the URL they call (RFC 9728 section 3.3); for agents, make the API identifier the public URL",
					"audience", s.audience, "public_url", u.String())
			}
		}
	}
	return x, problems
}

func (x *extras) close() error {
	if x.redis != nil {
		var err error
		if x.leases != nil { // the tokens counted in the last lease period
			err = x.leases.Flush(context.Background())
		}
		return errors.Join(err, x.redis.Close())
	}
	return nil
}

type redisLog struct{ logger *slog.Logger }

func (l redisLog) Printf(ctx context.Context, format string, v ...any) {
	l.logger.DebugContext(ctx, "redis: "+fmt.Sprintf(format, v...))
}

// configure adds the extras to the validator's and the gateway's settings.
func (x *extras) configure(g *guard.Config, gw *proxy.Config) {
	g.Observer = proxy.GuardObserver(x.metrics)
	if x.discovery != nil {
		g.ResourceMetadataURL = x.discovery.MetadataURL()
	}
	gw.Limits, gw.LimitsFailMode, gw.Metrics, gw.Discovery = x.limits, x.failMode, x.metrics, x.discovery
}

// start checks Redis (a failure is logged: the fail mode then applies) and
// serves the metrics on their own listener until ctx is done. It returns
// what to stop at shutdown.
func (x *extras) start(ctx context.Context, s *settings, logger *slog.Logger) (func(context.Context) error, error) {
	if x.redis != nil {
		pingCtx, cancel := context.WithTimeout(ctx, 2*time.Second)
		if err := x.redis.Ping(pingCtx).Err(); err != nil {
			logger.Warn("Redis does not answer; limits follow -limits-fail-mode until it does", "redis", x.redis.Options().Addr, "error", err, "fail_mode", x.failMode)
		}
		cancel()
	}
	if x.limits != nil {
		logger.Info("limits enforced", "store", map[bool]string{true: "redis", false: "memory"}[x.redis != nil], "fail_mode", x.failMode)
	}
	closeRedis := func(context.Context) error { return x.close() }
	if x.metrics == nil {
		return closeRedis, nil
	}
	// The same timeouts, connection cap and panic recovery as the main
	// listener: a scraper's port is no reason to let a client hold it.
	ln, err := proxy.Listen(s.metricsListen, s.server)
	if err != nil {
		return closeRedis, fmt.Errorf("-metrics-listen %s: %w", s.metricsListen, err)
	}
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", x.metrics.Handler())
	if s.pprof {
		// Never on the public listener: a goroutine dump shows what every
		// request is doing.
		mux.HandleFunc("GET /debug/pprof/", pprof.Index)
		mux.HandleFunc("GET /debug/pprof/cmdline", pprof.Cmdline)
		mux.HandleFunc("GET /debug/pprof/profile", pprof.Profile)
		mux.HandleFunc("GET /debug/pprof/symbol", pprof.Symbol)
		mux.HandleFunc("GET /debug/pprof/trace", pprof.Trace)
	}
	srv := proxy.NewServer(mux, s.server)
	go srv.Serve(ln)
	logger.Info("metrics listening", "addr", ln.Addr().String(), "path", "/metrics", "pprof", s.pprof)
	return func(ctx context.Context) error { return errors.Join(srv.Shutdown(ctx), x.close()) }, nil
}
