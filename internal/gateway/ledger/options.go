package ledger

import (
	"log/slog"
	"sync/atomic"
	"time"
)

// Options tune a Recorder. The zero value takes the defaults.
type Options struct {
	// BatchSize: a batch is written as soon as this many rows wait
	// (default 500, at most 2,000: PostgreSQL's statement carries 13
	// parameters a row, and it takes at most 65,535).
	BatchSize int
	// FlushEvery: rows never wait longer than this for a batch (default
	// 1 s): what a gateway killed with SIGKILL loses.
	FlushEvery time.Duration
	// Buffer is how many rows may wait while the database is slow or down
	// (default DefaultBuffer: five minutes at 1,000 calls a second, about
	// 60 MB at its fullest). Past it, new rows are dropped, counted and
	// logged.
	Buffer int
	// MaxBackoff is the longest wait between two attempts at a batch
	// (default 5 s); the first retry waits 100 ms.
	MaxBackoff time.Duration
	// WriteTimeout bounds one attempt (default 30 s).
	WriteTimeout time.Duration
	Logger       *slog.Logger // default slog.Default()
}

// DefaultBuffer is Options.Buffer's default: the longest database outage
// that loses no row is this many rows at the gateways' call rate.
const DefaultBuffer = 300_000

func (o *Options) defaults() {
	def := func(v *int, d int) {
		if *v <= 0 {
			*v = d
		}
	}
	defD := func(v *time.Duration, d time.Duration) {
		if *v <= 0 {
			*v = d
		}
	}
	def(&o.BatchSize, 500)
	o.BatchSize = min(o.BatchSize, maxBatch)
	def(&o.Buffer, DefaultBuffer)
	o.Buffer = max(o.Buffer, o.BatchSize)
	defD(&o.FlushEvery, time.Second)
	defD(&o.MaxBackoff, 5*time.Second)
	defD(&o.WriteTimeout, 30*time.Second)
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
}

const maxBatch = 2000

// logEvery limits drop and error lines to one per interval: an outage
// would otherwise log at the rate of the calls.
const logEvery = 10 * time.Second

// due is whether a line limited by last may be logged now.
func due(last *atomic.Int64) bool {
	now, prev := time.Now().UnixNano(), last.Load()
	return now-prev >= int64(logEvery) && last.CompareAndSwap(prev, now)
}

func (r *Recorder) logDrop(closed bool) {
	if !due(&r.droppedLogged) {
		return
	}
	if closed {
		r.opts.Logger.Error("ledger: a call completed after the ledger closed was not recorded", "dropped_total", r.stats.dropped.Load())
		return
	}
	r.opts.Logger.Error("ledger: the buffer is full, calls are not being recorded; the database has been unreachable for too long: restore it, or raise the buffer",
		"buffer", r.opts.Buffer, "dropped_total", r.stats.dropped.Load())
}

func (r *Recorder) logError(err error, retryIn time.Duration) {
	if !due(&r.errorLogged) {
		return
	}
	r.opts.Logger.Warn("ledger: writing usage rows failed; they are kept and retried (check that the database is up and reachable)",
		"err", err.Error(), "buffered", r.Buffered(), "retry_in", retryIn.String())
}
