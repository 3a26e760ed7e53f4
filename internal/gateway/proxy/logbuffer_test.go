package proxy_test

import (
	"context"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/model-api-auth0/model-api-auth0/internal/gateway/proxy"
)

// writes records every Write call it gets, as the file behind the log would
// see them.
type writes struct {
	mu    sync.Mutex
	calls []string
}

func (w *writes) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.calls = append(w.calls, string(p))
	return len(p), nil
}

func (w *writes) get() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]string(nil), w.calls...)
}

func (w *writes) text() string { return strings.Join(w.get(), "") }

// bufferedLogger is a JSON logger on a LogBuffer, as cmd/gateway makes it.
func bufferedLogger(out *writes, size int, period time.Duration) (*slog.Logger, *proxy.LogBuffer) {
	buf := proxy.NewLogBuffer(out, size, period)
	return slog.New(buf.Handler(slog.NewJSONHandler(buf, nil))), buf
}

func TestLogBuffer(t *testing.T) {
	access := func(l *slog.Logger, path string) { l.Info(proxy.AccessLogMessage, "path", path) }
	for _, tc := range []struct {
		name  string
		test  func(t *testing.T, out *writes, log *slog.Logger, buf *proxy.LogBuffer)
		size  int
		every time.Duration
	}{
		{name: "an access line waits for the flush period, then goes out", size: 32 << 10, every: 50 * time.Millisecond,
			test: func(t *testing.T, out *writes, log *slog.Logger, _ *proxy.LogBuffer) {
				access(log, "/one")
				assert.Empty(t, out.get(), "held: no write per request")
				require.Eventually(t, func() bool { return strings.Contains(out.text(), `"path":"/one"`) }, 2*time.Second, 10*time.Millisecond,
					"the periodic flush writes it")
			}},
		{name: "a record other than the access log's goes out at once, after what came before", size: 32 << 10, every: time.Hour,
			test: func(t *testing.T, out *writes, log *slog.Logger, _ *proxy.LogBuffer) {
				access(log, "/one")
				access(log, "/two")
				log.Warn("upstream failed")
				got := out.text()
				one, two, warn := strings.Index(got, `"/one"`), strings.Index(got, `"/two"`), strings.Index(got, "upstream failed")
				require.True(t, one >= 0 && two >= 0 && warn >= 0, "all written: %q", got)
				assert.True(t, one < two && two < warn, "in order: %q", got)
				assert.Len(t, out.get(), 1, "in one write")
			}},
		{name: "Close writes out what is held; lines after it go out at once", size: 32 << 10, every: time.Hour,
			test: func(t *testing.T, out *writes, log *slog.Logger, buf *proxy.LogBuffer) {
				access(log, "/before-close")
				require.Empty(t, out.get())
				require.NoError(t, buf.Close())
				assert.Contains(t, out.text(), `"/before-close"`)
				access(log, "/after-close")
				assert.Contains(t, out.text(), `"/after-close"`, "a request that outlived the shutdown")
				require.NoError(t, buf.Close(), "twice is harmless")
			}},
		{name: "a full buffer is written as whole lines", size: 200, every: time.Hour,
			test: func(t *testing.T, out *writes, log *slog.Logger, _ *proxy.LogBuffer) {
				for i := range 10 {
					access(log, "/"+strings.Repeat("x", 20+i))
				}
				access(log, "/"+strings.Repeat("y", 300)) // longer than the buffer
				calls := out.get()
				require.NotEmpty(t, calls, "a full buffer is written before the period")
				for _, c := range calls {
					assert.True(t, strings.HasSuffix(c, "\n"), "a write ends with a whole line: %q", c)
					assert.True(t, strings.HasPrefix(c, "{"), "a write starts with a whole line: %q", c)
				}
				assert.True(t, strings.Contains(calls[len(calls)-1], strings.Repeat("y", 300)), "the long line, in one write of its own")
			}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out := &writes{}
			log, buf := bufferedLogger(out, tc.size, tc.every)
			defer buf.Close()
			tc.test(t, out, log, buf)
		})
	}
}

// Many goroutines logging at once lose no line and split none.
func TestLogBufferConcurrent(t *testing.T) {
	out := &writes{}
	log, buf := bufferedLogger(out, 1<<10, time.Millisecond)
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 200 {
				log.LogAttrs(context.Background(), slog.LevelInfo, proxy.AccessLogMessage, slog.Int("g", g), slog.Int("i", i))
			}
		})
	}
	wg.Wait()
	require.NoError(t, buf.Close())
	lines := strings.Split(strings.TrimSuffix(out.text(), "\n"), "\n")
	assert.Len(t, lines, 8*200)
	for _, l := range lines {
		assert.True(t, strings.HasPrefix(l, "{") && strings.HasSuffix(l, "}"), "a whole line: %q", l)
	}
}
