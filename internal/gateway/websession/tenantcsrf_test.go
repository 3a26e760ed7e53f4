package websession_test

import (
	"context"
	"fmt"
	"html"
	"net/http"
	"net/http/httptest"
	"regexp"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// In a real browser: an attacker starts a login at the tenant and has a
// victim's browser post its form, with the attacker's credentials, from a
// page on another port of the host (login CSRF). The victim's browser must
// not end up logged in to the tenant as the attacker: their next login at
// the gateway asks for their own credentials instead of quietly logging
// them in as the attacker.
func TestBrowserTenantLoginCSRF(t *testing.T) {
	ctx := chromium(t)
	s := newStack(t, options{})
	attacker := s.browser(t)
	form := attacker.get(attacker.startLogin(s.url(), "organization=globex").String())
	m := regexp.MustCompile(`name="login" value="([^"]*)"`).FindStringSubmatch(form.body)
	require.NotNil(t, m, "the tenant's login form")
	evil := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, `<!doctype html><title>cats</title><form method="post" action="%s">
<input name="login" value="%s"><input name="email" value="%s"><input name="password" value="%s"></form>
<script>document.forms[0].submit()</script>`, html.EscapeString(s.dt.Issuer()+"u/login"), html.EscapeString(m[1]), bob, html.EscapeString(s.dt.Password()))
	}))
	t.Cleanup(evil.Close)

	require.NoError(t, chromedp.Do(ctx, chromedp.Navigate(evil.URL+"/"), chromedp.WaitVisible(css("#error"))))
	wait, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	require.NoError(t, chromedp.Do(wait,
		chromedp.Navigate(s.url()+"/"),
		chromedp.SetValue(css("#organization"), "globex"),
		chromedp.Click(css("#login")),
		chromedp.WaitVisible(css(`input[name="email"], #logout`)),
	))
	loggedIn, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.querySelector("#logout") !== null`))
	require.NoError(t, err)
	assert.False(t, loggedIn, "the victim was logged in as the attacker without typing anything")
}
