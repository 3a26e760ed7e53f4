package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/model-api-auth0/model-api-auth0/internal/testing/syncbuf"
	"github.com/model-api-auth0/model-api-auth0/internal/testing/testissuer"
)

// The access log is buffered (by default, and here for an hour) yet a
// graceful exit writes every line out, even of a request that ends during
// the shutdown; -access-log-buffer 0 writes each line at once.
func TestAccessLogBuffer(t *testing.T) {
	iss := testissuer.New(t)
	arrived, release := make(chan struct{}, 1), make(chan struct{})
	upstream := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/v1/models/slow" {
			arrived <- struct{}{}
			<-release
		}
		io.WriteString(w, `{"data":[]}`)
	}))
	defer upstream.Close()
	vars := map[string]string{"AUTH0_ISSUER": iss.Issuer, "AUTH0_AUDIENCE": iss.Audience, "AUTH0_JWKS_URL": iss.JWKSURL(), "UPSTREAM_URL": upstream.URL}
	token := iss.Token(map[string]any{"scope": "read:models"})
	call := func(addr, path string) error {
		req, _ := http.NewRequest("GET", "http://"+addr+path, nil)
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return err
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return fmt.Errorf("status %d", resp.StatusCode)
		}
		return nil
	}
	accessLine := func(path string) string {
		return `"msg":"request","method":"GET","route":"GET /v1/models/{model...}","path":"` + path + `"`
	}

	t.Run("held for an hour, written at exit", func(t *testing.T) {
		var logs syncbuf.Buffer
		addr, stop := start(t, []string{"-listen", "127.0.0.1:0", "-access-log-flush", "1h"}, env(vars), &logs)
		require.NoError(t, call(addr, "/v1/models/held"))
		assert.NotContains(t, logs.String(), accessLine("/v1/models/held"), "held in the buffer")
		assert.Contains(t, logs.String(), `"msg":"gateway listening"`, "other records go out at once")

		// A request in flight when the shutdown begins ends after its last
		// log record other than the access log's.
		slow := make(chan error, 1)
		go func() { slow <- call(addr, "/v1/models/slow") }()
		<-arrived
		stopped := make(chan struct{})
		go func() { stop(); close(stopped) }()
		require.Eventually(t, func() bool { return strings.Contains(logs.String(), "shutting down") }, 5*time.Second, 5*time.Millisecond)
		close(release)
		require.NoError(t, <-slow)
		<-stopped
		assert.Contains(t, logs.String(), accessLine("/v1/models/held"))
		assert.Contains(t, logs.String(), accessLine("/v1/models/slow"), "nothing lost on a graceful exit")
	})
	t.Run("unbuffered", func(t *testing.T) {
		var logs syncbuf.Buffer
		addr, stop := start(t, []string{"-listen", "127.0.0.1:0", "-access-log-buffer", "0"}, env(vars), &logs)
		defer stop()
		require.NoError(t, call(addr, "/v1/models/at-once"))
		require.Eventually(t, func() bool { return strings.Contains(logs.String(), accessLine("/v1/models/at-once")) },
			5*time.Second, 5*time.Millisecond)
	})
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
	s, err := parse([]string{"-access-log-buffer", "64KiB", "-access-log-flush", "250ms"}, env(minimalEnv()), io.Discard)
	require.NoError(t, err)
	assert.Equal(t, logSettings{bufferSize: 64 << 10, flushPeriod: 250 * time.Millisecond}, s.log)
	s, err = parse(nil, env(minimalEnv()), io.Discard)
	require.NoError(t, err)
	assert.Equal(t, logSettings{bufferSize: 32 << 10, flushPeriod: time.Second}, s.log, "nginx's buffer=32k flush=1s by default")
}
