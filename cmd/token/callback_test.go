package main

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const testState = "the-state-of-this-login"

// startCallback listens for a login's callback and collects its warnings.
func startCallback(t *testing.T) (*callback, *[]string) {
	t.Helper()
	var mu sync.Mutex
	warnings := &[]string{}
	cb, err := listenCallback(0, testState, func(s string) { mu.Lock(); defer mu.Unlock(); *warnings = append(*warnings, s) })
	require.NoError(t, err)
	t.Cleanup(func() { cb.server.Close() })
	return cb, warnings
}

// serve sends one request to the callback's handler as a browser on this
// machine would, and returns the status and the page.
func serve(cb *callback, method, target, host string) (int, string) {
	req := httptest.NewRequest(method, target, nil)
	req.Host = host
	rec := httptest.NewRecorder()
	cb.ServeHTTP(rec, req)
	return rec.Code, rec.Body.String()
}

// What an attacker, another page in the browser or a stale tab can send
// to the loopback callback: none of it ends the login, except the one
// answer with this login's state.
func TestCallbackRefusesWhatIsNotThisLogin(t *testing.T) {
	cb, warnings := startCallback(t)
	cases := []struct {
		name, method, target, host string
		status                     int
		page                       string
	}{
		{"wrong state", "GET", "/callback?code=c&state=guess", cb.addr, http.StatusBadRequest, "not for the login in progress"},
		{"no state", "GET", "/callback?code=c", cb.addr, http.StatusBadRequest, "not for the login in progress"},
		{"state twice", "GET", "/callback?code=c&state=" + testState + "&state=" + testState, cb.addr, http.StatusBadRequest, "not for the login in progress"},
		{"code twice", "GET", "/callback?code=a&code=b&state=" + testState, cb.addr, http.StatusBadRequest, "not for the login in progress"},
		{"state prefix", "GET", "/callback?code=c&state=" + testState[:5], cb.addr, http.StatusBadRequest, "not for the login in progress"},
		{"another path", "GET", "/other?code=c&state=" + testState, cb.addr, http.StatusNotFound, "nothing else is served"},
		{"POST", "POST", "/callback?code=c&state=" + testState, cb.addr, http.StatusMethodNotAllowed, "GET only"},
		// DNS rebinding: a page of attacker.example resolved to 127.0.0.1.
		{"other host", "GET", "/callback?code=c&state=" + testState, "attacker.example:" + port(cb), http.StatusMisdirectedRequest, "answers only at"},
		{"localhost", "GET", "/callback?code=c&state=" + testState, "localhost:" + port(cb), http.StatusMisdirectedRequest, "answers only at"},
	}
	for _, c := range cases {
		status, page := serve(cb, c.method, c.target, c.host)
		assert.Equal(t, c.status, status, c.name)
		assert.Contains(t, page, c.page, c.name)
	}
	assert.Len(t, *warnings, 5, "each refused callback is told in the terminal")

	// The login still waits, and takes its own answer.
	status, page := serve(cb, "GET", "/callback?code=the-code&state="+testState, cb.addr)
	assert.Equal(t, http.StatusOK, status)
	assert.Contains(t, page, "You are logged in")
	code, err := cb.wait(context.Background(), time.Second)
	require.NoError(t, err)
	assert.Equal(t, "the-code", code)
}

// Exactly one answer is taken; a second, even a valid one, is not.
func TestCallbackTakesOneAnswer(t *testing.T) {
	cb, _ := startCallback(t)
	var wg sync.WaitGroup
	statuses := make([]int, 8)
	for i := range statuses {
		wg.Go(func() { statuses[i], _ = serve(cb, "GET", "/callback?code=c&state="+testState, cb.addr) })
	}
	wg.Wait()
	assert.Equal(t, 1, count(statuses, http.StatusOK))
	assert.Equal(t, 7, count(statuses, http.StatusConflict))
	_, err := cb.wait(context.Background(), time.Second)
	require.NoError(t, err)

	// Then the listener is gone.
	_, err = http.Get(cb.redirectURL() + "?code=c&state=" + testState)
	assert.Error(t, err)
}

// The tenant's error ends the login; its text reaches the terminal without
// control characters and the page without markup.
func TestCallbackTenantError(t *testing.T) {
	cb, _ := startCallback(t)
	desc := "no <script>alert(1)</script>\x1b[31m member"
	status, page := serve(cb, "GET", "/callback?error=access_denied&error_description="+url.QueryEscape(desc)+"&state="+testState, cb.addr)
	assert.Equal(t, http.StatusOK, status)
	assert.Contains(t, page, "Login failed")
	assert.NotContains(t, page, "<script>")
	assert.Contains(t, page, "&lt;script&gt;")
	_, err := cb.wait(context.Background(), time.Second)
	require.ErrorIs(t, err, ErrLoginRefused)
	assert.Equal(t, "the tenant refused the login: access_denied: no <script>alert(1)</script> [31m member", err.Error())

	cb, _ = startCallback(t)
	serve(cb, "GET", "/callback?state="+testState, cb.addr)
	_, err = cb.wait(context.Background(), time.Second)
	assert.ErrorIs(t, err, ErrLoginRefused, "neither code nor error")
}

func TestCallbackTimeoutAndCancel(t *testing.T) {
	cb, _ := startCallback(t)
	_, err := cb.wait(context.Background(), 50*time.Millisecond)
	assert.ErrorIs(t, err, ErrLoginTimeout)

	cb, _ = startCallback(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err = cb.wait(ctx, time.Minute)
	assert.ErrorIs(t, err, context.Canceled)
}

// The callback listens on the IPv4 loopback address only, and its pages
// are not cached, framed into other origins' resources, or referred.
func TestCallbackListensOnLoopbackOnly(t *testing.T) {
	cb, _ := startCallback(t)
	host, _, err := net.SplitHostPort(cb.addr)
	require.NoError(t, err)
	assert.Equal(t, "127.0.0.1", host)
	resp, err := http.Get(cb.redirectURL() + "?state=x")
	require.NoError(t, err)
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	assert.Equal(t, "no-store", resp.Header.Get("Cache-Control"))
	assert.Equal(t, "no-referrer", resp.Header.Get("Referrer-Policy"))
	assert.Contains(t, resp.Header.Get("Content-Security-Policy"), "default-src 'none'")
}

func port(cb *callback) string { _, p, _ := net.SplitHostPort(cb.addr); return p }

func count(xs []int, x int) int {
	n := 0
	for _, v := range xs {
		if v == x {
			n++
		}
	}
	return n
}
