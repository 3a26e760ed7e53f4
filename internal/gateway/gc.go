package gateway

import (
	"fmt"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"sync/atomic"
)

// A proxy's live heap is small (its connections' buffers) while it
// allocates fast (headers, requests, contexts: about 10 KB a request), so
// with Go's default the collector runs every few megabytes, dozens of
// times a second, for 8% of the gateway's CPU. The gateway lets garbage
// grow to at least a fixed headroom above the live heap before collecting,
// and to GOGC's percent of it when that is more: a small heap is collected
// a few times a second, a large one (thousands of streams) exactly as Go
// would.
const DefaultGCHeadroom = 32 << 20

func (g GC) validate() error {
	if g.Percent < -1 {
		return fmt.Errorf("-gc-percent %d: want a percentage such as 100, or -1 (off)", g.Percent)
	}
	return nil
}

// apply sets the collector up for the process; the returned func stops
// adjusting it.
func (g GC) apply() (stop func()) {
	if g.MemoryLimit > 0 {
		debug.SetMemoryLimit(g.MemoryLimit)
	}
	debug.SetGCPercent(g.Percent)
	if g.Percent < 0 || g.Headroom <= 0 {
		return func() {}
	}
	t := &gcTuner{percent: g.Percent, headroom: uint64(g.Headroom)}
	t.tune()
	t.watch()
	return func() { t.stopped.Store(true) }
}

// gcTuner sets the GC percent after each collection, from the live heap:
// runtime/debug offers a percent and a limit, not a floor.
type gcTuner struct {
	percent  int
	headroom uint64
	stopped  atomic.Bool
}

// sentinel is garbage from its birth: its finalizer runs once per
// collection. It holds a pointer so that it is not a tiny allocation,
// whose finalizer could wait for its neighbours.
type sentinel struct{ _ *int }

func (t *gcTuner) watch() {
	runtime.SetFinalizer(&sentinel{}, func(*sentinel) {
		if !t.stopped.Load() {
			t.tune()
			t.watch()
		}
	})
}

func (t *gcTuner) tune() {
	sample := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	metrics.Read(sample)
	if sample[0].Value.Kind() != metrics.KindUint64 {
		return // not this runtime: Go's own setting stays
	}
	debug.SetGCPercent(gcPercent(sample[0].Value.Uint64(), t.percent, t.headroom))
}

// gcPercent is the percent that lets garbage grow to headroom above a live
// heap, or percent when that is more. A heap not yet measured counts as the
// runtime's smallest, 4 MiB.
func gcPercent(live uint64, percent int, headroom uint64) int {
	live = max(live, 4<<20)
	return max(percent, int(headroom*100/live))
}
