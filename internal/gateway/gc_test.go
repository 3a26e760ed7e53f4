package gateway

import (
	"math"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestGCPercent(t *testing.T) {
	const MiB = 1 << 20
	for _, tc := range []struct {
		name     string
		live     uint64
		percent  int
		headroom uint64
		want     int
	}{
		{"a small heap gets the headroom", 8 * MiB, 100, 32 * MiB, 400},
		{"a heap not yet measured counts as 4 MiB", 0, 100, 32 * MiB, 800},
		{"a heap under 4 MiB too", 1 * MiB, 100, 32 * MiB, 800},
		{"a large heap gets the percent", 64 * MiB, 100, 32 * MiB, 100},
		{"a larger percent wins", 16 * MiB, 400, 32 * MiB, 400},
	} {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, gcPercent(tc.live, tc.percent, tc.headroom))
		})
	}
}

// After each collection the percent follows the live heap: above 100 while
// the heap is small, back to 100 once it holds more than the headroom. The
// headroom is twice the test's own live heap, whatever that is.
func TestGCTunerFollowsTheLiveHeap(t *testing.T) {
	t.Cleanup(func() { debug.SetGCPercent(100); debug.SetMemoryLimit(math.MaxInt64) })
	runtime.GC()
	headroom := 2 * max(liveHeap(), 4<<20)
	stop := GC{Percent: 100, Headroom: int64(headroom), MemoryLimit: 1 << 40}.apply()
	defer stop()
	assert.Equal(t, int64(1<<40), debug.SetMemoryLimit(-1), "-memory-limit")

	collectUntil := func(want func(int) bool) int {
		var got int
		require.Eventually(t, func() bool {
			runtime.GC() // the tuner's finalizer runs after it
			got = processGOGC()
			return want(got)
		}, 5*time.Second, 10*time.Millisecond, "GC percent %d", got)
		return got
	}
	small := collectUntil(func(p int) bool { return p > 100 })
	assert.InDelta(t, 200, small, 60, "a headroom of twice the live heap")

	held := make([][]byte, 3*headroom>>20) // three headrooms live
	for i := range held {
		held[i] = make([]byte, 1<<20)
	}
	collectUntil(func(p int) bool { return p == 100 })
	runtime.KeepAlive(held)
}

func liveHeap() uint64 {
	sample := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	metrics.Read(sample)
	return sample[0].Value.Uint64()
}

// processGOGC is the GC percent the runtime applies now.
func processGOGC() int {
	sample := []metrics.Sample{{Name: "/gc/gogc:percent"}}
	metrics.Read(sample)
	return int(sample[0].Value.Uint64())
}
