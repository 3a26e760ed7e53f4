package main

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/model-api-auth0/model-api-auth0/bench/internal/eventdelay"
)

// delays is a run's per-event delay distribution with every stream open,
// saved (-save) for a later run to compare with (-baseline): what a proxy
// adds is its run's delay minus the direct run's, percentile by
// percentile. The events of two runs are not the same events, so this is
// the difference of two distributions, not a distribution of differences;
// both runs are printed in full next to it.
type delays struct {
	Label  string        `json:"label"`
	Events int           `json:"events"`
	P50    time.Duration `json:"p50_ns"`
	P90    time.Duration `json:"p90_ns"`
	P99    time.Duration `json:"p99_ns"`
	P999   time.Duration `json:"p99_9_ns"`
	Max    time.Duration `json:"max_ns"`
}

func delaysOf(label string, sorted []time.Duration) delays {
	d := delays{Label: label, Events: len(sorted)}
	if len(sorted) > 0 {
		d.P50, d.P90, d.P99 = eventdelay.Percentile(sorted, 50), eventdelay.Percentile(sorted, 90), eventdelay.Percentile(sorted, 99)
		d.P999, d.Max = eventdelay.Percentile(sorted, 99.9), sorted[len(sorted)-1]
	}
	return d
}

func (d delays) save(path string) error {
	b, err := json.MarshalIndent(d, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(b, '\n'), 0o600)
}

func loadDelays(path string) (delays, error) {
	var d delays
	b, err := os.ReadFile(path)
	if err != nil {
		return d, err
	}
	if err := json.Unmarshal(b, &d); err != nil {
		return d, fmt.Errorf("%s: %w", path, err)
	}
	if d.Events == 0 {
		return d, fmt.Errorf("%s: the %q run received no events", path, d.Label)
	}
	return d, nil
}

// addedOver is d's delay minus base's at the same percentiles.
func (d delays) addedOver(base delays) string {
	var b strings.Builder
	for i, p := range []struct {
		name      string
		got, base time.Duration
	}{{"p50", d.P50, base.P50}, {"p90", d.P90, base.P90}, {"p99", d.P99, base.P99}, {"p99.9", d.P999, base.P999}} {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "%s %+.0f us", p.name, float64(p.got-p.base)/float64(time.Microsecond))
	}
	return b.String()
}
