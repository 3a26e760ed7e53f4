package gateway

import (
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
		o := issuerOptions(iss, upstream.URL, &logs)
		o.Log.FlushPeriod = time.Hour
		addr, stop := start(t, o)
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
		o := issuerOptions(iss, upstream.URL, &logs)
		o.Log.BufferSize = 0
		addr, stop := start(t, o)
		defer stop()
		require.NoError(t, call(addr, "/v1/models/at-once"))
		require.Eventually(t, func() bool { return strings.Contains(logs.String(), accessLine("/v1/models/at-once")) },
			5*time.Second, 5*time.Millisecond)
	})
}
