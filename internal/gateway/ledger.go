package gateway

import (
	"context"
	"fmt"
	"log/slog"
	"strings"

	"github.com/model-api-auth0/model-api-auth0/internal/gateway/ledger"
	"github.com/model-api-auth0/model-api-auth0/internal/gateway/proxy"
)

// checkLedger checks the form of -ledger without opening anything
// (Validate starts nothing): sqlite:PATH or a PostgreSQL URL; and
// -ledger-buffer.
func checkLedger(dsn string, buffer int) error {
	if buffer < 0 {
		return fmt.Errorf("-ledger-buffer %d: want the rows held while the database is down, such as %d (five minutes at 1,000 calls a second; 0: that default)", buffer, ledger.DefaultBuffer)
	}
	switch {
	case dsn == "",
		strings.HasPrefix(dsn, "sqlite:") && len(dsn) > len("sqlite:"),
		strings.HasPrefix(dsn, "postgres://"), strings.HasPrefix(dsn, "postgresql://"):
		return nil
	}
	return fmt.Errorf("-ledger %s: want sqlite:PATH (one gateway, such as sqlite:/var/lib/gateway/ledger.db) or postgres://USER@HOST:5432/DB (shared by every replica)", ledger.Redact(dsn))
}

// startLedger opens the usage ledger, if -ledger names one, and counts it
// with the gateway's metrics. The DSN is logged without its password.
func startLedger(ctx context.Context, dsn string, buffer int, metrics *proxy.Metrics, logger *slog.Logger) (*ledger.Ledger, error) {
	if dsn == "" {
		return nil, nil
	}
	l, err := ledger.Start(ctx, dsn, ledger.Options{Logger: logger, Buffer: buffer})
	if err != nil {
		return nil, fmt.Errorf("-ledger: %w", err)
	}
	if metrics != nil {
		if err := metrics.Registry().Register(l); err != nil {
			_ = l.Close(ctx)
			return nil, fmt.Errorf("-ledger: its metrics: %w", err)
		}
	}
	logger.Info("usage ledger recording", "db", ledger.Redact(dsn))
	return l, nil
}

// closeLedger writes the rows still held and closes the database; the
// server has drained its requests, so no call is left to record.
func (g *Gateway) closeLedger() {
	if g.ledger == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
	defer cancel()
	if err := g.ledger.Close(ctx); err != nil {
		g.logger.Error("usage ledger: closing it failed; rows still held are lost", "error", err.Error())
	}
	g.ledger = nil
}

// withLedger adds the ledger and its reports to the proxy's configuration: an interface
// must not hold a nil *Ledger.
func withLedger(cfg proxy.Config, l *ledger.Ledger) proxy.Config {
	if l != nil {
		cfg.Ledger, cfg.Usage = l, l.DB
	}
	return cfg
}
