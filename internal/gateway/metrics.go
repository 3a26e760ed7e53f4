package gateway

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/pprof"

	"github.com/model-api-auth0/model-api-auth0/internal/gateway/proxy"
)

// setUpMetrics makes the metrics the proxy records, with a listener to
// serve them on.
func (p *parts) setUpMetrics(o Metrics) error {
	if o.Pprof && o.Listen == "" {
		return errors.New("-pprof: the profiles are served on the metrics listener; set -metrics-listen (such as 127.0.0.1:9090) too")
	}
	if o.Listen != "" {
		p.metrics = proxy.NewMetrics()
	}
	return nil
}

// serveMetrics serves the metrics, and with Pprof Go's profiles, on their
// own listener; nil without metrics.
func (p *parts) serveMetrics(o Metrics, server proxy.ServerConfig, logger *slog.Logger) (*http.Server, error) {
	if p.metrics == nil {
		return nil, nil
	}
	// The same timeouts, connection cap and panic recovery as the main
	// listener: a scraper's port is no reason to let a client hold it.
	ln, err := proxy.Listen(o.Listen, server)
	if err != nil {
		return nil, fmt.Errorf("-metrics-listen %s: %w", o.Listen, err)
	}
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", p.metrics.Handler())
	if o.Pprof {
		// Never on the public listener: a goroutine dump shows what every
		// request is doing.
		mux.HandleFunc("GET /debug/pprof/", pprof.Index)
		mux.HandleFunc("GET /debug/pprof/cmdline", pprof.Cmdline)
		mux.HandleFunc("GET /debug/pprof/profile", pprof.Profile)
		mux.HandleFunc("GET /debug/pprof/symbol", pprof.Symbol)
		mux.HandleFunc("GET /debug/pprof/trace", pprof.Trace)
	}
	srv := proxy.NewServer(mux, server)
	go srv.Serve(ln)
	logger.Info("metrics listening", "addr", ln.Addr().String(), "path", "/metrics", "pprof", o.Pprof)
	return srv, nil
}
