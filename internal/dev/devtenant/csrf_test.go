package devtenant_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/model-api-auth0/model-api-auth0/internal/dev/devtenant"
)

// The login form is bound to the browser that opened it. An attacker who
// starts a login and has a victim's browser post it with the attacker's
// credentials (login CSRF: the victim's browser would then be logged in to
// the tenant as the attacker, and its next logins to applications too) is
// refused, and so is the form posted from another site.
func TestLoginFormIsBoundToItsBrowser(t *testing.T) {
	tn := startTest(t, devtenant.Options{})
	browser := func() *http.Client { hc := jar(t); hc.CheckRedirect = noRedirects.CheckRedirect; return hc }
	attacker, victim := browser(), browser()
	_, page := get(t, attacker, tn.AuthorizeURL()+"?"+authParams(tn).Encode())
	loginID := formField(t, page, devtenant.FieldLogin)
	attack := url.Values{"login": {loginID}, "email": {"alice@acme.example.com"}, "password": {tn.Password()}}
	get(t, victim, tn.AuthorizeURL()+"?"+authParams(tn).Encode()) // a login of the victim's own, in progress

	noSession := func(resp *http.Response, why string) {
		for _, c := range resp.Cookies() {
			assert.NotEqual(t, devtenant.SessionCookie, c.Name, why)
		}
	}
	resp, page := postForm(t, victim, tn.Issuer()+"u/login", attack, "Origin", strings.TrimSuffix(tn.Issuer(), "/"))
	assert.Equal(t, http.StatusForbidden, resp.StatusCode, "another browser's login")
	assert.Contains(t, page, "another browser")
	noSession(resp, "another browser's login")

	for _, headers := range [][]string{
		{"Origin", "http://127.0.0.1:1"}, {"Origin", "null"},
		{"Sec-Fetch-Site", "same-site", "Origin", "null"}, {"Sec-Fetch-Site", "cross-site", "Origin", strings.TrimSuffix(tn.Issuer(), "/")},
	} {
		resp, page = postForm(t, attacker, tn.Issuer()+"u/login", attack, headers...)
		assert.Equal(t, http.StatusForbidden, resp.StatusCode, "posted from another site: %v", headers)
		assert.Contains(t, page, "another site")
		noSession(resp, "posted from another site")
	}

	// A browser sends the tenant's own form with Origin: null (its pages
	// have no referrer), and Sec-Fetch-Site: same-origin.
	resp, _ = postForm(t, attacker, tn.Issuer()+"u/login", attack, "Origin", "null", "Sec-Fetch-Site", "same-origin")
	require.Equal(t, http.StatusFound, resp.StatusCode, "the browser that opened the form logs in")
	loc, err := resp.Location()
	require.NoError(t, err)
	assert.NotEmpty(t, loc.Query().Get("code"))
}
