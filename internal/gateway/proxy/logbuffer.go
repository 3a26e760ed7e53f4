package proxy

import (
	"bufio"
	"context"
	"io"
	"log/slog"
	"sync"
	"time"
)

// Defaults of the access log's buffer, as nginx's `access_log ... buffer=32k
// flush=1s`.
const (
	DefaultLogBufferSize  = 32 << 10
	DefaultLogFlushPeriod = time.Second
)

// AccessLogMessage is the message of the access log's records: one per
// request, written by the handler New returns.
const AccessLogMessage = "request"

// LogBuffer holds log lines in memory and writes them out in blocks: the
// access log's line per request then costs no system call of its own (one
// write per request was about 3% of the gateway's CPU). Lines are written
// whole, in order, at the latest one flush period after they were logged,
// when the buffer is full, and by Flush and Close. Records other than the
// access log's (start, warnings, errors) go out at once, with everything
// before them, through the Handler it wraps. Safe for concurrent use.
type LogBuffer struct {
	mu     sync.Mutex
	w      *bufio.Writer
	closed bool // lines go out at once: no flush is coming
	stop   chan struct{}
	done   chan struct{}
	once   sync.Once
}

// NewLogBuffer buffers up to size bytes for w and flushes them every
// period until Close.
func NewLogBuffer(w io.Writer, size int, period time.Duration) *LogBuffer {
	b := &LogBuffer{w: bufio.NewWriterSize(w, size), stop: make(chan struct{}), done: make(chan struct{})}
	go b.flushEvery(period)
	return b
}

// Write holds p (one log line), writing out what is held first if p does
// not fit: a line is never split between two writes, so that processes
// appending to one file do not interleave their lines.
func (b *LogBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if len(p) > b.w.Available() && b.w.Buffered() > 0 {
		if err := b.w.Flush(); err != nil {
			return 0, err
		}
	}
	n, err := b.w.Write(p) // a line longer than the buffer goes out directly
	if err == nil && b.closed {
		err = b.w.Flush()
	}
	return n, err
}

// Flush writes out every line held.
func (b *LogBuffer) Flush() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.w.Flush()
}

// Close stops the periodic flush and writes out every line held; lines
// logged after it (by a request that outlived the shutdown) are written at
// once. The gateway calls it once it has shut down, so that no line is lost.
func (b *LogBuffer) Close() error {
	b.once.Do(func() { close(b.stop) })
	<-b.done
	b.mu.Lock()
	defer b.mu.Unlock()
	b.closed = true
	return b.w.Flush()
}

func (b *LogBuffer) flushEvery(period time.Duration) {
	defer close(b.done)
	t := time.NewTicker(period)
	defer t.Stop()
	for {
		select {
		case <-b.stop:
			return
		case <-t.C:
			b.mu.Lock()
			if b.w.Buffered() > 0 {
				_ = b.w.Flush() // a failing log output has no one else to tell
			}
			b.mu.Unlock()
		}
	}
}

// Handler wraps h, which writes into b: after each record that is not the
// access log's, everything held is written out.
func (b *LogBuffer) Handler(h slog.Handler) slog.Handler { return flushingHandler{h, b} }

type flushingHandler struct {
	slog.Handler
	buf *LogBuffer
}

func (h flushingHandler) Handle(ctx context.Context, r slog.Record) error {
	err := h.Handler.Handle(ctx, r)
	if r.Message != AccessLogMessage {
		_ = h.buf.Flush()
	}
	return err
}

func (h flushingHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	return flushingHandler{h.Handler.WithAttrs(attrs), h.buf}
}

func (h flushingHandler) WithGroup(name string) slog.Handler {
	return flushingHandler{h.Handler.WithGroup(name), h.buf}
}
