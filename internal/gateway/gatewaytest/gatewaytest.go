// Package gatewaytest runs a gateway in a test until the test stops it.
package gatewaytest

import (
	"context"
	"testing"
	"time"
)

// Start runs serve, which serves until its context is done and sends its
// address to ready once it listens. It returns that address and a stop
// that ends serve and fails the test unless serve returns cleanly within
// 10 s; a serve that returns before it listens fails the test at once.
func Start(tb testing.TB, serve func(ctx context.Context, ready chan<- string) error) (addr string, stop func()) {
	tb.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	ready, done := make(chan string, 1), make(chan error, 1)
	go func() { done <- serve(ctx, ready) }()
	select {
	case addr = <-ready:
	case err := <-done:
		cancel()
		tb.Fatalf("the gateway did not start: %v", err)
	}
	return addr, func() {
		tb.Helper()
		cancel()
		select {
		case err := <-done:
			if err != nil {
				tb.Errorf("the gateway's shutdown: %v", err)
			}
		case <-time.After(10 * time.Second):
			tb.Error("the gateway did not shut down")
		}
	}
}
