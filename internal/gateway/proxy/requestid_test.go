package proxy

import (
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The ledger's key grows with time, so that its unique index is appended
// to; IDs made in the same millisecond stay apart and in order.
func TestRequestIDsGrowWithTime(t *testing.T) {
	const n = 10000
	seen := make(map[string]bool, n)
	prev := ""
	for range n {
		id := newRequestID()
		require.Regexp(t, `^[0-9a-f]{32}$`, id)
		require.False(t, seen[id], "repeated ID %s", id)
		require.Greater(t, id, prev, "IDs out of time order")
		seen[id], prev = true, id
	}
	ms, err := strconv.ParseInt(prev[:12], 16, 64)
	require.NoError(t, err)
	assert.WithinDuration(t, time.Now(), time.UnixMilli(ms), time.Minute, "the first 48 bits are the time in milliseconds")
}
