package ledger

import (
	"context"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

func TestStartRecordClose(t *testing.T) {
	dsn := backends[0].dsn(t)
	l, err := Start(context.Background(), dsn, Options{Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	reg := prometheus.NewPedanticRegistry()
	reg.MustRegister(l)
	for i := range 3 {
		l.Record(row(i, time.Now()))
	}
	if err := l.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := metricValue(t, reg, "gateway_ledger_rows_written_total"); got != 3 {
		t.Errorf("rows written metric %v, want 3", got)
	}
	if got := metricValue(t, reg, "gateway_ledger_buffer_rows"); got != 300_000 {
		t.Errorf("buffer metric %v, want the default 300,000", got)
	}
	if n, _ := count(t, openT(t, dsn)); n != 3 {
		t.Errorf("%d rows after Close, want 3", n)
	}
}
