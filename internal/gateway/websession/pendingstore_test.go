package websession

import (
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// However many callbacks take a login at once, one gets it; the others
// find it taken, and then its outcome.
func TestMemoryPendingTakesOnce(t *testing.T) {
	m := newMemoryPending(10)
	require.NoError(t, m.add(t.Context(), "key", []byte{tagLogin, 1, 2, 3}, time.Minute))
	var got atomic.Int32
	var wg sync.WaitGroup
	for range 50 {
		wg.Go(func() {
			if b, _ := m.take(t.Context(), "key"); len(b) > 0 && b[0] == tagLogin {
				got.Add(1)
			}
		})
	}
	wg.Wait()
	assert.EqualValues(t, 1, got.Load())
	b, _ := m.peek(t.Context(), "key")
	assert.Equal(t, []byte{tagTaken}, b)
	require.NoError(t, m.settle(t.Context(), "key", []byte{tagOutcome, 9}))
	b, _ = m.take(t.Context(), "key")
	assert.Equal(t, []byte{tagOutcome, 9}, b, "a settled login stays settled")
}
