package main

import (
	"context"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// herd is the streams held open at once. Each stream's goroutine owns its
// own entry; the totals are read once they are all done.
type herd struct {
	steady       atomic.Bool // events now count as "all open"
	open, failed atomic.Int64
	opened, done sync.WaitGroup
	errOnce      sync.Once
	firstErr     string
	streams      []streamState
}

type streamState struct {
	cancel       context.CancelFunc
	walkedAway   atomic.Bool
	opened       bool
	steady, ramp []time.Duration
}

func newHerd(n int) *herd { return &herd{streams: make([]streamState, n)} }

// start opens stream i in its own goroutine.
func (h *herd) start(i int, client *http.Client, url, auth string) {
	ctx, cancel := context.WithCancel(context.Background())
	st := &h.streams[i]
	st.cancel = cancel
	h.opened.Add(1)
	h.done.Add(1)
	go func() {
		defer h.done.Done()
		defer cancel()
		_, err := stream(ctx, client, url, auth, func(d time.Duration) {
			if !st.opened {
				st.opened = true
				h.open.Add(1)
				h.opened.Done()
			}
			if h.steady.Load() {
				st.steady = append(st.steady, d)
			} else {
				st.ramp = append(st.ramp, d)
			}
		})
		if st.opened {
			h.open.Add(-1)
		} else {
			h.opened.Done()
		}
		if err != nil && !(st.walkedAway.Load() && ctx.Err() != nil) {
			h.failed.Add(1)
			h.errOnce.Do(func() { h.firstErr = "(first: " + err.Error() + ")" })
		}
	}()
}

// waitOpen waits until every stream has had its first event (or failed),
// at most d, and returns how many are open.
func (h *herd) waitOpen(d time.Duration) int64 {
	waitTimeout(&h.opened, d)
	return h.open.Load()
}

// walkAway closes the given fraction of the streams from the client's
// side, spread over the herd, and returns how many.
func (h *herd) walkAway(fraction float64) int {
	if fraction <= 0 {
		return 0
	}
	every, n := max(1, int(1/fraction+0.5)), 0
	for i := range h.streams {
		if i%every == 0 {
			h.streams[i].walkedAway.Store(true)
			h.streams[i].cancel()
			n++
		}
	}
	return n
}

// delays returns the delays of the events that came while every stream
// was open (steady) or while they were being opened.
func (h *herd) delays(steady bool) []time.Duration {
	var all []time.Duration
	for i := range h.streams {
		if steady {
			all = append(all, h.streams[i].steady...)
		} else {
			all = append(all, h.streams[i].ramp...)
		}
	}
	return all
}
