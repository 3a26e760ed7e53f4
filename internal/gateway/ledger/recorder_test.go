package ledger

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

var quiet = slog.New(slog.DiscardHandler)

// A burst of N calls reaches the database in at most ceil(N/100) round
// trips, and a clean Close loses none of them.
func TestBatchingAndCleanClose(t *testing.T) {
	const n = 10_000
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			ctx := context.Background()
			var rt roundTrips
			db, err := open(ctx, b.dsn(t), rt.dial)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			statements := &rt.n // PostgreSQL: round trips on the wire
			if b.name == "sqlite" {
				statements = countWrites(t, db) // SQLite: transactions, and statements outside one
			}
			cw := &countingWriter{w: db}
			rec := NewRecorder(cw, Options{Logger: quiet})
			trips := statements.Load() // the migrations' own
			at := time.Now()
			for i := range n {
				if !rec.Record(row(i, at)) {
					t.Fatalf("row %d dropped", i)
				}
			}
			if err := rec.Close(ctx); err != nil {
				t.Fatal(err)
			}
			if rows, distinct := count(t, db); rows != n || distinct != n {
				t.Fatalf("%d rows (%d distinct) after a clean close, want %d", rows, distinct, n)
			}
			limit := (n + 99) / 100
			if len(cw.batches) > limit {
				t.Errorf("%d batches for %d rows, want at most %d: %v", len(cw.batches), n, limit, cw.batches)
			}
			// Each batch is one round trip (PostgreSQL) or at most a few
			// statements (SQLite); database/sql may add a ping before
			// reusing a connection idle for over a second. The count
			// (above) is one more.
			if got := statements.Load() - trips - 1; got > int64(limit) {
				t.Errorf("%d round trips to %s for %d rows, want at most %d", got, b.name, n, limit)
			}
			t.Logf("%d rows: %d batches, %d round trips", n, len(cw.batches), statements.Load()-trips-1)
			if s := rec.Stats(); s.Written != n || s.Buffered != 0 || s.Dropped != 0 {
				t.Errorf("stats %+v", s)
			}
		})
	}
}

// A few calls wait at most FlushEvery, not for a full batch.
func TestFlushEveryWritesPartialBatches(t *testing.T) {
	db := openT(t, backends[0].dsn(t))
	rec := NewRecorder(db, Options{FlushEvery: 50 * time.Millisecond, Logger: quiet})
	defer rec.Close(context.Background())
	rec.Record(row(1, time.Now()))
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		if n, _ := count(t, db); n == 1 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatal("a lone row was not written within 20 s with FlushEvery 50 ms")
		}
	}
}

// failingWriter fails while down is set.
type failingWriter struct {
	mu   sync.Mutex
	down bool
	rows int
}

func (f *failingWriter) WriteRows(_ context.Context, rows []Row) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.down {
		return errors.New("connection refused")
	}
	f.rows += len(rows)
	return nil
}

func (f *failingWriter) set(down bool) { f.mu.Lock(); f.down = down; f.mu.Unlock() }

// Past its buffer a Recorder drops rows, counts and logs them, and never
// blocks; what it held is written when the database returns.
func TestFullBufferDropsWithoutBlocking(t *testing.T) {
	fw := &failingWriter{down: true}
	var logs strings.Builder
	var logMu sync.Mutex
	logger := slog.New(slog.NewTextHandler(lockedWriter{&logs, &logMu}, nil))
	rec := NewRecorder(fw, Options{Buffer: 1000, BatchSize: 100, FlushEvery: 10 * time.Millisecond,
		MaxBackoff: 20 * time.Millisecond, Logger: logger})
	kept := 0
	start := time.Now()
	for i := range 1500 {
		if rec.Record(row(i, time.Now())) {
			kept++
		}
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("1500 Records with the database down took %v", d)
	}
	if kept != 1000 {
		t.Errorf("%d rows kept with a buffer of 1000", kept)
	}
	reg := prometheus.NewPedanticRegistry()
	reg.MustRegister(rec)
	if got := metricValue(t, reg, "gateway_ledger_rows_dropped_total"); got != 500 {
		t.Errorf("dropped metric %v, want 500", got)
	}
	logMu.Lock()
	if !strings.Contains(logs.String(), "buffer is full") {
		t.Errorf("no log line about the full buffer: %s", logs.String())
	}
	logMu.Unlock()
	fw.set(false)
	if err := rec.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	if fw.rows != 1000 {
		t.Errorf("%d rows written after the database came back, want 1000", fw.rows)
	}
	if rec.Record(row(2000, time.Now())) {
		t.Error("a row was taken after Close")
	}
}

// Close gives up when its context ends, saying how many rows are lost.
func TestCloseDeadline(t *testing.T) {
	rec := NewRecorder(&failingWriter{down: true}, Options{MaxBackoff: 10 * time.Millisecond, Logger: quiet})
	rec.Record(row(1, time.Now()))
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	err := rec.Close(ctx)
	if err == nil || !strings.Contains(err.Error(), "1 rows were not written") {
		t.Fatalf("Close with the database down: %v", err)
	}
}

type lockedWriter struct {
	b  *strings.Builder
	mu *sync.Mutex
}

func (w lockedWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.Write(p)
}

// metricValue is the value of reg's metric name (a counter or gauge).
func metricValue(t *testing.T, reg *prometheus.Registry, name string) float64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() == name {
			m := mf.GetMetric()[0]
			return m.GetCounter().GetValue() + m.GetGauge().GetValue()
		}
	}
	t.Fatalf("no metric %s", name)
	return 0
}

// A row without a request ID or time is still recorded, once.
func TestRowsWithoutIDOrTime(t *testing.T) {
	db := openT(t, backends[0].dsn(t))
	rec := NewRecorder(db, Options{Logger: quiet})
	before := time.Now()
	for range 3 {
		rec.Record(Row{Client: "c", Status: 200})
	}
	if err := rec.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	if n, d := count(t, db); n != 3 || d != 3 {
		t.Fatalf("%d rows (%d distinct), want 3", n, d)
	}
	var oldest int64
	if err := db.sql.QueryRow("SELECT MIN(ts) FROM model_usage").Scan(&oldest); err != nil || oldest < before.UnixMicro() {
		t.Errorf("time %d, %v: want the time of Record", oldest, err)
	}
}
