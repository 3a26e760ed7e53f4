// Package proxytest starts the gateway in tests, trusting a local test
// issuer, so that each test states only what it is about.
package proxytest

import (
	"context"
	"io"
	"log/slog"
	"net/http/httptest"
	"net/url"
	"testing"

	"github.com/model-api-auth0/model-api-auth0/guard"
	"github.com/model-api-auth0/model-api-auth0/internal/gateway/proxy"
	"github.com/model-api-auth0/model-api-auth0/internal/testing/testissuer"
)

// Quiet is a logger that discards everything.
var Quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// Validator trusts iss and stops with the test.
func Validator(t testing.TB, iss *testissuer.Issuer) *guard.Validator {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	v, err := guard.New(ctx, guard.Config{Issuer: iss.Issuer, Audience: iss.Audience, JWKSURL: iss.JWKSURL(), Logger: Quiet})
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// Start serves the gateway with the default routes in front of upstream.
func Start(t testing.TB, iss *testissuer.Issuer, upstream string) *httptest.Server {
	t.Helper()
	u, err := url.Parse(upstream)
	if err != nil {
		t.Fatal(err)
	}
	h, err := proxy.New(Validator(t, iss), proxy.Config{Upstream: u, Routes: proxy.DefaultRoutes(), Logger: Quiet})
	if err != nil {
		t.Fatal(err)
	}
	gw := httptest.NewUnstartedServer(nil)
	gw.Config = proxy.NewServer(h, proxy.ServerConfig{Logger: Quiet})
	gw.Start()
	t.Cleanup(gw.Close)
	return gw
}
