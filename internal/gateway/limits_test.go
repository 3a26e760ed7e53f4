package gateway

import (
	"log/slog"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// With Redis, the limits are leased unless the lease is 0: then the Redis
// store itself counts every request.
func TestLeasesFollowTheLeasePeriod(t *testing.T) {
	routes := writeFile(t, "routes.yaml", "routes:\n  - pattern: GET /v1/models\nlimits:\n  perClient: {requests: 10}\n")
	for _, tc := range []struct {
		redis  string
		lease  time.Duration
		leased bool
	}{
		{"redis://127.0.0.1:1/0", 10 * time.Millisecond, true},
		{"redis://127.0.0.1:1/0", 0, false},
		{"", 10 * time.Millisecond, false}, // in memory
	} {
		o := minimalOptions()
		o.Routes.File, o.Limits.RedisURL, o.Limits.Lease = routes, tc.redis, tc.lease
		p, err := o.assemble(slog.New(slog.DiscardHandler))
		require.NoError(t, err)
		assert.NotNil(t, p.limits)
		assert.Equal(t, tc.leased, p.leases != nil, "%+v", tc)
		assert.NoError(t, p.close())
	}
}
