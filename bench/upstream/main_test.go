package main

import (
	"testing"
	"time"
)

// A stream's events stay on the grid of the phase it drew, however late
// one of them went out.
func TestNextSlotKeepsThePhase(t *testing.T) {
	start := time.Unix(1000, 300*int64(time.Millisecond)) // the phase: .3 s
	for _, tc := range []struct {
		name     string
		due, now time.Time
		want     time.Time
	}{
		{"on time", start, start, start.Add(time.Second)},
		{"a little late", start, start.Add(40 * time.Millisecond), start.Add(time.Second)},
		{"late by more than an interval: the missed slot is skipped", start, start.Add(1500 * time.Millisecond), start.Add(2 * time.Second)},
		{"woken early", start.Add(time.Second), start.Add(900 * time.Millisecond), start.Add(time.Second)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := nextSlot(tc.due, tc.now, time.Second); !got.Equal(tc.want) {
				t.Errorf("nextSlot = %v, want %v", got.Sub(start), tc.want.Sub(start))
			}
		})
	}
}
