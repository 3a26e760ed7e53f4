package websession_test

import (
	"context"
	"github.com/model-api-auth0/model-api-auth0/internal/testing/syncbuf"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/model-api-auth0/model-api-auth0/internal/dev/devtenant"
	"github.com/model-api-auth0/model-api-auth0/internal/gateway/proxy"
	"github.com/model-api-auth0/model-api-auth0/internal/gateway/redisurl"
	"github.com/model-api-auth0/model-api-auth0/internal/testing/redistest"
)

// A state-changing call with the session cookie must prove it comes from
// the gateway's own page; one with a bearer token needs no such proof.
func TestSessionCallsNeedSameOrigin(t *testing.T) {
	var log syncbuf.Buffer
	s := newStack(t, options{log: &log})
	b := s.browser(t)
	b.login(s.url(), bob, "globex")
	chat := s.url() + "/v1/chat/completions"
	cases := []struct {
		name    string
		headers []string
		status  int
	}{
		{"cross-origin Origin", []string{"Origin", "https://evil.example"}, 403},
		{"cross-site fetch", []string{"Sec-Fetch-Site", "cross-site", "Origin", "https://evil.example"}, 403},
		{"same-site fetch", []string{"Sec-Fetch-Site", "same-site"}, 403},
		{"Origin null", []string{"Origin", "null"}, 403},
		{"another port of the host", []string{"Origin", "http://127.0.0.1:1"}, 403},
		{"neither Origin nor Sec-Fetch-Site", nil, 403},
		{"same origin", []string{"Origin", s.url()}, 200},
		{"same-origin fetch without Origin", []string{"Sec-Fetch-Site", "same-origin"}, 200},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			before := s.upstream.count()
			r := b.do(http.MethodPost, chat, strings.NewReader(`{}`), append(c.headers, "Content-Type", "application/json")...)
			require.Equal(t, c.status, r.StatusCode, r.message())
			if c.status == 403 {
				assert.Contains(t, r.message(), "cross-origin request refused")
				assert.Equal(t, before, s.upstream.count(), "refused before the upstream")
			}
		})
	}

	assert.Contains(t, log.String(), `"reason":"cross-origin request refused: Origin \"https://evil.example\" is not `+s.url(),
		"the access log says why")

	// A bearer caller (no cookie) posts without Origin, as any API client does.
	tok, err := s.dt.Tokens(context.Background(), devtenant.UserLogin{Email: bob, Organization: "globex"})
	require.NoError(t, err)
	m2m := s.browser(t)
	r := m2m.do(http.MethodPost, chat, strings.NewReader(`{}`), "Authorization", "Bearer "+tok.AccessToken)
	assert.Equal(t, http.StatusOK, r.StatusCode, r.message())
}

// A bearer header wins over the cookie; the cookie never reaches the upstream.
func TestBearerWinsOverTheSession(t *testing.T) {
	s := newStack(t, options{})
	b := s.browser(t)
	b.login(s.url(), alice, "acme")
	tok, err := s.dt.Tokens(context.Background(), devtenant.UserLogin{Email: bob, Organization: "globex"})
	require.NoError(t, err)
	r := b.get(s.url()+"/v1/models", "Authorization", "Bearer "+tok.AccessToken)
	require.Equal(t, http.StatusOK, r.StatusCode, r.message())
	seen := s.upstream.last()
	assert.Equal(t, s.dt.UserID(bob), seen.Get(proxy.HeaderSubject))
	assert.NotContains(t, seen.Get("Cookie"), b.cookie(s.url()).Value)
	assert.Equal(t, http.StatusForbidden, b.get(s.url()+"/api/messages/admin", "Authorization", "Bearer "+tok.AccessToken).StatusCode,
		"bob's token, not alice's session")
}

// A cookie naming no session gets a clear 401 and is cleared; public
// routes do not look at it.
func TestUnknownSessionID(t *testing.T) {
	s := newStack(t, options{})
	b := s.browser(t)
	b.setCookie(s.url(), "forged-or-expired-session-id")
	r := b.get(s.url() + "/api/messages/protected")
	assert.Equal(t, http.StatusUnauthorized, r.StatusCode)
	assert.Contains(t, r.message(), "names no logged-in session")
	assert.Contains(t, r.Header.Get("WWW-Authenticate"), "Bearer")
	assert.Contains(t, setCookieHeader(r), "Max-Age=0", "the dead cookie is cleared")

	b.setCookie(s.url(), "forged-or-expired-session-id")
	page := b.get(s.url() + "/")
	assert.Equal(t, http.StatusOK, page.StatusCode)
	assert.Contains(t, page.body, `id="login"`)
	assert.Contains(t, setCookieHeader(page), "Max-Age=0")

	b.setCookie(s.url(), "forged-or-expired-session-id")
	assert.Equal(t, http.StatusOK, b.get(s.url()+"/api/messages/public").StatusCode)
}

// With Redis down, session routes answer 503 clearly; bearer calls go on.
func TestRedisDown(t *testing.T) {
	client, err := redisurl.Client(redistest.DownURL(t))
	require.NoError(t, err)
	s := newStack(t, options{redis: client})
	b := s.browser(t)
	r := b.get(s.url() + "/login")
	assert.Equal(t, http.StatusServiceUnavailable, r.StatusCode)
	assert.Contains(t, r.message(), "the session store is not answering")
	assert.Nil(t, b.cookie(s.url()), "no session")
	b.setCookie(s.url(), "some-session-id")
	for _, path := range []string{"/", "/callback?state=x&code=y", "/api/messages/protected", "/v1/models"} {
		r := b.get(s.url() + path)
		assert.Equal(t, http.StatusServiceUnavailable, r.StatusCode, path)
		assert.Contains(t, r.message(), "the session store is not answering", path)
		assert.Equal(t, "5", r.Header.Get("Retry-After"), path)
	}

	tok, err := s.dt.Tokens(context.Background(), devtenant.UserLogin{Email: bob, Organization: "globex"})
	require.NoError(t, err)
	bearer := s.browser(t)
	assert.Equal(t, http.StatusOK, bearer.get(s.url()+"/api/messages/protected", "Authorization", "Bearer "+tok.AccessToken).StatusCode)
	assert.Equal(t, http.StatusOK, bearer.get(s.url()+"/v1/models", "Authorization", "Bearer "+tok.AccessToken).StatusCode)
}

// A Redis that goes down after login: session calls answer 503, quickly.
func TestRedisGoesDownAfterLogin(t *testing.T) {
	srv := redistest.Start(t)
	client, err := redisurl.Client(srv.URL)
	require.NoError(t, err)
	s := newStack(t, options{redis: client})
	b := s.browser(t)
	b.login(s.url(), bob, "globex")
	require.Equal(t, http.StatusOK, b.get(s.url()+"/api/messages/protected").StatusCode)
	srv.Stop()
	start := time.Now()
	r := b.get(s.url() + "/api/messages/protected")
	assert.Equal(t, http.StatusServiceUnavailable, r.StatusCode, r.message())
	assert.Less(t, time.Since(start), 5*time.Second, "a down Redis fails fast")
}

// Access tokens are renewed before they expire, once however many
// requests need it at the same time.
func TestRefreshSharedByConcurrentRequests(t *testing.T) {
	hold := make(chan struct{})
	s := newStack(t, options{offline: true, holdRefresh: hold})
	b := s.browser(t)
	b.login(s.url(), bob, "globex")
	s.clock.Advance(time.Hour - 30*time.Second) // the API's token lifetime is 3600 s

	var wg sync.WaitGroup
	statuses := make(chan int, 20)
	for range 20 {
		wg.Go(func() { statuses <- b.get(s.url() + "/api/messages/protected").StatusCode })
	}
	time.Sleep(300 * time.Millisecond) // let them pile up on the held refresh
	close(hold)
	wg.Wait()
	close(statuses)
	for st := range statuses {
		assert.Equal(t, http.StatusOK, st)
	}
	assert.EqualValues(t, 1, s.refreshes.Load(), "one refresh for all the requests")
	assert.Equal(t, http.StatusOK, b.get(s.url()+"/api/messages/protected").StatusCode)
	assert.EqualValues(t, 1, s.refreshes.Load(), "the renewed token was stored")
}

// Without a refresh token, the session lasts as long as its access token.
func TestSessionEndsWithItsAccessToken(t *testing.T) {
	s := newStack(t, options{offline: false})
	b := s.browser(t)
	b.login(s.url(), bob, "globex")
	s.clock.Advance(time.Hour - 30*time.Second)
	assert.Equal(t, http.StatusOK, b.get(s.url()+"/api/messages/protected").StatusCode, "still valid: used as it is")
	assert.EqualValues(t, 0, s.refreshes.Load())
	s.clock.Advance(time.Minute)
	r := b.get(s.url() + "/api/messages/protected")
	assert.Equal(t, http.StatusUnauthorized, r.StatusCode)
	assert.Contains(t, r.message(), "your session ended")
	assert.Nil(t, b.cookie(s.url()), "the cookie is cleared")
}

// A refresh token the tenant refuses (revoked) ends the session at once.
func TestSessionEndsWhenTheTenantRefusesRenewal(t *testing.T) {
	s := newStack(t, options{offline: true, refuseRefresh: true})
	b := s.browser(t)
	b.login(s.url(), bob, "globex")
	old := b.cookie(s.url()).Value
	s.clock.Advance(time.Hour - 30*time.Second)
	r := b.get(s.url() + "/api/messages/protected")
	assert.Equal(t, http.StatusUnauthorized, r.StatusCode)
	assert.Contains(t, r.message(), "your session ended")
	assert.EqualValues(t, 1, s.refreshes.Load())
	b.setCookie(s.url(), old)
	r = b.get(s.url() + "/")
	assert.Contains(t, r.body, `id="login"`, "the session is gone from the store")
}

// Two gateways share sessions through Redis: log in through one, call
// through the other, log out through the first, refused by the second.
func TestSessionsSharedThroughRedis(t *testing.T) {
	srv := redistest.Start(t)
	client, err := redisurl.Client(srv.URL)
	require.NoError(t, err)
	s := newStack(t, options{redis: client, replicas: 2})
	one, two := s.gateways[0].URL, s.gateways[1].URL
	b := s.browser(t)
	b.login(one, bob, "globex")

	r := b.get(two + "/api/messages/protected")
	assert.Equal(t, http.StatusOK, r.StatusCode, r.message())
	assert.Contains(t, b.get(two+"/").body, bob)

	keys, err := srv.Client(t).Keys(context.Background(), "*").Result()
	require.NoError(t, err)
	require.NotEmpty(t, keys)
	for _, k := range keys {
		assert.NotContains(t, k, b.cookie(one).Value, "session IDs are hashed in Redis")
		v, _ := srv.Client(t).Get(context.Background(), k).Bytes()
		assert.NotContains(t, string(v), "eyJ", "no token in plain text in Redis")
		assert.NotContains(t, string(v), bob)
	}

	old := b.cookie(one).Value
	r = b.do(http.MethodPost, one+"/logout", nil, "Origin", one)
	require.Equal(t, http.StatusSeeOther, r.StatusCode, r.message())
	b.setCookie(two, old) // a copy of the cookie kept from before the logout
	r = b.get(two + "/api/messages/protected")
	assert.Equal(t, http.StatusUnauthorized, r.StatusCode)
}

// Replicas sharing Redis renew one session's token once between them.
func TestRefreshSharedAcrossReplicas(t *testing.T) {
	srv := redistest.Start(t)
	client, err := redisurl.Client(srv.URL)
	require.NoError(t, err)
	hold := make(chan struct{})
	s := newStack(t, options{redis: client, replicas: 2, offline: true, holdRefresh: hold})
	b := s.browser(t)
	b.login(s.gateways[0].URL, bob, "globex")
	s.clock.Advance(time.Hour - 30*time.Second)

	var wg sync.WaitGroup
	statuses := make(chan int, 20)
	for i := range 20 {
		gw := s.gateways[i%2].URL
		wg.Go(func() { statuses <- b.get(gw + "/api/messages/protected").StatusCode })
	}
	time.Sleep(300 * time.Millisecond)
	close(hold)
	wg.Wait()
	close(statuses)
	for st := range statuses {
		assert.Equal(t, http.StatusOK, st)
	}
	assert.EqualValues(t, 1, s.refreshes.Load(), "one refresh across both replicas")
}
