package websession_test

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A session that ends revokes its refresh token at the tenant (RFC 7009): a
// copy taken from the store before, or from a dump of it, renews nothing.
// It ends by logout, or by a new login in the same browser replacing it.
func TestEndedSessionsRevokeTheirRefreshToken(t *testing.T) {
	ends := map[string]func(s *stack, b *browser) reply{
		"logout": func(s *stack, b *browser) reply {
			return b.do(http.MethodPost, s.url()+"/logout", nil, "Origin", s.url())
		},
		"a new login in the same browser": func(s *stack, b *browser) reply {
			return b.get(b.authorize(b.startLogin(s.url(), "organization=globex"), bob, "globex").String())
		},
	}
	for name, end := range ends {
		t.Run(name, func(t *testing.T) {
			s := newStack(t, options{offline: true})
			b := s.browser(t)
			b.login(s.url(), bob, "globex")
			rt := s.lastRefreshToken()
			require.NotEmpty(t, rt, "the API allows offline access: a refresh token")

			r := end(s, b)
			require.Equal(t, http.StatusSeeOther, r.StatusCode, r.message())
			status, code := s.redeem(t, rt)
			assert.Equal(t, http.StatusBadRequest, status, "the ended session's refresh token still renews at the tenant")
			assert.Equal(t, "invalid_grant", code)
		})
	}
}
