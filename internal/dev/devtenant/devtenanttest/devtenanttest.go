// Package devtenanttest starts a dev tenant in tests, from the repository's
// dev stack or any configuration, and a guard.Validator that trusts it.
package devtenanttest

import (
	"context"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"testing"

	"github.com/model-api-auth0/model-api-auth0/guard"
	"github.com/model-api-auth0/model-api-auth0/internal/dev/devtenant"
	"github.com/model-api-auth0/model-api-auth0/internal/tenant/stackconfig"
	"github.com/model-api-auth0/model-api-auth0/internal/testing/testissuer"
)

// Password is the test users' password in tenants started here.
const Password = "Dev-Tenant-Passw0rd"

// RepoRoot is the directory holding go.mod, found from the test's directory.
func RepoRoot(tb testing.TB) string {
	tb.Helper()
	dir, err := os.Getwd()
	if err != nil {
		tb.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			tb.Fatal("devtenanttest: no go.mod above the test's directory")
		}
		dir = parent
	}
}

// Stack loads the repository's Pulumi.<stack>.yaml with Password.
func Stack(tb testing.TB, stack string) *stackconfig.Config {
	tb.Helper()
	root := RepoRoot(tb)
	cfg, _, err := devtenant.LoadStack(filepath.Join(root, "Pulumi.yaml"), filepath.Join(root, "Pulumi."+stack+".yaml"), Password)
	if err != nil {
		tb.Fatal(err)
	}
	return cfg
}

// Start serves a tenant for cfg on a loopback port until the test ends.
// Unless opts says otherwise, it signs with a key shared by tests (making
// one takes a while) and logs nothing.
func Start(tb testing.TB, cfg *stackconfig.Config, opts devtenant.Options) *devtenant.Tenant {
	tb.Helper()
	if opts.Key == nil {
		opts.Key = testissuer.NewKey(0)
	}
	t, err := devtenant.New(cfg, opts)
	if err != nil {
		tb.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	if err := t.Start(ln); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { t.Close() })
	return t
}

// Dev serves the repository's dev stack.
func Dev(tb testing.TB) *devtenant.Tenant {
	tb.Helper()
	return Start(tb, Stack(tb, "dev"), devtenant.Options{})
}

// Validator is the real token validator, trusting t, stopped with the test.
func Validator(tb testing.TB, t *devtenant.Tenant) *guard.Validator {
	tb.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	tb.Cleanup(cancel)
	v, err := guard.New(ctx, guard.Config{Issuer: t.Issuer(), Audience: t.Audience(), JWKSURL: t.JWKSURL(),
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		tb.Fatal(err)
	}
	return v
}
