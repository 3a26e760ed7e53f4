package ledger

import (
	"context"

	"github.com/google/uuid"
	"testing"
	"time"
)

type discard struct{}

func (discard) WriteRows(context.Context, []Row) error { return nil }

// The cost of Record on the request path: one lock and an append. A loop
// calling nothing but Record would outrun any writer and measure a buffer
// growing to its limit (then dropping, which is cheaper); a gateway's calls
// come far slower than the writer writes. So the clock stops after every
// batch (500 rows) until the writer has taken it, as in a steady state.
func BenchmarkRecord(b *testing.B) {
	rec := NewRecorder(discard{}, Options{Logger: quiet})
	defer rec.Close(context.Background())
	r := row(1, time.Now())
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		rec.Record(r)
		if n++; n%500 == 0 {
			b.StopTimer()
			for rec.Buffered() > 0 {
				time.Sleep(time.Millisecond)
			}
			b.StartTimer()
		}
	}
	if d := rec.Stats().Dropped; d > 0 {
		b.Fatalf("%d rows dropped", d)
	}
}

// The writer's sustained rate on each database: b.N rows recorded as fast
// as possible and written in batches of 500, until Close has written all.
// It reports rows/s, to set beside the gateway's peak requests per second
// (bench/gateway.sh), and round trips per 100 rows (PostgreSQL's on the
// wire; SQLite's transactions, see countWrites), which the ledger keeps at 1
// or fewer.
func BenchmarkWriterThroughput(b *testing.B) {
	for _, be := range backends {
		b.Run(be.name, func(b *testing.B) {
			var rt roundTrips
			db, err := open(context.Background(), be.dsn(b), rt.dial)
			if err != nil {
				b.Fatal(err)
			}
			defer db.Close()
			trips := &rt.n
			if be.name == "sqlite" {
				trips = countWrites(b, db)
			}
			rows := make([]Row, b.N)
			at := time.Now()
			for i := range rows {
				rows[i] = row(i, at)
				rows[i].RequestID = uuid.Must(uuid.NewV7()).String() // time-ordered, as the gateway's (proxy.newRequestID)
			}
			rec := NewRecorder(db, Options{Buffer: b.N + 1, Logger: quiet})
			before := trips.Load()
			b.ResetTimer()
			for i := range rows {
				rec.Record(rows[i])
			}
			if err := rec.Close(context.Background()); err != nil {
				b.Fatal(err)
			}
			b.StopTimer()
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "rows/s")
			b.ReportMetric(float64(trips.Load()-before)*100/float64(b.N), "trips/100rows")
			if n, _ := count(b, db); n != b.N {
				b.Fatalf("%d rows written of %d", n, b.N)
			}
		})
	}
}
