package websession_test

import (
	"context"
	"fmt"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/model-api-auth0/model-api-auth0/internal/gateway/websession"
)

// Anonymous logins from many addresses, each within its own limit, fill
// neither store: pending logins are bounded (the oldest dropped first) and
// cost a small record each; sessions are never dropped for them. The last
// login started still completes, and a logged-in session still works.
func TestAnonymousLoginsAreBounded(t *testing.T) {
	const bound = 20
	eachStore(t, 1, func(t *testing.T, o options) {
		s := newStack(t, o)
		websession.SetStoreBounds(s.webs[0], bound, 100)
		loggedIn := s.browser(t)
		loggedIn.login(s.url(), bob, "globex")

		for i := range 3 * bound {
			resp, err := from(t, fmt.Sprintf("127.0.0.%d", 2+i)).Get(s.url() + "/login")
			require.NoError(t, err)
			resp.Body.Close()
			require.Equal(t, http.StatusFound, resp.StatusCode, "each address is within its limit")
		}
		last := s.browser(t)
		lastLogin := last.startLogin(s.url(), "organization=globex")

		ctx := context.Background()
		sessions, err := websession.StoredSessions(ctx, s.webs[0])
		require.NoError(t, err)
		pending, err := websession.PendingLogins(ctx, s.webs[0])
		require.NoError(t, err)
		assert.LessOrEqual(t, sessions, 1, "only the logged-in session is a session")
		assert.LessOrEqual(t, pending, bound, "pending logins beyond the bound are dropped")

		assert.Equal(t, http.StatusOK, loggedIn.get(s.url()+"/api/messages/protected").StatusCode, "the logged-in session survives the flood")
		r := last.get(last.authorize(lastLogin, bob, "globex").String())
		assert.Equal(t, http.StatusSeeOther, r.StatusCode, "the newest login completes: %s", r.message())
	})
}

// The sessions kept in memory are bounded too: a login beyond the bound is
// refused with a clear answer, and the sessions there are kept.
func TestMemorySessionsAreBounded(t *testing.T) {
	s := newStack(t, options{})
	websession.SetStoreBounds(s.webs[0], 100, 2)
	first, second, third := s.browser(t), s.browser(t), s.browser(t)
	first.login(s.url(), bob, "globex")
	second.login(s.url(), alice, "acme")
	r := third.get(third.authorize(third.startLogin(s.url(), "organization=globex"), bob, "globex").String())
	assert.Equal(t, http.StatusServiceUnavailable, r.StatusCode, r.message())
	assert.Contains(t, r.message(), "as many sessions as it may")
	for _, b := range []*browser{first, second} {
		assert.Equal(t, http.StatusOK, b.get(s.url()+"/api/messages/protected").StatusCode)
	}
}
