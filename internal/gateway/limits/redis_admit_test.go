package limits

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The script's reply is read strictly: a reply of another shape (another
// script under the same digest, a Redis that converts replies otherwise) is
// an error, never a verdict.
func TestParseAdmitted(t *testing.T) {
	got, err := parseAdmitted([]any{"42", "0", int64(1), int64(9), "-1", "0.5", int64(0), int64(0), "2.25", "3"}, 2, 2)
	require.NoError(t, err)
	assert.Equal(t, []int64{42, 0}, got.Used)
	assert.Equal(t, []Result{
		{Allowed: true, Remaining: 9, ResetAfter: 500 * time.Millisecond},
		{Allowed: false, RetryAfter: 2250 * time.Millisecond, ResetAfter: 3 * time.Second},
	}, got.Rates)

	got, err = parseAdmitted([]any{"100", "7"}, 2, 2)
	require.NoError(t, err, "a spent budget: no rate checked")
	assert.Equal(t, []int64{100, 7}, got.Used)
	assert.Empty(t, got.Rates)

	for name, reply := range map[string][]any{
		"too short":             {"1"},
		"a rate cut short":      {"1", "2", int64(1), int64(9), "-1"},
		"more rates than asked": {"1", "2", int64(1), int64(9), "-1", "0.5", int64(1), int64(9), "-1", "0.5", int64(1), int64(9), "-1", "0.5"},
		"used not a number":     {"lots", "2"},
		"used not a string":     {int64(1), "2"},
		"allowed not a number":  {"1", "2", "yes", int64(9), "-1", "0.5"},
		"duration not a number": {"1", "2", int64(1), int64(9), "soon", "0.5"},
		"duration not a string": {"1", "2", int64(1), int64(9), int64(-1), "0.5"},
	} {
		_, err := parseAdmitted(reply, 2, 2)
		assert.Error(t, err, name)
	}
}
