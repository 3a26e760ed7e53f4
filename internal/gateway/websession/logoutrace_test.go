package websession_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A refresh waiting for the tenant when the session is logged out must not
// store the session again: the logout wins, in one process and across
// replicas sharing Redis, and the old cookie stays refused.
func TestLogoutWinsOverARefreshInFlight(t *testing.T) {
	eachStore(t, 2, func(t *testing.T, o options) {
		hold := make(chan struct{})
		o.offline, o.holdRefresh = true, hold
		s := newStack(t, o)
		first, last := s.gateways[0].URL, s.gateways[len(s.gateways)-1].URL
		b := s.browser(t)
		b.login(first, bob, "globex")
		old := b.cookie(first).Value
		s.clock.Advance(time.Hour - 30*time.Second) // within the refresh margin

		inFlight := make(chan int, 1)
		go func() { inFlight <- b.get(first + "/api/messages/protected").StatusCode }()
		require.Eventually(t, func() bool { return s.refreshes.Load() == 1 }, 10*time.Second, 5*time.Millisecond, "the refresh reaches the tenant")
		r := b.do(http.MethodPost, last+"/logout", nil, "Origin", last)
		require.Equal(t, http.StatusSeeOther, r.StatusCode, r.message())
		close(hold) // the tenant answers the refresh now, after the logout

		assert.Equal(t, http.StatusUnauthorized, <-inFlight, "the request that waited for the refresh")
		for _, srv := range s.gateways {
			gw := srv.URL
			b.setCookie(gw, old)
			r := b.get(gw + "/api/messages/protected")
			assert.Equal(t, http.StatusUnauthorized, r.StatusCode, "the old cookie at %s after the logout: %s", gw, r.message())
		}
	})
}
