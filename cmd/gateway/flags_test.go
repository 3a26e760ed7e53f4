package main

import (
	"context"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/model-api-auth0/model-api-auth0/internal/gateway"
)

// The lease period comes from the flag, else LIMITS_LEASE, else 10 ms; a
// value that is not a duration names where it came from.
func TestLimitsLeaseSetting(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
		env  map[string]string
		want time.Duration
	}{
		{"default", nil, minimalEnv(), 10 * time.Millisecond},
		{"env", nil, minimalEnv("LIMITS_LEASE", "50ms"), 50 * time.Millisecond},
		{"flag wins", []string{"-limits-lease", "0"}, minimalEnv("LIMITS_LEASE", "50ms"), 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o, err := parse(tc.args, env(tc.env), io.Discard)
			require.NoError(t, err)
			assert.Equal(t, tc.want, o.Limits.Lease)
			assert.NoError(t, o.Validate())
		})
	}
	err := run(t.Context(), nil, env(minimalEnv("LIMITS_LEASE", "soon")), io.Discard, nil)
	assert.ErrorContains(t, err, `-limits-lease / LIMITS_LEASE "soon": want a duration such as 10ms, or 0 (no leases)`)
}

// The ledger's buffer, which bounds the database outage that loses no row,
// comes from the flag, else LEDGER_BUFFER, else the ledger's default (0).
func TestLedgerBufferSetting(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
		env  map[string]string
		want int
	}{
		{"default", nil, minimalEnv(), 0},
		{"env", nil, minimalEnv("LEDGER_BUFFER", "1000000"), 1_000_000},
		{"flag wins", []string{"-ledger-buffer", "5000"}, minimalEnv("LEDGER_BUFFER", "1000000"), 5000},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o, err := parse(tc.args, env(tc.env), io.Discard)
			require.NoError(t, err)
			assert.Equal(t, tc.want, o.LedgerBuffer)
			assert.NoError(t, o.Validate())
		})
	}
	err := run(t.Context(), nil, env(minimalEnv("LEDGER_BUFFER", "lots")), io.Discard, nil)
	assert.ErrorContains(t, err, `-ledger-buffer / LEDGER_BUFFER "lots": want a number of rows`)
	o, err := parse([]string{"-ledger-buffer", "-5"}, env(minimalEnv()), io.Discard)
	require.NoError(t, err)
	assert.ErrorContains(t, o.Validate(), "-ledger-buffer -5: want the rows held while the database is down")
}

func TestGCFlags(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
		env  map[string]string
		want gateway.GC
	}{
		{"defaults", nil, minimalEnv(), gateway.GC{Percent: 100, Headroom: 32 << 20}},
		{"GOGC", nil, minimalEnv("GOGC", "400"), gateway.GC{Percent: 400, Headroom: 32 << 20}},
		{"GOGC off", nil, minimalEnv("GOGC", "off"), gateway.GC{Percent: -1, Headroom: 32 << 20}},
		{"flags win", []string{"-gc-percent", "200", "-gc-headroom", "0", "-memory-limit", "1GiB"}, minimalEnv("GOGC", "400"),
			gateway.GC{Percent: 200, MemoryLimit: 1 << 30}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o, err := parse(tc.args, env(tc.env), io.Discard)
			require.NoError(t, err)
			assert.Equal(t, tc.want, o.GC)
		})
	}
	err := run(t.Context(), []string{"-gc-percent", "-5"}, env(minimalEnv()), io.Discard, nil)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "-gc-percent -5: want a percentage such as 100, or -1 (off)")
	_, err = parse([]string{"-gc-headroom", "lots"}, env(minimalEnv()), io.Discard)
	require.Error(t, err)
	assert.Contains(t, err.Error(), `invalid value "lots" for flag -gc-headroom`)
}

func TestAccessLogFlags(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"-access-log-flush", "0s"}, "-access-log-flush 0s: want a positive duration such as 1s (or -access-log-buffer 0 to write each line at once)"},
		{[]string{"-access-log-buffer", "-1"}, `invalid value "-1" for flag -access-log-buffer: "-1": want a positive size such as 4MiB, 512KiB or 1048576 (bytes), or 0`},
		{[]string{"-access-log-buffer", "lots"}, `invalid value "lots" for flag -access-log-buffer`},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			err := run(context.Background(), tc.args, env(minimalEnv()), io.Discard, nil)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
		})
	}
	o, err := parse([]string{"-access-log-buffer", "64KiB", "-access-log-flush", "250ms"}, env(minimalEnv()), io.Discard)
	require.NoError(t, err)
	assert.Equal(t, gateway.Log{Output: io.Discard, BufferSize: 64 << 10, FlushPeriod: 250 * time.Millisecond}, o.Log)
	o, err = parse(nil, env(minimalEnv()), io.Discard)
	require.NoError(t, err)
	assert.Equal(t, gateway.Log{Output: io.Discard, BufferSize: 32 << 10, FlushPeriod: time.Second}, o.Log, "nginx's buffer=32k flush=1s by default")
}

// -trusted-proxies, else TRUSTED_PROXIES, reaches the login's options.
func TestTrustedProxiesSetting(t *testing.T) {
	vars := map[string]string{"AUTH0_DOMAIN": "t.us.auth0.com", "AUTH0_AUDIENCE": "https://a/", "AUTH0_CLIENT_SECRET": "s", "TRUSTED_PROXIES": "192.0.2.7"}
	for name, args := range map[string][]string{
		"environment": {"-client-id", "abc", "-public-url", "https://models.example.com"},
		"flag wins":   {"-client-id", "abc", "-public-url", "https://models.example.com", "-trusted-proxies", "10.0.0.0/8, 2001:db8::/32"},
	} {
		t.Run(name, func(t *testing.T) {
			o, err := parse(args, env(vars), io.Discard)
			require.NoError(t, err)
			want := map[string]string{"environment": "192.0.2.7", "flag wins": "10.0.0.0/8, 2001:db8::/32"}[name]
			assert.Equal(t, want, o.Login.TrustedProxies)
			assert.Equal(t, "s", o.Login.ClientSecret, "the secret from AUTH0_CLIENT_SECRET")
		})
	}
}

// -dev is the dev tool's now: the gateway says where it went, even when a
// -dev- flag after it stops the parse first.
func TestDevMoved(t *testing.T) {
	for _, args := range [][]string{{"-dev"}, {"-dev", "-dev-project", "../.."}} {
		err := run(context.Background(), args, env(minimalEnv()), io.Discard, nil)
		require.Error(t, err)
		assert.Contains(t, err.Error(), "-dev moved: run `go run ./cmd/devtenant -gateway`", strings.Join(args, " "))
	}
}
