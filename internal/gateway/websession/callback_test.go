package websession_test

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Every bad callback ends with a clear error and no session.
func TestCallbackRefusesBadInput(t *testing.T) {
	cases := []struct {
		name    string
		opts    options
		run     func(s *stack, b *browser) reply
		status  int
		message string
	}{
		{
			name: "tampered state",
			run: func(s *stack, b *browser) reply {
				cb := b.authorize(b.startLogin(s.url(), "organization=globex"), bob, "globex")
				return b.get(withQuery(cb, "state", cb.Query().Get("state")+"x"))
			},
			status: 400, message: "the state matches no login in progress",
		},
		{
			name: "replayed callback",
			run: func(s *stack, b *browser) reply {
				cb := b.authorize(b.startLogin(s.url(), "organization=globex"), bob, "globex")
				first := b.get(cb.String())
				require.Equal(t, http.StatusSeeOther, first.StatusCode)
				b.do(http.MethodPost, s.url()+"/logout", nil, "Origin", s.url())
				return b.get(cb.String())
			},
			status: 400, message: "no login is in progress in this browser",
		},
		{
			name: "replayed code under a new state",
			run: func(s *stack, b *browser) reply {
				cb := b.authorize(b.startLogin(s.url(), "organization=globex"), bob, "globex")
				require.Equal(t, http.StatusSeeOther, b.get(cb.String()).StatusCode)
				b.do(http.MethodPost, s.url()+"/logout", nil, "Origin", s.url())
				fresh := b.startLogin(s.url(), "organization=globex")
				return b.get(withQuery(cb, "state", fresh.Query().Get("state")))
			},
			status: 400, message: "the tenant refused the authorization code",
		},
		{
			name: "code of another login (PKCE)",
			run: func(s *stack, b *browser) reply {
				first := b.authorize(b.startLogin(s.url(), "organization=globex"), bob, "globex")
				second := b.startLogin(s.url(), "organization=globex")
				return b.get(withQuery(first, "state", second.Query().Get("state")))
			},
			status: 400, message: "the tenant refused the authorization code",
		},
		{
			name:   "wrong nonce",
			opts:   options{idToken: func(c map[string]any) { c["nonce"] = "not-this-login" }},
			run:    loginReply(bob, "globex"),
			status: 400, message: "nonce is not this login's",
		},
		{
			name:   "ID token for another audience",
			opts:   options{idToken: func(c map[string]any) { c["aud"] = "another-client" }},
			run:    loginReply(bob, "globex"),
			status: 502, message: "expected audience",
		},
		{
			name:   "ID token issued to another client (azp)",
			opts:   options{idToken: func(c map[string]any) { c["aud"] = []any{c["aud"], "another-client"}; c["azp"] = "another-client" }},
			run:    loginReply(bob, "globex"),
			status: 502, message: `issued to client "another-client"`,
		},
		{
			name:   "ID token for another organization",
			opts:   options{idToken: func(c map[string]any) { c["org_id"], c["org_name"] = "org_other", "other" }},
			run:    loginReply(bob, "globex"),
			status: 403, message: `asked for organization globex but the ID token is for other (org_other)`,
		},
		{
			name:   "ID token without organization",
			opts:   options{idToken: func(c map[string]any) { delete(c, "org_id"); delete(c, "org_name") }},
			run:    loginReply(bob, "globex"),
			status: 403, message: `but the ID token is for no organization`,
		},
		{
			name: "not a member of the organization asked for",
			run: func(s *stack, b *browser) reply {
				return b.get(b.authorize(b.startLogin(s.url(), "organization=acme"), bob, "acme").String())
			},
			status: 403, message: "the tenant refused the login: access_denied",
		},
		{
			name: "callback without a login started here",
			run: func(s *stack, b *browser) reply {
				other := s.browser(t)
				cb := other.authorize(other.startLogin(s.url(), "organization=globex"), bob, "globex")
				return b.get(cb.String()) // another browser's callback: login CSRF
			},
			status: 400, message: "no login is in progress in this browser",
		},
		{
			name:   "no state",
			run:    func(s *stack, b *browser) reply { return b.get(s.url() + "/callback?code=abc") },
			status: 400, message: "the callback has no state",
		},
		{
			name: "no code",
			run: func(s *stack, b *browser) reply {
				authorize := b.startLogin(s.url(), "")
				return b.get(s.url() + "/callback?state=" + url.QueryEscape(authorize.Query().Get("state")))
			},
			status: 400, message: "the callback has no code",
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := newStack(t, c.opts)
			b := s.browser(t)
			r := c.run(s, b)
			assert.Equal(t, c.status, r.StatusCode, r.message())
			assert.Contains(t, r.message(), c.message)
			for name, n := range setCookieCounts(r) {
				assert.Equal(t, 1, n, "Set-Cookie headers for %s", name)
			}
			api := b.get(s.url() + "/api/messages/protected")
			assert.Equal(t, http.StatusUnauthorized, api.StatusCode, "no session after %s", c.name)
			assert.NotContains(t, b.get(s.url()+"/").body, `id="logout"`)
		})
	}
}

func loginReply(email, org string) func(*stack, *browser) reply {
	return func(s *stack, b *browser) reply {
		return b.get(b.authorize(b.startLogin(s.url(), "organization="+org), email, org).String())
	}
}

func withQuery(u *url.URL, key, value string) string {
	c := *u
	q := c.Query()
	q.Set(key, value)
	c.RawQuery = q.Encode()
	return c.String()
}
