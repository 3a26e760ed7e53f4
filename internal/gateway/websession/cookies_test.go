package websession_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/model-api-auth0/model-api-auth0/internal/testing/syncbuf"
)

// A request carrying the session cookie twice is refused on every route
// that reads it: the gateway takes neither, and clears the ones of
// narrower paths, which it never sets.
func TestTwoSessionCookiesAreRefused(t *testing.T) {
	s := newStack(t, options{})
	victim, attacker := s.browser(t), s.browser(t)
	victim.login(s.url(), bob, "globex")
	attacker.login(s.url(), alice, "acme")
	both := "session=" + attacker.cookie(s.url()).Value + "; session=" + victim.cookie(s.url()).Value
	before := s.upstream.count()
	for _, c := range []struct{ method, path string }{
		{"GET", "/api/messages/admin"}, {"GET", "/v1/models"}, {"POST", "/v1/chat/completions"},
		{"GET", "/"}, {"GET", "/callback?state=x&code=y"}, {"POST", "/logout"},
	} {
		r := s.browser(t).do(c.method, s.url()+c.path, strings.NewReader("{}"), "Cookie", both, "Origin", s.url())
		assert.Equal(t, http.StatusBadRequest, r.StatusCode, "%s %s: %s", c.method, c.path, r.message())
		assert.Contains(t, r.message(), "sent the session cookie 2 times", c.path)
	}
	assert.Equal(t, before, s.upstream.count(), "nothing reached the upstream")
	r := s.browser(t).get(s.url()+"/login", "Cookie", "gateway_login=AAAAAAAAAAAAAAAAAAAAAAAAAA; gateway_login=BBBBBBBBBBBBBBBBBBBBBBBBBB")
	assert.Equal(t, http.StatusBadRequest, r.StatusCode, "two login cookies: %s", r.message())
	assert.Contains(t, r.message(), "sent the login cookie 2 times")

	r = s.browser(t).get(s.url()+"/api/messages/admin", "Cookie", both)
	var cleared []string
	for _, c := range r.Cookies() {
		if c.Name == "session" && c.MaxAge < 0 {
			cleared = append(cleared, c.Path)
		}
	}
	assert.Contains(t, cleared, "/api/messages", "a cookie of a narrower path is cleared")
	assert.NotContains(t, cleared, "/", "the gateway's own cookie is left")
	assert.Equal(t, http.StatusOK, victim.get(s.url()+"/api/messages/protected").StatusCode, "the victim's session is unharmed")
}

// In a real browser: a person is logged in as bob; another web app on the
// same host (another port: cookies ignore ports) sets a session cookie of
// its own, alice's, for a narrower path. The browser then sends both to
// that path, the narrower first. The page's calls there must never run as
// alice; they run as bob again once the planted cookie is cleared.
func TestBrowserPlantedSessionCookie(t *testing.T) {
	ctx := chromium(t)
	var log syncbuf.Buffer
	s := newStack(t, options{log: &log})
	attacker := s.browser(t)
	attacker.login(s.url(), alice, "acme")
	planted := attacker.cookie(s.url()).Value
	evil := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Set-Cookie", "session="+planted+"; Path=/api/messages/admin; HttpOnly")
		fmt.Fprint(w, "<!doctype html><title>another app</title><p id=done>hello</p>")
	}))
	t.Cleanup(evil.Close)

	require.NoError(t, uiLogin(ctx, s, bob, "globex"))
	require.NoError(t, chromedp.Do(ctx, chromedp.Navigate(evil.URL+"/"), chromedp.WaitVisible(css("#done"))))
	admin := `[data-probe="/api/messages/admin"]`
	wait, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	err := chromedp.Do(wait,
		chromedp.Navigate(s.url()+"/"),
		chromedp.WaitVisible(css(admin+`[data-status="403"]`)), // bob's own answer: no read:admin-messages
	)
	assert.NoError(t, err, "the admin probe never answered as bob")
	assert.NotContains(t, log.String(), `"path":"/api/messages/admin","status":200`, "a call of the page ran as alice, who may read admin messages")
}
