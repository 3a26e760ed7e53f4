package websession_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/model-api-auth0/model-api-auth0/internal/gateway/proxy"
)

// A model-user of globex logs in, sees who they are and their permissions,
// calls the reference and model routes with the session (admin refused),
// and the upstream sees their identity but neither token nor cookie.
func TestLoginAsModelUser(t *testing.T) {
	s := newStack(t, options{})
	b := s.browser(t)
	b.setCookie(s.url(), "planted-before-login") // session fixation

	authorize := b.startLogin(s.url(), "organization=globex")
	q := authorize.Query()
	assert.Equal(t, s.dt.Issuer()+"authorize", authorize.Scheme+"://"+authorize.Host+authorize.Path)
	assert.Equal(t, "code", q.Get("response_type"))
	assert.Equal(t, "S256", q.Get("code_challenge_method"))
	assert.NotEmpty(t, q.Get("code_challenge"))
	assert.NotEmpty(t, q.Get("state"))
	assert.NotEmpty(t, q.Get("nonce"))
	assert.Equal(t, "globex", q.Get("organization"))
	assert.Equal(t, s.dt.Audience(), q.Get("audience"))
	assert.Equal(t, s.url()+"/callback", q.Get("redirect_uri"))
	assert.Equal(t, s.dt.ClientID(s.dt.WebAppName()), q.Get("client_id"))
	assert.Equal(t, "planted-before-login", b.cookie(s.url()).Value, "a login in progress is no session")

	callback := b.authorize(authorize, bob, "globex")
	r := b.get(callback.String())
	require.Equal(t, http.StatusSeeOther, r.StatusCode, r.message())
	assert.Equal(t, map[string]int{"session": 1}, setCookieCounts(r), "one Set-Cookie per cookie: the new session's")
	set := setCookieHeader(r)
	assert.Contains(t, set, "HttpOnly")
	assert.Contains(t, set, "SameSite=Lax")
	assert.NotContains(t, set, "Secure", "http://127.0.0.1 cannot keep a Secure cookie")
	after := b.cookie(s.url())
	require.NotNil(t, after)
	assert.NotEqual(t, "planted-before-login", after.Value, "a session ID set before the login is worth nothing")

	page := b.get(s.url() + "/")
	require.Equal(t, http.StatusOK, page.StatusCode)
	for _, want := range []string{"Bob (test)", bob, s.dt.UserID(bob), "globex", s.dt.OrgID("globex"), "read:models", "invoke:models", "/api/messages/admin"} {
		assert.Contains(t, page.body, want)
	}
	assert.NotContains(t, page.body, "read:admin-messages")
	assert.NotContains(t, page.body, "eyJ", "no token (JWT) in the page")
	assert.Contains(t, page.Header.Get("Content-Security-Policy"), "script-src 'self'")

	protected := b.get(s.url() + "/api/messages/protected")
	assert.Equal(t, http.StatusOK, protected.StatusCode, protected.message())
	assert.Equal(t, proxy.ProtectedMessage, protected.message())
	admin := b.get(s.url() + "/api/messages/admin")
	assert.Equal(t, http.StatusForbidden, admin.StatusCode)
	assert.Contains(t, admin.message(), "read:admin-messages")

	models := b.get(s.url()+"/v1/models", "Cookie", "other=kept")
	require.Equal(t, http.StatusOK, models.StatusCode, models.message())
	seen := s.upstream.last()
	assert.Empty(t, seen.Get("Authorization"), "the upstream never sees the token")
	assert.NotContains(t, seen.Get("Cookie"), after.Value, "the upstream never sees the session ID")
	assert.Equal(t, s.dt.UserID(bob), seen.Get(proxy.HeaderSubject))
	assert.Equal(t, s.dt.OrgID("globex"), seen.Get(proxy.HeaderOrgID))
}

func TestLoginAsModelAdmin(t *testing.T) {
	s := newStack(t, options{defaultOrg: "acme"})
	b := s.browser(t)
	b.login(s.url(), alice, "") // the default organization
	admin := b.get(s.url() + "/api/messages/admin")
	assert.Equal(t, http.StatusOK, admin.StatusCode, admin.message())
	assert.Equal(t, proxy.AdminMessage, admin.message())
	page := b.get(s.url() + "/")
	assert.Contains(t, page.body, "read:admin-messages")
	assert.Contains(t, page.body, "Alice (test)")
}

// Logout ends the session here (the old ID is refused) and at the tenant.
func TestLogout(t *testing.T) {
	s := newStack(t, options{})
	b := s.browser(t)
	b.login(s.url(), bob, "globex")
	old := b.cookie(s.url()).Value

	r := b.do(http.MethodPost, s.url()+"/logout", nil, "Origin", s.url())
	require.Equal(t, http.StatusSeeOther, r.StatusCode, r.message())
	loc, err := r.Location()
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(loc.String(), s.dt.Issuer()), "logs out at the tenant: %s", loc)
	assert.Equal(t, s.dt.ClientID(s.dt.WebAppName()), loc.Query().Get("client_id"))
	assert.Equal(t, s.url()+"/", loc.Query().Get("post_logout_redirect_uri")+loc.Query().Get("returnTo"))
	assert.Contains(t, setCookieHeader(r), "Max-Age=0")
	assert.Nil(t, b.cookie(s.url()), "the cookie is gone")

	// The tenant's logout page accepts the return URL and sends the browser back.
	back := b.get(loc.String())
	assert.Equal(t, http.StatusFound, back.StatusCode, back.body)
	assert.Equal(t, s.url()+"/", back.Header.Get("Location"))

	b.setCookie(s.url(), old) // a copy of the old cookie
	refused := b.get(s.url() + "/api/messages/protected")
	assert.Equal(t, http.StatusUnauthorized, refused.StatusCode)
	assert.Contains(t, refused.message(), "log in again")
	assert.Contains(t, b.get(s.url()+"/").body, `id="login"`)
}

// Logging out takes a POST from the gateway's own page.
func TestLogoutNeedsSameOriginPost(t *testing.T) {
	s := newStack(t, options{})
	b := s.browser(t)
	b.login(s.url(), bob, "globex")
	for name, headers := range map[string][]string{
		"GET":                {},
		"cross-site form":    {"Origin", "https://evil.example", "Sec-Fetch-Site", "cross-site"},
		"no origin, no site": {},
	} {
		method := http.MethodPost
		if name == "GET" {
			method = http.MethodGet
		}
		r := b.do(method, s.url()+"/logout", nil, headers...)
		assert.Contains(t, []int{http.StatusForbidden, http.StatusMethodNotAllowed}, r.StatusCode, name)
	}
	assert.Equal(t, http.StatusOK, b.get(s.url()+"/api/messages/protected").StatusCode, "still logged in")
}

// /login refuses what it cannot send to the tenant, before sending anything.
func TestLoginRefusesBadParameters(t *testing.T) {
	s := newStack(t, options{})
	b := s.browser(t)
	for _, c := range []struct{ query, message string }{
		{"organization=Acme%20Corp", `organization "Acme Corp": want an organization name`},
		{"organization=" + strings.Repeat("a", 51), "want an organization name"},
		{"returnTo=//evil.example/", `returnTo "//evil.example/": want a path on this gateway`},
		{"returnTo=https://evil.example/", "want a path on this gateway"},
		{`returnTo=/\evil.example`, "want a path on this gateway"},
		{"returnTo=javascript:alert(1)", "want a path on this gateway"},
	} {
		r := b.get(s.url() + "/login?" + c.query)
		assert.Equal(t, http.StatusBadRequest, r.StatusCode, c.query)
		assert.Contains(t, r.message(), c.message, c.query)
		assert.Empty(t, r.Header.Get("Location"))
	}
}

func TestLoginReturnsToThePathAskedFor(t *testing.T) {
	s := newStack(t, options{})
	b := s.browser(t)
	cb := b.authorize(b.startLogin(s.url(), "organization=globex&returnTo=%2Fv1%2Fmodels%3Fx%3D1"), bob, "globex")
	r := b.get(cb.String())
	assert.Equal(t, "/v1/models?x=1", r.Header.Get("Location"))
}

// The page's script and style come from the binary; no directory listing.
func TestStaticFiles(t *testing.T) {
	s := newStack(t, options{})
	b := s.browser(t)
	for path, want := range map[string]string{"/static/app.js": "text/javascript", "/static/style.css": "text/css"} {
		r := b.get(s.url() + path)
		assert.Equal(t, http.StatusOK, r.StatusCode, path)
		assert.Contains(t, r.Header.Get("Content-Type"), want, path)
		assert.Equal(t, "nosniff", r.Header.Get("X-Content-Type-Options"))
	}
	for _, path := range []string{"/static/", "/static/nope.js"} {
		assert.Equal(t, http.StatusNotFound, b.get(s.url()+path).StatusCode, path)
	}
	assert.NotEqual(t, http.StatusOK, b.get(s.url()+"/static/../page.go").StatusCode, "the mux cleans the path; nothing outside web/static")
}
