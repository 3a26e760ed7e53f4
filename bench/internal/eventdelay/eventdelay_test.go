package eventdelay

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

func TestSummarizeCountsOnlyDelaysOverTheLimit(t *testing.T) {
	ms := time.Millisecond
	for _, c := range []struct {
		delays []time.Duration
		want   string
	}{
		{[]time.Duration{2 * ms, ms, ms / 2, ms}, "4 events: p50 1000 us, p90 2000 us, p99 2000 us, p99.9 2000 us, max 2000 us; 1 (25.00%) over 1ms"},
		{[]time.Duration{ms + 1, ms}, "; 1 (50.00%) over 1ms"},
		{[]time.Duration{ms / 2}, "; 0 (0.00%) over 1ms"},
		{nil, "no events received"},
	} {
		if got := Summarize(c.delays, ms); !strings.HasSuffix(got, c.want) {
			t.Errorf("Summarize(%v) = %q, want it to end in %q", c.delays, got, c.want)
		}
	}
}

func TestStamp(t *testing.T) {
	line := []byte(`data: {"i":3,"sent_ns":1700000000123456789}` + "\n")
	sent, rest, ok, err := Stamp(line, bytes.Index(line, Field))
	if err != nil || !ok || sent != 1700000000123456789 || string(rest) != "}\n" {
		t.Errorf("Stamp = %d, %q, %v, %v", sent, rest, ok, err)
	}
	cut := []byte(`data: {"sent_ns":17000`)
	if _, _, ok, err := Stamp(cut, bytes.Index(cut, Field)); ok || err != nil {
		t.Errorf("an event cut before its brace: ok %v, err %v; want neither", ok, err)
	}
	bad := []byte(`data: {"sent_ns":"soon"}`)
	if _, _, ok, err := Stamp(bad, bytes.Index(bad, Field)); ok || err == nil {
		t.Errorf("a time that is no number: ok %v, err %v; want an error", ok, err)
	}
}
