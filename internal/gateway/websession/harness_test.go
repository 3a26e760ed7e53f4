package websession_test

import (
	"bytes"
	"context"
	"encoding/json"
	"html"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/require"

	"github.com/model-api-auth0/model-api-auth0/guard"
	"github.com/model-api-auth0/model-api-auth0/internal/dev/devtenant"
	"github.com/model-api-auth0/model-api-auth0/internal/dev/devtenant/devtenanttest"
	"github.com/model-api-auth0/model-api-auth0/internal/gateway/ledger"
	"github.com/model-api-auth0/model-api-auth0/internal/gateway/proxy"
	"github.com/model-api-auth0/model-api-auth0/internal/gateway/websession"
	"github.com/model-api-auth0/model-api-auth0/internal/testing/testissuer"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// Test users of the dev stack (Pulumi.dev.yaml).
const (
	bob   = "bob@globex.example.com" // model-user in globex
	alice = "alice@acme.example.com" // model-admin in acme
)

// clock is the time of the tenant, the guard and the login alike, so a
// test can move all three to just before a token expires.
type clock struct{ offset atomic.Int64 }

func (c *clock) Now() time.Time          { return time.Now().Add(time.Duration(c.offset.Load())) }
func (c *clock) Advance(d time.Duration) { c.offset.Add(int64(d)) }

// options of a test stack.
type options struct {
	offline       bool          // the API allows offline access: refresh tokens
	redis         *redis.Client // shared sessions; nil: in memory
	defaultOrg    string
	replicas      int                  // gateways sharing the tenant (and redis)
	idToken       func(map[string]any) // rewrites ID tokens as the token endpoint returns them
	holdRefresh   chan struct{}        // refresh calls wait for it to close
	refuseRefresh bool                 // the tenant answers invalid_grant to refresh calls
	log           io.Writer            // the gateways' JSON log; nil: discarded
	loginBurst    int                  // logins one address may start at once; 0: the default
	idsOnly       bool                 // the tenant takes organization IDs only, as Auth0 by default
	organizations bool                 // the login has the stack outputs' organizations
	usage         ledger.Querier       // the ledger's reports (GET /v1/usage/me); nil: none
}

// stack is the dev tenant, an upstream that records what it sees, and
// gateways with the login in front of it.
type stack struct {
	dt        *devtenant.Tenant
	clock     *clock
	upstream  *recorder
	gateways  []*httptest.Server
	webs      []*websession.Web // the login of each gateway
	refreshes atomic.Int64      // refresh_token grants sent to the tenant
}

func newStack(t testing.TB, o options) *stack {
	t.Helper()
	s := &stack{clock: &clock{}, upstream: newRecorder(t)}
	cfg := devtenanttest.Stack(t, "dev")
	cfg.API.AllowOfflineAccess = o.offline
	// The gateways under test listen on any loopback port; the dev stack's
	// web app lists port 8080 only.
	s.dt = devtenanttest.Start(t, cfg, devtenant.Options{Now: s.clock.Now, WebApp: devtenant.DefaultWebApp, OrganizationIDsOnly: o.idsOnly})
	var orgs map[string]string
	if o.organizations {
		out, err := s.dt.Outputs()
		require.NoError(t, err)
		orgs = out.Organizations
	}
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	v, err := guard.New(ctx, guard.Config{Issuer: s.dt.Issuer(), Audience: s.dt.Audience(), JWKSURL: s.dt.JWKSURL(), Logger: quiet, Now: s.clock.Now})
	require.NoError(t, err)
	hc := &http.Client{Timeout: 10 * time.Second, Transport: &tenantTransport{s: s, o: o}}
	for range max(o.replicas, 1) {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		require.NoError(t, err)
		public := "http://" + ln.Addr().String()
		web, err := websession.New(websession.Config{
			Issuer: s.dt.Issuer(), Audience: s.dt.Audience(),
			ClientID: s.dt.ClientID(s.dt.WebAppName()), ClientSecret: s.dt.ClientSecret(s.dt.WebAppName()),
			PublicURL: public, DefaultOrg: o.defaultOrg, Organizations: orgs, Redis: o.redis,
			Validator: v, HTTPClient: hc, Logger: quiet, Now: s.clock.Now, LoginBurst: o.loginBurst,
		})
		require.NoError(t, err)
		up, _ := url.Parse(s.upstream.URL)
		logger := quiet
		if o.log != nil {
			logger = slog.New(slog.NewJSONHandler(o.log, nil))
		}
		h, err := proxy.New(v, proxy.Config{Upstream: up, Routes: proxy.DefaultRoutes(), Logger: logger, Web: web, Usage: o.usage})
		require.NoError(t, err)
		srv := httptest.NewUnstartedServer(h)
		srv.Listener.Close()
		srv.Listener = ln
		srv.Start()
		t.Cleanup(srv.Close)
		s.gateways = append(s.gateways, srv)
		s.webs = append(s.webs, web)
	}
	return s
}

// url is the public URL of the first proxy.
func (s *stack) url() string { return s.gateways[0].URL }

// tenantTransport is the gateway's way to the tenant. It counts refresh
// grants, can hold them, and can rewrite the ID token the token endpoint
// returns (re-signed with the tenant's key), to play a tenant that issues
// a wrong one.
type tenantTransport struct {
	s *stack
	o options
}

func (tt *tenantTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	isToken := r.Method == http.MethodPost && r.URL.Path == "/oauth/token"
	if isToken && r.Body != nil {
		body, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(body))
		if form, _ := url.ParseQuery(string(body)); form.Get("grant_type") == "refresh_token" {
			tt.s.refreshes.Add(1)
			if tt.o.holdRefresh != nil {
				<-tt.o.holdRefresh
			}
			if tt.o.refuseRefresh {
				return &http.Response{StatusCode: http.StatusBadRequest, Header: http.Header{"Content-Type": {"application/json"}}, Request: r,
					Body: io.NopCloser(strings.NewReader(`{"error":"invalid_grant","error_description":"revoked"}`))}, nil
			}
		}
	}
	resp, err := http.DefaultTransport.RoundTrip(r)
	if err != nil || !isToken || tt.o.idToken == nil || resp.StatusCode != http.StatusOK {
		return resp, err
	}
	var body map[string]any
	json.NewDecoder(resp.Body).Decode(&body)
	resp.Body.Close()
	if raw, ok := body["id_token"].(string); ok {
		claims := jwt.MapClaims{}
		parsed, _, err := jwt.NewParser().ParseUnverified(raw, claims)
		if err != nil {
			return nil, err
		}
		tt.o.idToken(claims)
		forged := jwt.NewWithClaims(jwt.SigningMethodRS256, claims)
		forged.Header["kid"] = parsed.Header["kid"]
		if body["id_token"], err = forged.SignedString(testissuer.NewKey(0)); err != nil {
			return nil, err
		}
	}
	b, _ := json.Marshal(body)
	resp.Body = io.NopCloser(bytes.NewReader(b))
	resp.ContentLength = int64(len(b))
	resp.Header.Del("Content-Length")
	return resp, nil
}

// recorder is the model server: it answers every request and keeps the
// headers it received.
type recorder struct {
	*httptest.Server
	mu   sync.Mutex
	seen []http.Header
}

func newRecorder(t testing.TB) *recorder {
	rec := &recorder{}
	rec.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec.mu.Lock()
		rec.seen = append(rec.seen, r.Header.Clone())
		rec.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"object":"list","data":[{"id":"echo"}]}`)
	}))
	t.Cleanup(rec.Close)
	return rec
}

func (rec *recorder) last() http.Header {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	if len(rec.seen) == 0 {
		return nil
	}
	return rec.seen[len(rec.seen)-1]
}

func (rec *recorder) count() int {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	return len(rec.seen)
}

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
