package websession_test

import (
	"context"
	"net"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/model-api-auth0/model-api-auth0/internal/gateway/websession"
)

// A flood of /login from one address (each stores a pending login) is
// refused with 429 after the burst; the store holds no more than the
// burst; another address still logs in, and a login started before the
// flood completes; X-Forwarded-For from an untrusted peer changes nothing.
func TestLoginFloodIsBoundedPerAddress(t *testing.T) {
	eachStore(t, 1, func(t *testing.T, o options) {
		s := newStack(t, o)
		early := s.browser(t)
		earlyLogin := early.startLogin(s.url(), "organization=globex") // before the flood, from the same address

		flood := from(t, "127.0.0.1")
		const attempts = 3 * websession.DefaultLoginBurst
		var started, refused int
		for i := range attempts {
			req, _ := http.NewRequest(http.MethodGet, s.url()+"/login", nil)
			req.Header.Set("X-Forwarded-For", "198.51.100."+strconv.Itoa(i)) // spoofed: not from a trusted proxy
			resp, err := flood.Do(req)
			require.NoError(t, err)
			resp.Body.Close()
			switch resp.StatusCode {
			case http.StatusFound:
				started++
			case http.StatusTooManyRequests:
				refused++
				wait, err := strconv.Atoi(resp.Header.Get("Retry-After"))
				require.NoError(t, err, "Retry-After %q", resp.Header.Get("Retry-After"))
				assert.GreaterOrEqual(t, wait, 1)
				assert.LessOrEqual(t, wait, int(websession.DefaultLoginEvery/time.Second))
			default:
				t.Fatalf("login %d: status %d", i, resp.StatusCode)
			}
		}
		// The test's clock does not stand still: a token or two may refill.
		assert.LessOrEqual(t, started, websession.DefaultLoginBurst+1)
		assert.GreaterOrEqual(t, refused, attempts-websession.DefaultLoginBurst-1)

		stored, err := websession.PendingLogins(context.Background(), s.webs[0])
		require.NoError(t, err)
		assert.LessOrEqual(t, stored, started+1, "the store holds the logins let through and the earlier one, no more")

		other, err := from(t, "127.0.0.2").Get(s.url() + "/login")
		require.NoError(t, err)
		other.Body.Close()
		assert.Equal(t, http.StatusFound, other.StatusCode, "another address is not limited")

		r := early.get(early.authorize(earlyLogin, bob, "globex").String())
		assert.Equal(t, http.StatusSeeOther, r.StatusCode, "the login started before the flood completes: %s", r.message())
	})
}

// from is a client whose connections come from the loopback address addr
// (all of 127.0.0.0/8 is loopback on Linux), following no redirects.
func from(t *testing.T, addr string) *http.Client {
	t.Helper()
	dialer := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(addr)}, Timeout: 5 * time.Second}
	return &http.Client{
		Timeout:       10 * time.Second,
		Transport:     &http.Transport{DialContext: dialer.DialContext},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}
