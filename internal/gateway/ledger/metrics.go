package ledger

import "github.com/prometheus/client_golang/prometheus"

// The Recorder is a prometheus.Collector: register it in the gateway's
// registry (reg.MustRegister(recorder)). Its counts are atomics read at
// scrape time, so Record pays nothing for them.
var (
	descWritten = prometheus.NewDesc("gateway_ledger_rows_written_total",
		"Usage rows written to the ledger's database.", nil, nil)
	descBatches = prometheus.NewDesc("gateway_ledger_batches_total",
		"Batches written to the ledger's database (one round trip each).", nil, nil)
	descBuffered = prometheus.NewDesc("gateway_ledger_rows_buffered",
		"Usage rows recorded and not yet written: it grows while the database is down.", nil, nil)
	descBuffer = prometheus.NewDesc("gateway_ledger_buffer_rows",
		"How many rows the buffer holds at most; past it, rows are dropped.", nil, nil)
	descDropped = prometheus.NewDesc("gateway_ledger_rows_dropped_total",
		"Usage rows lost: recorded while the buffer was full, or after the ledger closed.", nil, nil)
	descWriteErrors = prometheus.NewDesc("gateway_ledger_write_errors_total",
		"Failed attempts to write a batch (each is retried).", nil, nil)
)

// Describe implements prometheus.Collector.
func (r *Recorder) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{descWritten, descBatches, descBuffered, descBuffer, descDropped, descWriteErrors} {
		ch <- d
	}
}

// Collect implements prometheus.Collector.
func (r *Recorder) Collect(ch chan<- prometheus.Metric) {
	counter := func(d *prometheus.Desc, v int64) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.CounterValue, float64(v))
	}
	counter(descWritten, r.stats.written.Load())
	counter(descBatches, r.stats.batches.Load())
	counter(descDropped, r.stats.dropped.Load())
	counter(descWriteErrors, r.stats.writeErrors.Load())
	ch <- prometheus.MustNewConstMetric(descBuffered, prometheus.GaugeValue, float64(r.Buffered()))
	ch <- prometheus.MustNewConstMetric(descBuffer, prometheus.GaugeValue, float64(r.opts.Buffer))
}

// Stats are the Recorder's counts, as its metrics show them.
type Stats struct {
	Written, Batches, Dropped, WriteErrors int64
	Buffered                               int
}

// Stats reads the Recorder's counts.
func (r *Recorder) Stats() Stats {
	return Stats{Written: r.stats.written.Load(), Batches: r.stats.batches.Load(), Dropped: r.stats.dropped.Load(),
		WriteErrors: r.stats.writeErrors.Load(), Buffered: r.Buffered()}
}
