package websession_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/model-api-auth0/model-api-auth0/internal/gateway/redisurl"
	"github.com/model-api-auth0/model-api-auth0/internal/gateway/websession"
	"github.com/model-api-auth0/model-api-auth0/internal/testing/redistest"
)

// The tenant answers a refresh just as the gateway's refresh times out
// (it has rotated the refresh token by then): the new refresh token is
// still stored, since the one stored before is spent, and the other
// replica, which waited for the refresh meanwhile, does not refresh again
// with the spent one (which the tenant would take for a stolen copy, and
// revoke the session).
func TestRefreshAnsweredAsItTimesOut(t *testing.T) {
	client, err := redisurl.Client(redistest.Start(t).URL)
	require.NoError(t, err)
	s := newStack(t, options{redis: client, replicas: 2, offline: true, lateRefreshes: 1})
	for _, web := range s.webs {
		websession.SetRefreshTimeouts(web, time.Second, 2*time.Second)
	}
	one, two := s.gateways[0].URL, s.gateways[1].URL
	b := s.browser(t)
	b.login(one, bob, "globex")
	s.clock.Advance(time.Hour - 30*time.Second)

	first := make(chan int, 1)
	go func() { first <- b.get(one + "/api/messages/protected").StatusCode }()
	require.Eventually(t, func() bool { return s.refreshes.Load() == 1 }, 10*time.Second, 5*time.Millisecond)
	r := b.get(two + "/api/messages/protected") // waits for the first replica's refresh
	assert.Equal(t, http.StatusOK, r.StatusCode, r.message())
	assert.Equal(t, http.StatusOK, <-first)
	assert.EqualValues(t, 1, s.refreshes.Load(), "one refresh between the replicas")

	s.clock.Advance(time.Hour) // the stored refresh token is the rotated one: it renews
	r = b.get(two + "/api/messages/protected")
	assert.Equal(t, http.StatusOK, r.StatusCode, r.message())
	assert.EqualValues(t, 2, s.refreshes.Load())
}

// Redis fails to store renewed tokens: the save is retried, and if Redis
// stays down for the whole save, the renewed tokens are kept by the
// replica and stored with its next request. Either way the rotated
// refresh token is not lost: the next refresh, on any replica, uses it.
func TestRenewedTokensSurviveAFailingStore(t *testing.T) {
	cases := map[string]struct {
		failures int  // session writes refused
		recover  bool // a request to the same replica after Redis is back
	}{
		"one write fails: retried":                                {failures: 1},
		"down for the whole save: kept, stored with the next one": {failures: 1 << 20, recover: true},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			client, err := redisurl.Client(redistest.Start(t).URL)
			require.NoError(t, err)
			down := &failingWrites{prefix: "model-api-auth0:session:"}
			client.AddHook(down)
			s := newStack(t, options{redis: client, replicas: 2, offline: true})
			for _, web := range s.webs {
				websession.SetRefreshTimeouts(web, 5*time.Second, 300*time.Millisecond)
			}
			one, two := s.gateways[0].URL, s.gateways[1].URL
			b := s.browser(t)
			b.login(one, bob, "globex")
			s.clock.Advance(time.Hour - 30*time.Second)

			down.fail(c.failures)
			r := b.get(one + "/api/messages/protected")
			assert.Equal(t, http.StatusOK, r.StatusCode, r.message())
			down.fail(0)
			if c.recover {
				r = b.get(one + "/api/messages/protected")
				assert.Equal(t, http.StatusOK, r.StatusCode, r.message())
			}
			r = b.get(two + "/api/messages/protected")
			assert.Equal(t, http.StatusOK, r.StatusCode, r.message())
			assert.EqualValues(t, 1, s.refreshes.Load(), "the renewed tokens were stored")

			s.clock.Advance(time.Hour)
			r = b.get(two + "/api/messages/protected")
			assert.Equal(t, http.StatusOK, r.StatusCode, "the rotated refresh token renews: %s", r.message())
			assert.EqualValues(t, 2, s.refreshes.Load())
		})
	}
}

// failingWrites is a go-redis hook refusing the next writes (SET) of keys
// with prefix, as a Redis briefly out of reach would.
type failingWrites struct {
	prefix string
	mu     sync.Mutex
	left   int
}

func (h *failingWrites) fail(n int) { h.mu.Lock(); h.left = n; h.mu.Unlock() }

func (h *failingWrites) refuses(cmd redis.Cmder) bool {
	key, _ := cmd.Args()[min(1, len(cmd.Args())-1)].(string)
	if cmd.Name() != "set" || !strings.HasPrefix(key, h.prefix) {
		return false
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.left == 0 {
		return false
	}
	h.left--
	return true
}

func (h *failingWrites) DialHook(next redis.DialHook) redis.DialHook { return next }

func (h *failingWrites) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		if h.refuses(cmd) {
			err := errors.New("injected: redis out of reach")
			cmd.SetErr(err)
			return err
		}
		return next(ctx, cmd)
	}
}

func (h *failingWrites) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return next
}
