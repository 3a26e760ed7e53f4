package gateway

import (
	"fmt"
	"io"
	"log/slog"
	"os"

	"github.com/model-api-auth0/model-api-auth0/internal/gateway/proxy"
)

func (l Log) validate() error {
	if l.BufferSize > 0 && l.FlushPeriod <= 0 {
		return fmt.Errorf("-access-log-flush %v: want a positive duration such as 1s (or -access-log-buffer 0 to write each line at once)", l.FlushPeriod)
	}
	return nil
}

// logger is the gateway's JSON logger on Output (stderr if nil), and what
// flushes it at exit.
func (l Log) logger() (*slog.Logger, func()) {
	var out io.Writer = os.Stderr
	if l.Output != nil {
		out = l.Output
	}
	if l.BufferSize <= 0 || l.FlushPeriod <= 0 {
		return slog.New(slog.NewJSONHandler(out, nil)), func() {}
	}
	buf := proxy.NewLogBuffer(out, int(l.BufferSize), l.FlushPeriod)
	return slog.New(buf.Handler(slog.NewJSONHandler(buf, nil))), func() { _ = buf.Close() }
}
