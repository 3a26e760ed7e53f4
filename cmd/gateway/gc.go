package main

import (
	"flag"
	"fmt"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"strconv"
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
const defaultGCHeadroom = 32 << 20

// gcSettings are the garbage collector's: -gc-percent, -gc-headroom and
// -memory-limit.
type gcSettings struct {
	percent     int
	headroom    byteSizeFlag
	memoryLimit byteSizeFlag
}

func (g *gcSettings) register(fs *flag.FlagSet, getenv func(k, def string) string) {
	percent := 100
	if v := getenv("GOGC", ""); v == "off" {
		percent = -1
	} else if n, err := strconv.Atoi(v); err == nil {
		percent = n
	}
	g.headroom = defaultGCHeadroom
	fs.IntVar(&g.percent, "gc-percent", percent, "garbage the collector lets grow, in percent of the live heap, as GOGC (env GOGC; -1 is off)")
	fs.Var(&g.headroom, "gc-headroom", "`size` of garbage the collector lets grow at least, such as 32MiB, whatever the percent gives for a small heap; 0: the percent alone")
	fs.Var(&g.memoryLimit, "memory-limit", "soft limit of the process's memory, a `size` such as 1GiB, as GOMEMLIMIT (env GOMEMLIMIT): the collector works harder near it; in a container, about 90% of its memory; 0: none")
}

func (g gcSettings) validate() error {
	if g.percent < -1 {
		return fmt.Errorf("-gc-percent %d: want a percentage such as 100, or -1 (off)", g.percent)
	}
	return nil
}

// apply sets the collector up for the process; the returned func stops
// adjusting it.
func (g gcSettings) apply() (stop func()) {
	if g.memoryLimit > 0 {
		debug.SetMemoryLimit(int64(g.memoryLimit))
	}
	debug.SetGCPercent(g.percent)
	if g.percent < 0 || g.headroom <= 0 {
		return func() {}
	}
	t := &gcTuner{percent: g.percent, headroom: uint64(g.headroom)}
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
