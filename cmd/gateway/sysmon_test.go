package main

import (
	"cmp"
	"net/http"
	"net/http/httptest"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/model-api-auth0/model-api-auth0/internal/testing/testissuer"
)

func TestWithAwakeSysmon(t *testing.T) {
	for _, tc := range []struct {
		name    string
		environ []string
		want    []string // nil: left as it is
	}{
		{"no GODEBUG", []string{"HOME=/root"}, []string{"HOME=/root", "GODEBUG=schedtrace=2147483647"}},
		{"empty GODEBUG", []string{"GODEBUG=", "HOME=/root"}, []string{"HOME=/root", "GODEBUG=schedtrace=2147483647"}},
		{"other settings kept", []string{"GODEBUG=gctrace=1,madvdontneed=1"}, []string{"GODEBUG=gctrace=1,madvdontneed=1,schedtrace=2147483647"}},
		{"operator's choice", []string{"GODEBUG=gctrace=1, schedtrace=0"}, nil},
		{"operator's own period", []string{"GODEBUG=schedtrace=1000"}, nil},
		{"the last GODEBUG counts", []string{"GODEBUG=schedtrace=0", "GODEBUG=gctrace=1"}, []string{"GODEBUG=gctrace=1,schedtrace=2147483647"}},
		{"a look-alike is not the setting", []string{"GODEBUG=noschedtrace=1"}, []string{"GODEBUG=noschedtrace=1,schedtrace=2147483647"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, withAwakeSysmon(tc.environ))
		})
	}
}

// The gateway binary runs with the monitor kept awake, in the process it
// was started as, and leaves an operator's schedtrace alone.
func TestGatewayProcessKeepsTheRuntimeMonitorAwake(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("the restart is Linux only (sysmon_linux.go)")
	}
	iss := testissuer.New(t)
	upstream := httptest.NewServer(http.NotFoundHandler())
	defer upstream.Close()
	bin := buildGateway(t)
	env := []string{"AUTH0_ISSUER=" + iss.Issuer, "AUTH0_AUDIENCE=" + iss.Audience, "AUTH0_JWKS_URL=" + iss.JWKSURL(),
		"UPSTREAM_URL=" + upstream.URL}
	for _, tc := range []struct{ given, want string }{
		{"", "GODEBUG=schedtrace=2147483647"},
		{"GODEBUG=gctrace=0", "GODEBUG=gctrace=0,schedtrace=2147483647"},
		{"GODEBUG=schedtrace=0", "GODEBUG=schedtrace=0"},
	} {
		t.Run(cmp.Or(tc.given, "no GODEBUG"), func(t *testing.T) {
			procEnv := slices.Clone(env)
			if tc.given != "" {
				procEnv = append(procEnv, tc.given)
			}
			addr, pid := startProcess(t, bin, procEnv...)
			resp, err := http.Get("http://" + addr + "/healthz")
			require.NoError(t, err)
			resp.Body.Close()
			require.Equal(t, http.StatusOK, resp.StatusCode)
			b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/environ")
			require.NoError(t, err)
			var godebug []string
			for kv := range strings.SplitSeq(string(b), "\x00") {
				if strings.HasPrefix(kv, "GODEBUG=") {
					godebug = append(godebug, kv)
				}
			}
			assert.Equal(t, []string{tc.want}, godebug, "the serving process's GODEBUG")
		})
	}
}
