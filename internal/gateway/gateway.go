package gateway

import (
	"context"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/model-api-auth0/model-api-auth0/guard"
	"github.com/model-api-auth0/model-api-auth0/internal/gateway/ledger"
	"github.com/model-api-auth0/model-api-auth0/internal/gateway/proxy"
)

// How long a graceful shutdown waits: for the requests in flight, then for
// the metrics listener and Redis.
const (
	shutdownGrace = 30 * time.Second
	releaseGrace  = 5 * time.Second
)

// Gateway is a gateway whose listeners are open: Serve serves it.
type Gateway struct {
	logger     *slog.Logger
	parts      *parts
	ln         net.Listener
	srv        *http.Server
	metricsSrv *http.Server   // nil without metrics
	ledger     *ledger.Ledger // nil without -ledger
	stopGC     func()
	flushLog   func()
}

// New checks the options, reporting every problem at once, and builds and
// opens the gateway: the token check, the login, limits, the metrics
// listener and the main listener. ctx bounds the token check's background
// work (the JWKS refresh).
func New(ctx context.Context, o Options) (_ *Gateway, err error) {
	logger, flushLog := o.Log.logger()
	p, err := o.assemble(logger)
	if err != nil {
		flushLog()
		return nil, err
	}
	g := &Gateway{logger: logger, parts: p, flushLog: flushLog, stopGC: o.GC.apply()}
	defer func() {
		if err != nil {
			g.release()
		}
	}()
	if p.redis != nil {
		redis.SetLogger(redisLog{logger})
	}
	v, err := guard.New(ctx, p.guard)
	if err != nil {
		return nil, err
	}
	web, err := startLogin(p.login, v, logger)
	if err != nil {
		return nil, err
	}
	if g.ledger, err = startLedger(ctx, o.Ledger, o.LedgerBuffer, p.metrics, logger); err != nil {
		return nil, err
	}
	handler, err := proxy.New(v, withLedger(p.proxyConfig(logger, web), g.ledger))
	if err != nil {
		return nil, err
	}
	p.checkLimits(ctx, logger)
	server := o.Server
	server.Logger = logger
	if g.metricsSrv, err = p.serveMetrics(o.Metrics, server, logger); err != nil {
		return nil, err
	}
	if g.ln, err = proxy.Listen(o.Listen, server); err != nil {
		return nil, err
	}
	g.srv = proxy.NewServer(handler, server)
	logger.Info("gateway listening", "addr", g.Addr(), "upstream", o.Upstream, "audience", o.Tenant.Audience, "routes", len(p.routes), "models", len(p.models))
	return g, nil
}

// Addr is the address the gateway listens on.
func (g *Gateway) Addr() string { return g.ln.Addr().String() }

// Serve serves until ctx is done, then shuts down gracefully: the requests
// in flight end, their ledger rows are written, the tokens counted in the last lease period reach Redis,
// and every access log line is written.
func (g *Gateway) Serve(ctx context.Context) error {
	defer g.release()
	errc := make(chan error, 1)
	go func() { errc <- g.srv.Serve(g.ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	g.logger.Info("shutting down: waiting for requests in flight")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
	defer cancel()
	return g.srv.Shutdown(shutdownCtx)
}

// release stops what New started besides the main listener, the log last,
// so that it has every line.
func (g *Gateway) release() {
	ctx, cancel := context.WithTimeout(context.Background(), releaseGrace)
	defer cancel()
	g.closeLedger() // after the main server's Shutdown: every call is recorded
	if g.metricsSrv != nil {
		_ = g.metricsSrv.Shutdown(ctx)
	}
	_ = g.parts.close()
	g.stopGC()
	g.flushLog()
}

// Run starts the gateway and serves until ctx is done; ready, if not nil,
// receives its address once it listens.
func Run(ctx context.Context, o Options, ready chan<- string) error {
	g, err := New(ctx, o)
	if err != nil {
		return err
	}
	if ready != nil {
		ready <- g.Addr()
	}
	return g.Serve(ctx)
}
