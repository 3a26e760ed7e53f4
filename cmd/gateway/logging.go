package main

import (
	"flag"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/model-api-auth0/model-api-auth0/internal/gateway/proxy"
)

// logSettings are how the JSON log (the access log's line per request and
// everything else) reaches stderr.
type logSettings struct {
	bufferSize  byteSizeFlag
	flushPeriod time.Duration
}

func (l *logSettings) register(fs *flag.FlagSet) {
	l.bufferSize = proxy.DefaultLogBufferSize
	fs.Var(&l.bufferSize, "access-log-buffer", "`size` of the access log lines held in memory before a write, such as 32KiB, as nginx's access_log buffer=; 0 writes each line at once")
	fs.DurationVar(&l.flushPeriod, "access-log-flush", proxy.DefaultLogFlushPeriod, "longest `time` an access log line is held, as nginx's access_log flush=")
}

func (l logSettings) validate() error {
	if l.bufferSize > 0 && l.flushPeriod <= 0 {
		return fmt.Errorf("-access-log-flush %v: want a positive duration such as 1s (or -access-log-buffer 0 to write each line at once)", l.flushPeriod)
	}
	return nil
}

// logger is the gateway's JSON logger on out, and what flushes it at exit.
func (l logSettings) logger(out io.Writer) (*slog.Logger, func()) {
	if l.bufferSize <= 0 || l.flushPeriod <= 0 {
		return slog.New(slog.NewJSONHandler(out, nil)), func() {}
	}
	buf := proxy.NewLogBuffer(out, int(l.bufferSize), l.flushPeriod)
	return slog.New(buf.Handler(slog.NewJSONHandler(buf, nil))), func() { _ = buf.Close() }
}

// byteSizeFlag is a size such as 32KiB, or 0.
type byteSizeFlag int64

func (b *byteSizeFlag) String() string { return proxy.ByteSize(*b).String() }

func (b *byteSizeFlag) Set(s string) error {
	if s == "0" {
		*b = 0
		return nil
	}
	n, err := proxy.ParseByteSize(s)
	if err != nil {
		return fmt.Errorf("%w, or 0", err)
	}
	*b = byteSizeFlag(n)
	return nil
}
