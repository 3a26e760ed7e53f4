package main

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestDelayAddedOverTheDirectRun(t *testing.T) {
	us := func(n int) time.Duration { return time.Duration(n) * time.Microsecond }
	sorted := func(n, from, step int) []time.Duration {
		d := make([]time.Duration, n)
		for i := range d {
			d[i] = us(from + i*step)
		}
		return d
	}
	direct := delaysOf("upstream direct", sorted(1000, 100, 1)) // 100..1099 us
	proxied := delaysOf("gateway", sorted(1000, 150, 2))        // 150..2148 us
	assert.Equal(t, us(599), direct.P50)
	assert.Equal(t, us(1089), direct.P99)
	assert.Equal(t, "p50 +549 us, p90 +949 us, p99 +1039 us, p99.9 +1048 us", proxied.addedOver(direct))
	// Faster than the direct run is shown as it is, not hidden.
	assert.Equal(t, "p50 -549 us, p90 -949 us, p99 -1039 us, p99.9 -1048 us", direct.addedOver(proxied))

	path := filepath.Join(t.TempDir(), "direct.json")
	require.NoError(t, direct.save(path))
	loaded, err := loadDelays(path)
	require.NoError(t, err)
	assert.Equal(t, direct, loaded)

	require.NoError(t, delaysOf("upstream direct", nil).save(path))
	_, err = loadDelays(path)
	assert.ErrorContains(t, err, `the "upstream direct" run received no events`)
	_, err = loadDelays(filepath.Join(t.TempDir(), "missing.json"))
	assert.Error(t, err)
}
