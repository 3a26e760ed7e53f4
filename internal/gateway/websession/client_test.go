package websession_test

import (
	"context"
	"encoding/json"
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/model-api-auth0/model-api-auth0/internal/dev/devtenant"
)

// browser is a cookie jar and a client that does not follow redirects, so
// each step of a login can be looked at.
type browser struct {
	t  testing.TB
	s  *stack
	hc *http.Client
}

func (s *stack) browser(t testing.TB) *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{t: t, s: s, hc: &http.Client{Jar: jar, Timeout: 10 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// reply is a response with its body read.
type reply struct {
	*http.Response
	body string
}

// message is the JSON body's message, or the HTML error page's text.
func (r reply) message() string {
	var m struct{ Message string }
	if json.Unmarshal([]byte(r.body), &m) == nil {
		return m.Message
	}
	return html.UnescapeString(r.body)
}

func (b *browser) do(method, target string, body io.Reader, headers ...string) reply {
	b.t.Helper()
	req, err := http.NewRequest(method, target, body)
	require.NoError(b.t, err)
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := b.hc.Do(req)
	require.NoError(b.t, err)
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return reply{resp, string(raw)}
}

func (b *browser) get(target string, headers ...string) reply {
	b.t.Helper()
	return b.do(http.MethodGet, target, nil, headers...)
}

// startLogin opens /login?query on the gateway and returns where it sends
// the browser: the tenant's /authorize.
func (b *browser) startLogin(gw, query string) *url.URL {
	b.t.Helper()
	r := b.get(gw + "/login?" + query)
	require.Equal(b.t, http.StatusFound, r.StatusCode, r.message())
	loc, err := r.Location()
	require.NoError(b.t, err)
	return loc
}

// authorize logs in at the tenant and returns the callback URL it sends the
// browser back to (with code and state, or an error).
func (b *browser) authorize(authorizeURL *url.URL, email, org string) *url.URL {
	b.t.Helper()
	cb, err := devtenant.Login(context.Background(), b.hc, authorizeURL.String(),
		devtenant.Credentials{Email: email, Password: b.s.dt.Password(), Organization: org})
	require.NoError(b.t, err)
	return cb
}

// login goes through the whole login on gateway gw and checks it ends on
// the return path with a session.
func (b *browser) login(gw, email, org string) {
	b.t.Helper()
	query := ""
	if org != "" {
		query = "organization=" + url.QueryEscape(org)
	}
	r := b.get(b.authorize(b.startLogin(gw, query), email, org).String())
	require.Equal(b.t, http.StatusSeeOther, r.StatusCode, r.message())
	require.Equal(b.t, "/", r.Header.Get("Location"))
	require.NotNil(b.t, b.cookie(gw), "no session cookie after login")
}

// cookie is the gateway's session cookie in the jar, or nil.
func (b *browser) cookie(gw string) *http.Cookie {
	u, _ := url.Parse(gw)
	for _, c := range b.hc.Jar.Cookies(u) {
		if c.Name == "session" {
			return c
		}
	}
	return nil
}

// setCookie puts a session cookie of any value in the jar.
func (b *browser) setCookie(gw, value string) {
	u, _ := url.Parse(gw)
	b.hc.Jar.SetCookies(u, []*http.Cookie{{Name: "session", Value: value, Path: "/"}})
}

// setCookieHeader finds the session's Set-Cookie of a response.
func setCookieHeader(r reply) string {
	for _, v := range r.Header.Values("Set-Cookie") {
		if strings.HasPrefix(v, "session=") {
			return v
		}
	}
	return ""
}

// setCookieCounts counts a response's Set-Cookie headers by cookie name: a
// browser applies two for one name in order, and only the last counts.
func setCookieCounts(r reply) map[string]int {
	counts := map[string]int{}
	for _, c := range r.Cookies() {
		counts[c.Name]++
	}
	return counts
}
