// Package eventdelay reads the write time bench/upstream stamps in each
// event ("sent_ns") and summarizes the delays of events, for bench/streams
// (measured at the client) and bench/wiretime (on the wire), so that both
// print the same percentiles.
package eventdelay

import (
	"bytes"
	"fmt"
	"slices"
	"strconv"
	"time"
)

// Field precedes an event's write time, in Unix nanoseconds, up to the
// event's closing brace.
var Field = []byte(`"sent_ns":`)

// Stamp is the write time of the first event in p from i on, where i
// indexes Field, and the rest of p after it; ok is false when the event is
// cut short before its closing brace.
func Stamp(p []byte, i int) (sent int64, rest []byte, ok bool, err error) {
	p = p[i+len(Field):]
	end := bytes.IndexByte(p, '}')
	if end < 0 {
		return 0, nil, false, nil
	}
	sent, err = strconv.ParseInt(string(p[:end]), 10, 64)
	if err != nil {
		return 0, nil, false, fmt.Errorf("event time %q: %w", p[:end], err)
	}
	return sent, p[end:], true, nil
}

// Percentile is the p-th percentile (nearest rank) of sorted delays.
func Percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(p/100*float64(len(sorted))+0.5) - 1
	return sorted[min(max(i, 0), len(sorted)-1)]
}

// Summarize sorts delays and tells their distribution and how many are
// over limit.
func Summarize(delays []time.Duration, limit time.Duration) string {
	if len(delays) == 0 {
		return "no events received"
	}
	slices.Sort(delays)
	firstLate, _ := slices.BinarySearch(delays, limit+1) // durations are whole nanoseconds
	late := len(delays) - firstLate
	us := func(d time.Duration) string { return fmt.Sprintf("%.0f us", float64(d)/float64(time.Microsecond)) }
	return fmt.Sprintf("%d events: p50 %s, p90 %s, p99 %s, p99.9 %s, max %s; %d (%.2f%%) over %v",
		len(delays), us(Percentile(delays, 50)), us(Percentile(delays, 90)), us(Percentile(delays, 99)),
		us(Percentile(delays, 99.9)), us(delays[len(delays)-1]), late, 100*float64(late)/float64(len(delays)), limit)
}
