package ledger

import (
	"context"
	"crypto/rand"
	"fmt"
	"sync"
	"sync/atomic"
	"time"
)

// Writer writes one batch of rows in one round trip; DB is one.
type Writer interface {
	WriteRows(ctx context.Context, rows []Row) error
}

// Recorder writes rows to the ledger off the request path: Record adds a
// row to a bounded buffer, and one goroutine writes the buffer in batches,
// retrying a failed batch with backoff until it is written.
type Recorder struct {
	w    Writer
	opts Options

	mu      sync.Mutex
	pending []Row // rows recorded; those from head on are not yet taken by the writer
	head    int
	held    int // pending plus the rows the writer has taken and not written
	closed  bool

	wake    chan struct{} // a full batch waits
	closing chan struct{} // Close was called
	stopped chan struct{} // the writer has returned
	abort   context.CancelFunc

	stats                      stats
	droppedLogged, errorLogged atomic.Int64 // unix nanoseconds of the last such line
}

type stats struct {
	written, batches, dropped, writeErrors atomic.Int64
}

// NewRecorder starts a Recorder writing to w. Close it to write what it
// holds.
func NewRecorder(w Writer, opts Options) *Recorder {
	opts.defaults()
	ctx, cancel := context.WithCancel(context.Background())
	r := &Recorder{w: w, opts: opts, wake: make(chan struct{}, 1), closing: make(chan struct{}),
		stopped: make(chan struct{}), abort: cancel}
	go r.run(ctx)
	return r
}

// Record queues row for the ledger. It never blocks on the database: when
// the buffer is full (the database has been down for longer than the
// buffer holds) or the Recorder is closed, the row is dropped and Record
// returns false.
func (r *Recorder) Record(row Row) bool {
	if row.Time.IsZero() {
		row.Time = time.Now()
	}
	r.mu.Lock()
	if r.closed || r.held >= r.opts.Buffer {
		closed := r.closed
		r.mu.Unlock()
		r.stats.dropped.Add(1)
		r.logDrop(closed)
		return false
	}
	r.pending = append(r.pending, row)
	r.held++
	full := len(r.pending)-r.head >= r.opts.BatchSize
	r.mu.Unlock()
	if full {
		select {
		case r.wake <- struct{}{}:
		default: // the writer is already woken
		}
	}
	return true
}

// Buffered is the number of rows recorded and not yet written.
func (r *Recorder) Buffered() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.held
}

// Close stops taking rows and writes those it holds. If ctx ends first, it
// gives up and says how many rows were not written.
func (r *Recorder) Close(ctx context.Context) error {
	r.mu.Lock()
	if !r.closed {
		r.closed = true
		close(r.closing)
	}
	r.mu.Unlock()
	select {
	case <-r.stopped:
		return nil
	case <-ctx.Done():
		r.abort()
		<-r.stopped
		return fmt.Errorf("ledger: %d rows were not written before the shutdown deadline: %w", r.Buffered(), ctx.Err())
	}
}

// run is the writer: it writes full batches as they fill, everything
// every FlushEvery, and everything at Close.
func (r *Recorder) run(ctx context.Context) {
	defer close(r.stopped)
	tick := time.NewTicker(r.opts.FlushEvery)
	defer tick.Stop()
	var batch []Row
	for {
		all := false
		select {
		case <-r.wake:
		case <-tick.C:
			all = true
		case <-r.closing:
			all = true
		}
		for {
			batch = r.take(batch[:0], all)
			if len(batch) == 0 {
				break
			}
			if !r.write(ctx, batch) {
				return // Close gave up
			}
			clear(batch)
		}
		select {
		case <-r.closing:
			if r.Buffered() == 0 {
				return
			}
		default:
		}
	}
}

// take moves the next batch into dst: a full one, or when all is set
// whatever is left.
func (r *Recorder) take(dst []Row, all bool) []Row {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := min(len(r.pending)-r.head, r.opts.BatchSize)
	if n < r.opts.BatchSize && !all {
		return dst
	}
	dst = append(dst, r.pending[r.head:r.head+n]...)
	clear(r.pending[r.head : r.head+n]) // let the rows' strings go
	r.head += n
	switch {
	case r.head == len(r.pending) && cap(r.pending) > keepRows:
		r.pending, r.head = nil, 0 // an outage's buffer goes back to the heap
	case r.head == len(r.pending):
		r.pending, r.head = r.pending[:0], 0
	case r.head > len(r.pending)/2:
		// Taken rows are the larger part: move the rest to the front,
		// which costs no more than the rows taken since the last move.
		rest := copy(r.pending, r.pending[r.head:])
		clear(r.pending[rest:]) // the moved rows' old places
		r.pending, r.head = r.pending[:rest], 0
	}
	return dst
}

// write writes batch, retrying until it succeeds; false if Close gave up.
func (r *Recorder) write(ctx context.Context, batch []Row) bool {
	for i := range batch {
		if batch[i].RequestID == "" {
			// The key must be unique, or the call would be lost as a
			// duplicate. Set once, before the first attempt: a retry
			// writes the same key.
			batch[i].RequestID = "ledger-" + rand.Text()
		}
	}
	backoff := 100 * time.Millisecond
	for {
		wctx, cancel := context.WithTimeout(ctx, r.opts.WriteTimeout)
		err := r.w.WriteRows(wctx, batch)
		cancel()
		if err == nil {
			r.mu.Lock()
			r.held -= len(batch)
			r.mu.Unlock()
			r.stats.written.Add(int64(len(batch)))
			r.stats.batches.Add(1)
			return true
		}
		r.stats.writeErrors.Add(1)
		if ctx.Err() != nil {
			return false
		}
		r.logError(err, backoff)
		select {
		case <-time.After(backoff):
		case <-ctx.Done():
			return false
		}
		backoff = min(2*backoff, r.opts.MaxBackoff)
	}
}

// keepRows is the capacity of the buffer kept once it is empty again
// (about 6 MB); a larger one, grown by an outage, goes back to the heap.
const keepRows = 32 << 10
