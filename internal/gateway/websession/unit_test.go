package websession

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/model-api-auth0/model-api-auth0/guard"
)

func TestSameOrigin(t *testing.T) {
	const public = "https://models.example.com"
	cases := []struct {
		name    string
		method  string
		headers []string
		ok      bool
	}{
		{"GET without headers", "GET", nil, true},
		{"HEAD", "HEAD", nil, true},
		{"POST same origin", "POST", []string{"Origin", public}, true},
		{"POST same-origin fetch", "POST", []string{"Sec-Fetch-Site", "same-origin"}, true},
		{"POST both agree", "POST", []string{"Origin", public, "Sec-Fetch-Site", "same-origin"}, true},
		{"POST no headers", "POST", nil, false},
		{"DELETE no headers", "DELETE", nil, false},
		{"POST cross origin", "POST", []string{"Origin", "https://evil.example"}, false},
		{"POST origin with other scheme", "POST", []string{"Origin", "http://models.example.com"}, false},
		{"POST origin with other port", "POST", []string{"Origin", "https://models.example.com:8443"}, false},
		{"POST origin as prefix", "POST", []string{"Origin", public + ".evil.example"}, false},
		{"POST null origin", "POST", []string{"Origin", "null"}, false},
		{"POST same-site", "POST", []string{"Sec-Fetch-Site", "same-site"}, false},
		{"POST cross-site with our Origin", "POST", []string{"Sec-Fetch-Site", "cross-site", "Origin", public}, false},
		{"POST none (typed in)", "POST", []string{"Sec-Fetch-Site", "none"}, false},
		{"POST same-origin but foreign Origin", "POST", []string{"Sec-Fetch-Site", "same-origin", "Origin", "https://evil.example"}, false},
		{"WebSocket from elsewhere", "GET", []string{"Upgrade", "websocket", "Origin", "https://evil.example"}, false},
		{"WebSocket without Origin", "GET", []string{"Upgrade", "websocket"}, false},
		{"WebSocket from the page", "GET", []string{"Upgrade", "websocket", "Origin", public}, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := httptest.NewRequest(c.method, public+"/v1/chat/completions", nil)
			for i := 0; i+1 < len(c.headers); i += 2 {
				r.Header.Set(c.headers[i], c.headers[i+1])
			}
			err := sameOrigin(r, public)
			if c.ok {
				assert.NoError(t, err)
			} else {
				assert.ErrorIs(t, err, ErrCrossOrigin)
			}
		})
	}
	t.Run("two Origin headers", func(t *testing.T) {
		r := httptest.NewRequest("POST", public+"/", nil)
		r.Header.Add("Origin", public)
		r.Header.Add("Origin", "https://evil.example")
		assert.ErrorIs(t, sameOrigin(r, public), ErrCrossOrigin)
	})
}

func TestLocalPath(t *testing.T) {
	for in, want := range map[string]string{"": "/", "/": "/", "/v1/models?x=1": "/v1/models?x=1", "/a/b#c": "/a/b#c"} {
		got, err := localPath(in)
		require.NoError(t, err, in)
		assert.Equal(t, want, got)
	}
	for _, in := range []string{"//evil.example", `/\evil.example`, "https://evil.example/", "evil", "javascript:alert(1)",
		"/\r\nSet-Cookie: x", "/a\\b", "/" + strings.Repeat("a", 1100), "\t/x"} {
		_, err := localPath(in)
		assert.Error(t, err, in)
	}
}

func TestSameOrg(t *testing.T) {
	assert.True(t, sameOrg("org_abc", "org_abc", "acme"))
	assert.False(t, sameOrg("org_abc", "org_xyz", "acme"))
	assert.True(t, sameOrg("acme", "org_abc", "acme"))
	assert.True(t, sameOrg("acme", "org_abc", "Acme"), "Auth0 compares names case-insensitively")
	assert.False(t, sameOrg("acme", "org_abc", "globex"))
	assert.False(t, sameOrg("acme", "", "acme"), "a name without an org_id is no organization login")
	assert.False(t, sameOrg("acme", "org_abc", ""))
	assert.True(t, sameOrg("org_my-team", "org_abc", "org_my-team"), "a name that starts with org_ is no ID")
}

func TestConfigListsEveryProblem(t *testing.T) {
	err := Config{
		Issuer: "tenant.example.com", PublicURL: "http://models.example.com/app", DefaultOrg: "Acme Corp",
		SessionSecret: []byte("short"), ClientID: "has space", LoginBurst: -1,
	}.Validate()
	require.Error(t, err)
	for _, want := range []string{
		`issuer "tenant.example.com"`, "audience is empty", `client ID "has space"`, "no client secret: export AUTH0_CLIENT_SECRET or pass -client-secret-file",
		`public URL "http://models.example.com/app": want an origin without path`, `default organization "Acme Corp"`,
		"session secret is 5 bytes", "login burst -1 and interval 0s must not be negative",
	} {
		assert.Contains(t, err.Error(), want)
	}
	assert.NotContains(t, err.Error(), "short", "the secret is never repeated")
}

func TestPublicURL(t *testing.T) {
	for _, ok := range []string{"https://models.example.com", "https://models.example.com/", "http://127.0.0.1:8080", "http://localhost:8080", "http://[::1]:8080"} {
		assert.NoError(t, checkPublicURL(ok), ok)
	}
	for bad, why := range map[string]string{
		"":                               "no public URL",
		"http://models.example.com":      "http is allowed only on localhost",
		"ftp://models.example.com":       "want an https:// origin",
		"https://models.example.com?x":   "without path, query or fragment",
		"https://u:p@models.example.com": "want an origin",
		"models.example.com":             "want an origin",
	} {
		err := checkPublicURL(bad)
		if assert.Error(t, err, bad) {
			assert.Contains(t, err.Error(), why, bad)
		}
	}
}

func TestCookieAttributes(t *testing.T) {
	for public, want := range map[string][]string{
		"https://models.example.com": {"__Host-session=", "Secure", "HttpOnly", "SameSite=Lax", "Path=/"},
		"http://127.0.0.1:8080":      {"session=", "HttpOnly", "SameSite=Lax", "Path=/"},
	} {
		cfg := validConfig(public)
		w, err := New(cfg)
		require.NoError(t, err)
		rec := httptest.NewRecorder()
		ctx, err := w.sm.Load(t.Context(), "")
		require.NoError(t, err)
		w.sm.Put(ctx, keyUser, user{Subject: "auth0|1"})
		id, expiry, err := w.commit(ctx, true)
		require.NoError(t, err)
		w.answerLogin(rec, httptest.NewRequestWithContext(ctx, "GET", public+"/callback", nil), outcome{Session: id, Expiry: expiry, ReturnTo: "/"})
		set := rec.Header().Get("Set-Cookie")
		for _, s := range want {
			assert.Contains(t, set, s, public)
		}
		assert.NotContains(t, set, "Domain=", public)
		assert.NotContains(t, set, "Expires=", "a browser session cookie")
		if strings.HasPrefix(public, "http:") {
			assert.NotContains(t, set, "Secure")
		}
	}
}

func TestSealedStore(t *testing.T) {
	cfg := validConfig("https://models.example.com")
	seal, err := newSealer(&cfg)
	require.NoError(t, err)
	inner := newMemoryStore(10)
	store, codec := sealedStore{sessionStore: inner, sealer: seal}, newJSONCodec(time.Now)
	u := user{Subject: "auth0|1", Email: "bob@globex.example.com", AccessToken: "eyJ.access.token", RefreshToken: "v1.refresh", Expiry: time.Unix(1e9, 0).UTC()}
	deadline := time.Unix(2e9, 0).UTC()
	plain, err := codec.Encode(deadline, map[string]any{keyUser: u})
	require.NoError(t, err)
	ctx := creating(t.Context())
	require.NoError(t, store.CommitCtx(ctx, "key", plain, time.Now().Add(time.Hour)))
	sealed, _, _ := inner.FindCtx(ctx, "key")
	for _, secret := range []string{"eyJ", "v1.refresh", "bob@", "auth0|1"} {
		assert.NotContains(t, string(sealed), secret, "sealed")
	}
	b, found, err := store.FindCtx(ctx, "key")
	require.NoError(t, err)
	require.True(t, found)
	gotDeadline, values, err := codec.Decode(b)
	require.NoError(t, err)
	assert.Equal(t, deadline, gotDeadline)
	assert.Equal(t, u, values[keyUser])

	// Moved under another key, sealed with another secret (rotated), or
	// damaged: no session, and no error.
	other := cfg
	other.ClientSecret = "another-client-secret"
	otherSealer, err := newSealer(&other)
	require.NoError(t, err)
	for name, c := range map[string]struct {
		key    string
		sealed []byte
		sealer *sealer
	}{
		"another key": {"another-key", sealed, seal}, "another secret": {"key", sealed, otherSealer},
		"truncated": {"key", sealed[:5], seal}, "flipped": {"key", flip(sealed), seal},
	} {
		require.NoError(t, inner.CommitCtx(ctx, c.key, c.sealed, time.Now().Add(time.Hour)))
		_, found, err := sealedStore{sessionStore: inner, sealer: c.sealer}.FindCtx(ctx, c.key)
		require.NoError(t, err, name)
		assert.False(t, found, name)
	}
	_, err = codec.Encode(deadline, map[string]any{"unknown": 1})
	assert.Error(t, err)
}

func flip(b []byte) []byte {
	c := append([]byte(nil), b...)
	c[len(c)-1] ^= 1
	return c
}

func TestStripCookie(t *testing.T) {
	h := http.Header{"Cookie": {"a=1; session=secret; b=2", "session=again", "c=3"}}
	stripCookie(h, "session")
	assert.Equal(t, []string{"a=1; b=2; c=3"}, h.Values("Cookie"))
	h = http.Header{"Cookie": {"session=secret"}}
	stripCookie(h, "session")
	assert.Empty(t, h.Values("Cookie"))
	h = http.Header{"Cookie": {"sessionx=1"}}
	stripCookie(h, "session")
	assert.Equal(t, []string{"sessionx=1"}, h.Values("Cookie"))
}

func validConfig(public string) Config {
	return Config{
		Issuer: "https://tenant.example.com/", Audience: "https://api.example.com/", ClientID: "client",
		ClientSecret: "a-client-secret", PublicURL: public, Validator: &guard.Validator{},
	}
}

func TestLogoutURL(t *testing.T) {
	cfg := validConfig("https://models.example.com")
	tn := tenant{cfg: &cfg, p: &provider{}}
	assert.Equal(t, "https://tenant.example.com/v2/logout?client_id=client&returnTo=https%3A%2F%2Fmodels.example.com%2F", tn.logoutURL(t.Context()),
		"Auth0's /v2/logout without an end_session_endpoint")
	tn.p.endSession = "https://tenant.example.com/oidc/logout"
	assert.Equal(t, "https://tenant.example.com/oidc/logout?client_id=client&post_logout_redirect_uri=https%3A%2F%2Fmodels.example.com%2F", tn.logoutURL(t.Context()))
	tn.p.endSession = "https://tenant.example.com/logout?x=1"
	assert.Equal(t, "https://tenant.example.com/logout?x=1&client_id=client&post_logout_redirect_uri=https%3A%2F%2Fmodels.example.com%2F", tn.logoutURL(t.Context()))
}
