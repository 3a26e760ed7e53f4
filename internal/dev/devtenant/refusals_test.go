package devtenant_test

import (
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/model-api-auth0/model-api-auth0/internal/dev/devtenant"
)

// clock is a test clock, advanced by hand.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: time.Now()} }
func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}
func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func TestLoginRefusals(t *testing.T) {
	tn := startTest(t, devtenant.Options{})
	tests := []struct {
		name     string
		cred     devtenant.Credentials
		changes  []string
		status   int    // of a *LoginError; 0 for an error sent back to the application
		message  string // the page's, or error_description
		oauthErr string
	}{
		{name: "wrong password", cred: devtenant.Credentials{Email: "alice@acme.example.com", Password: "Wrong-Passw0rd"},
			status: 400, message: "Wrong email or password."},
		{name: "unknown email: the same answer", cred: devtenant.Credentials{Email: "mallory@acme.example.com"},
			status: 400, message: "Wrong email or password."},
		{name: "a member with an ID but no test user cannot log in", cred: devtenant.Credentials{Email: "auth0|64f1c0ffee0000000000a001"},
			status: 400, message: "Wrong email or password."},
		{name: "not a member of the organization asked for", cred: devtenant.Credentials{Email: "bob@globex.example.com"},
			changes: []string{"organization", "acme"}, oauthErr: "access_denied", message: "is not a member of the organization acme"},
		{name: "not a member, and the organization assigns no membership", cred: devtenant.Credentials{Email: "dave@nowhere.example.com"},
			changes: []string{"organization", "initech"}, oauthErr: "access_denied", message: "is not a member of the organization initech"},
		{name: "several organizations and none picked", cred: devtenant.Credentials{Email: "carol@both.example.com"},
			status: 200, message: `Credentials.Organization "" is not one of the user's`},
		{name: "picking an organization that is not the user's", cred: devtenant.Credentials{Email: "carol@both.example.com", Organization: "initech"},
			status: 200, message: `"initech" is not one of the user's`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cb, err := login(t, tn, nil, tt.cred, append([]string{"state", "keep-me"}, tt.changes...)...)
			if tt.oauthErr != "" {
				require.NoError(t, err)
				assert.Equal(t, tt.oauthErr, cb.Query().Get("error"))
				assert.Contains(t, cb.Query().Get("error_description"), tt.message)
				assert.Equal(t, "keep-me", cb.Query().Get("state"))
				assert.Empty(t, cb.Query().Get("code"))
				return
			}
			var le *devtenant.LoginError
			require.ErrorAs(t, err, &le)
			assert.Equal(t, tt.status, le.Status)
			assert.Contains(t, le.Message, tt.message)
		})
	}
}

// formField finds a form field's value in a page.
func formField(t *testing.T, body, name string) string {
	t.Helper()
	m := regexp.MustCompile(`name="` + name + `" value="([^"]*)"`).FindStringSubmatch(body)
	require.NotNil(t, m, "no field %s in the page", name)
	return m[1]
}

func get(t *testing.T, hc *http.Client, u string) (*http.Response, string) {
	t.Helper()
	resp, err := hc.Get(u)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

// postForm posts form to u, with headers (name, value, ...).
func postForm(t *testing.T, hc *http.Client, u string, form url.Values, headers ...string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, u, strings.NewReader(form.Encode()))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := hc.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

// The organization picker takes only the user's organizations, from the
// browser that logged in.
func TestOrganizationPickerTampering(t *testing.T) {
	tn := startTest(t, devtenant.Options{})
	browser := jar(t)
	browser.CheckRedirect = noRedirects.CheckRedirect
	_, page := get(t, browser, tn.AuthorizeURL()+"?"+authParams(tn).Encode())
	loginID := formField(t, page, devtenant.FieldLogin)
	resp, page := postForm(t, browser, tn.Issuer()+"u/login", url.Values{"login": {loginID}, "email": {"carol@both.example.com"}, "password": {tn.Password()}})
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Contains(t, page, "Choose an organization")

	resp, page = postForm(t, browser, tn.Issuer()+"u/organization", url.Values{"login": {loginID}, "organization": {tn.OrgID("initech")}})
	assert.Equal(t, http.StatusBadRequest, resp.StatusCode)
	assert.Contains(t, page, "is not one of your organizations")

	otherBrowser := jar(t)
	otherBrowser.CheckRedirect = noRedirects.CheckRedirect
	resp, page = postForm(t, otherBrowser, tn.Issuer()+"u/organization", url.Values{"login": {loginID}, "organization": {tn.OrgID("acme")}})
	assert.Equal(t, http.StatusBadRequest, resp.StatusCode)
	assert.Contains(t, page, "started in another browser")

	resp, page = postForm(t, browser, tn.Issuer()+"u/organization", url.Values{"login": {loginID}, "organization": {tn.OrgID("acme")}, "x": {"1", "2"}})
	assert.Equal(t, http.StatusBadRequest, resp.StatusCode, "a repeated field")
	assert.Contains(t, page, "given 2 times")

	resp, _ = postForm(t, browser, tn.Issuer()+"u/organization", url.Values{"login": {loginID}, "organization": {tn.OrgID("acme")}})
	require.Equal(t, http.StatusFound, resp.StatusCode)
	loc, _ := resp.Location()
	assert.NotEmpty(t, loc.Query().Get("code"))

	resp, page = postForm(t, browser, tn.Issuer()+"u/organization", url.Values{"login": {loginID}, "organization": {tn.OrgID("acme")}})
	assert.Equal(t, http.StatusBadRequest, resp.StatusCode, "a login gives one code")
	assert.Contains(t, page, "expired")
}

// After 10 failed logins for a user from one address, even the right
// password is refused (the connection's brute-force protection).
func TestBruteForceProtection(t *testing.T) {
	tn := startTest(t, devtenant.Options{})
	for range 10 {
		_, err := login(t, tn, nil, devtenant.Credentials{Email: "alice@acme.example.com", Password: "Wrong-Passw0rd"})
		require.ErrorContains(t, err, "Wrong email or password")
	}
	_, err := login(t, tn, nil, devtenant.Credentials{Email: "alice@acme.example.com"})
	var le *devtenant.LoginError
	require.ErrorAs(t, err, &le)
	assert.Equal(t, http.StatusTooManyRequests, le.Status)
	assert.Contains(t, le.Message, "blocked")

	_, err = login(t, tn, nil, devtenant.Credentials{Email: "bob@globex.example.com"})
	assert.NoError(t, err, "other users are not blocked")
}

// The tenant's session: a second login in the same browser needs no
// password, unless prompt=login; prompt=none uses the session.
func TestSession(t *testing.T) {
	tn := startTest(t, devtenant.Options{})
	browser := jar(t)
	wrong := devtenant.Credentials{Email: "alice@acme.example.com", Password: "Wrong-Passw0rd"}
	_, err := login(t, tn, browser, devtenant.Credentials{Email: "alice@acme.example.com"})
	require.NoError(t, err)

	cb, err := login(t, tn, browser, wrong)
	require.NoError(t, err, "the session logs in: no form, so the wrong password is never sent")
	assert.NotEmpty(t, cb.Query().Get("code"))

	cb, err = login(t, tn, browser, wrong, "prompt", "none")
	require.NoError(t, err)
	assert.NotEmpty(t, cb.Query().Get("code"))

	_, err = login(t, tn, browser, wrong, "prompt", "login")
	assert.ErrorContains(t, err, "Wrong email or password", "prompt=login shows the form")

	_, err = login(t, tn, jar(t), wrong)
	assert.ErrorContains(t, err, "Wrong email or password", "another browser has no session")
}

// A login left on the form expires.
func TestLoginExpires(t *testing.T) {
	clk := newClock()
	tn := startTest(t, devtenant.Options{Now: clk.Now})
	browser := jar(t)
	_, page := get(t, browser, tn.AuthorizeURL()+"?"+authParams(tn).Encode())
	loginID := formField(t, page, devtenant.FieldLogin)
	clk.Advance(devtenant.LoginLifetime + time.Second)
	resp, page := postForm(t, browser, tn.Issuer()+"u/login", url.Values{"login": {loginID}, "email": {"alice@acme.example.com"}, "password": {tn.Password()}})
	assert.Equal(t, http.StatusBadRequest, resp.StatusCode)
	assert.Contains(t, page, "expired")
	assert.Empty(t, resp.Cookies(), "no session for an expired login")

	resp, page = postForm(t, browser, tn.Issuer()+"u/login", url.Values{"login": {"forged"}, "email": {"alice@acme.example.com"}, "password": {tn.Password()}})
	assert.Equal(t, http.StatusBadRequest, resp.StatusCode)
	assert.True(t, strings.Contains(page, "expired"))
}
