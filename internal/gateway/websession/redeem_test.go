package websession_test

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/model-api-auth0/model-api-auth0/internal/gateway/redisurl"
	"github.com/model-api-auth0/model-api-auth0/internal/testing/redistest"
)

// Two callbacks with the same state from the same browser (a double
// click, a prefetch), the second arriving while the first is taking its
// login: the code is redeemed once, both answers log the browser in with
// the same session, and the tenant, which never saw a replay, keeps the
// login's refresh token valid.
func TestCallbackRedeemsOnce(t *testing.T) {
	client, err := redisurl.Client(redistest.Start(t).URL)
	require.NoError(t, err)
	hold := &holdFirstTake{prefix: "model-api-auth0:login:", held: make(chan struct{}), release: make(chan struct{})}
	client.AddHook(hold)
	s := newStack(t, options{redis: client, offline: true})
	b := s.browser(t)
	callback := b.authorize(b.startLogin(s.url(), "organization=globex"), bob, "globex").String()

	hold.armed.Store(true)
	answers := make(chan reply, 2)
	go func() { answers <- b.get(callback) }()
	<-hold.held // the first is taking the login
	second := b.get(callback)
	close(hold.release)
	first := <-answers

	assert.EqualValues(t, 1, s.codes.Load(), "the code was redeemed once")
	for name, r := range map[string]reply{"first": first, "second": second} {
		assert.Equal(t, http.StatusSeeOther, r.StatusCode, "%s: %s", name, r.message())
		assert.Equal(t, "/", r.Header.Get("Location"), name)
	}
	assert.Equal(t, setCookieHeader(first), setCookieHeader(second), "both answers carry the same session")
	assert.Equal(t, http.StatusOK, b.get(s.url()+"/api/messages/protected").StatusCode)
	s.clock.Advance(time.Hour - 30*time.Second)
	r := b.get(s.url() + "/api/messages/protected")
	assert.Equal(t, http.StatusOK, r.StatusCode, "the login's refresh token renews: %s", r.message())
}

// In a real browser: the tenant sends a tab to the callback and, while the
// gateway redeems the code, another tab of the browser opens the same
// callback (a prefetch, a second click) and the first tab is closed,
// dropping its request (as a second click on a link drops the first
// navigation). The code is redeemed once, the login completes all the
// same, and the tab still open shows the logged-in page.
func TestBrowserDoubleCallback(t *testing.T) {
	browser := chromium(t)
	holdCode := make(chan struct{})
	release := sync.OnceFunc(func() { close(holdCode) })
	var mu sync.Mutex
	var callbacks []*http.Request
	s := newStack(t, options{holdCode: holdCode, wrap: func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path == "/callback" {
				mu.Lock()
				callbacks = append(callbacks, r)
				mu.Unlock()
			}
			next.ServeHTTP(w, r)
		})
	}})
	t.Cleanup(release) // before the servers close: they wait for their requests
	seen := func() []*http.Request {
		mu.Lock()
		defer mu.Unlock()
		return append([]*http.Request(nil), callbacks...)
	}

	first, closeFirst := chromedp.NewContext(browser) // tabs of the same browser: the same cookies
	defer closeFirst()
	require.NoError(t, chromedp.Do(first,
		chromedp.Navigate(s.url()+"/"),
		chromedp.SetValue(css("#organization"), "globex"),
		chromedp.Click(css("#login")),
		chromedp.WaitVisible(css(`input[name="email"]`)),
		chromedp.SetValue(css(`input[name="email"]`), bob),
		chromedp.SetValue(css(`input[name="password"]`), s.dt.Password()),
		chromedp.Click(css("#submit")),
	))
	require.Eventually(t, func() bool { return s.codes.Load() == 1 }, 20*time.Second, 10*time.Millisecond, "the first callback redeems the code")

	second, closeSecond := chromedp.NewContext(browser)
	defer closeSecond()
	shown := make(chan error, 1)
	go func() {
		wait, cancel := context.WithTimeout(second, 30*time.Second)
		defer cancel()
		shown <- chromedp.Do(wait, chromedp.Navigate(s.url()+seen()[0].URL.RequestURI()), chromedp.WaitVisible(css("#logout")))
	}()
	// Chromium sends the second request for a URL once the first has its
	// answer, or is dropped.
	closeFirst()
	require.Eventually(t, func() bool { return seen()[0].Context().Err() != nil }, 20*time.Second, 10*time.Millisecond, "the first tab's request is dropped")
	require.Eventually(t, func() bool { return len(seen()) == 2 }, 20*time.Second, 10*time.Millisecond, "the second tab reaches the callback")
	release()

	assert.NoError(t, <-shown, "the second tab shows the logged-in page")
	assert.EqualValues(t, 1, s.codes.Load(), "the code was redeemed once")
}

// holdFirstTake is a go-redis hook that, once armed, holds the first
// command (or transaction) removing or taking a record under prefix until
// release is closed, telling held when it does.
type holdFirstTake struct {
	prefix        string
	armed         atomic.Bool
	held, release chan struct{}
}

func (h *holdFirstTake) takes(cmds []redis.Cmder) bool {
	for _, cmd := range cmds {
		switch cmd.Name() {
		case "del", "getdel", "eval", "evalsha":
			for _, arg := range cmd.Args()[1:] {
				if s, ok := arg.(string); ok && strings.HasPrefix(s, h.prefix) {
					return true
				}
			}
		}
	}
	return false
}

func (h *holdFirstTake) hold(cmds []redis.Cmder) {
	if h.takes(cmds) && h.armed.CompareAndSwap(true, false) {
		close(h.held)
		<-h.release
	}
}

func (h *holdFirstTake) DialHook(next redis.DialHook) redis.DialHook { return next }

func (h *holdFirstTake) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		h.hold([]redis.Cmder{cmd})
		return next(ctx, cmd)
	}
}

func (h *holdFirstTake) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		h.hold(cmds)
		return next(ctx, cmds)
	}
}
