package guard_test

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/model-api-auth0/model-api-auth0/guard"
	"github.com/model-api-auth0/model-api-auth0/internal/testing/testissuer"
)

func newValidator(t testing.TB, iss *testissuer.Issuer, change func(*guard.Config)) *guard.Validator {
	t.Helper()
	cfg := guard.Config{
		Issuer: iss.Issuer, Audience: iss.Audience, JWKSURL: iss.JWKSURL(),
		Leeway: 30 * time.Second, FetchTimeout: 500 * time.Millisecond, UnknownKIDWindow: time.Minute,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
	}
	if change != nil {
		change(&cfg)
	}
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	v, err := guard.New(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// serve runs one request through middleware requiring req.
func serve(v *guard.Validator, req guard.Requirement, authorization string) *httptest.ResponseRecorder {
	h := v.Require(req)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id, _ := guard.IdentityFrom(r.Context())
		json.NewEncoder(w).Encode(id)
	}))
	r := httptest.NewRequest("GET", "/v1/models", nil)
	if authorization != "" {
		r.Header.Set("Authorization", authorization)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

func segment(v any) string {
	b, _ := json.Marshal(v)
	return base64.RawURLEncoding.EncodeToString(b)
}

func TestTokens(t *testing.T) {
	iss := testissuer.New(t)
	v := newValidator(t, iss, nil)
	now := time.Now()
	valid := iss.Token(nil)
	parts := strings.Split(valid, ".")
	pubPEM := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: must(x509.MarshalPKIXPublicKey(&iss.Key(iss.CurrentKID()).PublicKey))})
	ecKey := must(ecdsa.GenerateKey(elliptic.P256(), rand.Reader))
	invoke := guard.Requirement{AllOf: []string{"invoke:models"}}

	cases := []struct {
		name   string
		header string
		req    guard.Requirement
		status int
		code   string // error code in WWW-Authenticate, "" for none
	}{
		{"valid", "Bearer " + valid, invoke, 200, ""},
		{"scheme is case-insensitive", "bearer " + valid, invoke, 200, ""},
		{"no header", "", invoke, 401, ""},
		{"empty bearer", "Bearer ", invoke, 400, "invalid_request"},
		{"basic scheme", "Basic dXNlcjpwYXNz", invoke, 401, ""},
		{"token with a space", "Bearer " + valid + " extra", invoke, 400, "invalid_request"},
		{"alg none", "Bearer " + segment(map[string]any{"alg": "none", "kid": iss.CurrentKID()}) + "." + parts[1] + ".", invoke, 401, "invalid_token"},
		{"HS256 keyed with the public key", "Bearer " + iss.SignWith(jwt.SigningMethodHS256, iss.CurrentKID(), pubPEM, iss.Claims(), nil), invoke, 401, "invalid_token"},
		{"RS384", "Bearer " + iss.SignWith(jwt.SigningMethodRS384, iss.CurrentKID(), iss.Key(iss.CurrentKID()), iss.Claims(), nil), invoke, 401, "invalid_token"},
		{"PS256", "Bearer " + iss.SignWith(jwt.SigningMethodPS256, iss.CurrentKID(), iss.Key(iss.CurrentKID()), iss.Claims(), nil), invoke, 401, "invalid_token"},
		{"ES256", "Bearer " + iss.SignWith(jwt.SigningMethodES256, iss.CurrentKID(), ecKey, iss.Claims(), nil), invoke, 401, "invalid_token"},
		{"tampered payload", "Bearer " + parts[0] + "." + segment(map[string]any{"iss": iss.Issuer, "aud": iss.Audience, "exp": now.Add(time.Hour).Unix(), "scope": "invoke:models admin"}) + "." + parts[2], invoke, 401, "invalid_token"},
		{"tampered signature", "Bearer " + parts[0] + "." + parts[1] + "." + flip(parts[2]), invoke, 401, "invalid_token"},
		{"bad base64", "Bearer " + parts[0] + ".!!!." + parts[2], invoke, 401, "invalid_token"},
		{"extra dots", "Bearer " + valid + ".x", invoke, 401, "invalid_token"},
		{"two segments", "Bearer " + parts[0] + "." + parts[1], invoke, 401, "invalid_token"},
		{"payload not JSON", "Bearer " + parts[0] + "." + base64.RawURLEncoding.EncodeToString([]byte("not json")) + "." + parts[2], invoke, 401, "invalid_token"},
		{"exp as a string", "Bearer " + iss.Token(map[string]any{"exp": "tomorrow"}), invoke, 401, "invalid_token"},
		{"expired", "Bearer " + iss.Token(map[string]any{"exp": now.Add(-time.Minute).Unix()}), invoke, 401, "invalid_token"},
		{"expired within skew", "Bearer " + iss.Token(map[string]any{"exp": now.Add(-10 * time.Second).Unix()}), invoke, 200, ""},
		{"missing exp", "Bearer " + iss.Token(map[string]any{"exp": nil}), invoke, 401, "invalid_token"},
		{"nbf in the future", "Bearer " + iss.Token(map[string]any{"nbf": now.Add(5 * time.Minute).Unix()}), invoke, 401, "invalid_token"},
		{"nbf within skew", "Bearer " + iss.Token(map[string]any{"nbf": now.Add(10 * time.Second).Unix()}), invoke, 200, ""},
		{"iat in the future", "Bearer " + iss.Token(map[string]any{"iat": now.Add(5 * time.Minute).Unix()}), invoke, 401, "invalid_token"},
		{"wrong iss", "Bearer " + iss.Token(map[string]any{"iss": "https://evil.test/"}), invoke, 401, "invalid_token"},
		{"iss without trailing slash", "Bearer " + iss.Token(map[string]any{"iss": strings.TrimSuffix(iss.Issuer, "/")}), invoke, 401, "invalid_token"},
		{"wrong aud", "Bearer " + iss.Token(map[string]any{"aud": "https://other.example.com/"}), invoke, 401, "invalid_token"},
		{"empty aud", "Bearer " + iss.Token(map[string]any{"aud": ""}), invoke, 401, "invalid_token"},
		{"no aud", "Bearer " + iss.Token(map[string]any{"aud": nil}), invoke, 401, "invalid_token"},
		{"array aud with the identifier", "Bearer " + iss.Token(map[string]any{"aud": []string{"https://tenant.test/userinfo", iss.Audience}}), invoke, 200, ""},
		{"no kid", "Bearer " + iss.Sign(iss.Claims(), map[string]any{"kid": nil}), invoke, 401, "invalid_token"},
		{"crit header", "Bearer " + iss.Sign(iss.Claims(), map[string]any{"crit": []string{"exp"}}), invoke, 401, "invalid_token"},
		{"unknown kid", "Bearer " + iss.SignWith(jwt.SigningMethodRS256, "nobody", testissuer.NewKey(5), iss.Claims(), nil), invoke, 401, "invalid_token"},
		{"header of 8 KB", "Bearer " + iss.Token(map[string]any{"pad": strings.Repeat("x", 8<<10)}), invoke, 400, "invalid_request"},
		{"missing scope", "Bearer " + iss.Token(map[string]any{"scope": "read:models"}), invoke, 403, "insufficient_scope"},
		{"scope that only prefixes the needed one", "Bearer " + iss.Token(map[string]any{"scope": "invoke:model invoke:models-beta"}), invoke, 403, "insufficient_scope"},
		{"needed scope inside a longer one", "Bearer " + iss.Token(map[string]any{"scope": "xinvoke:models"}), invoke, 403, "insufficient_scope"},
		{"permission from permissions only", "Bearer " + iss.Token(map[string]any{"scope": nil, "permissions": []string{"invoke:models"}}), invoke, 200, ""},
		{"any-of met by one", "Bearer " + valid, guard.Requirement{AnyOf: []string{"admin", "read:models"}}, 200, ""},
		{"any-of met by none", "Bearer " + valid, guard.Requirement{AnyOf: []string{"admin", "train:models"}}, 403, "insufficient_scope"},
		{"all-of missing one", "Bearer " + valid, guard.Requirement{AllOf: []string{"read:models", "admin"}}, 403, "insufficient_scope"},
		{"org required, none in token", "Bearer " + valid, guard.Requirement{RequireOrg: true}, 403, "insufficient_scope"},
		{"org required, present", "Bearer " + iss.Token(map[string]any{"org_id": "org_acme"}), guard.Requirement{RequireOrg: true}, 200, ""},
		{"org not in the allowed set", "Bearer " + iss.Token(map[string]any{"org_id": "org_evil"}), guard.Requirement{Orgs: []string{"org_acme"}}, 403, "insufficient_scope"},
		{"org in the allowed set", "Bearer " + iss.Token(map[string]any{"org_id": "org_acme"}), guard.Requirement{Orgs: []string{"org_acme"}}, 200, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			w := serve(v, c.req, c.header)
			if w.Code != c.status {
				t.Fatalf("status %d, want %d; body %s", w.Code, c.status, w.Body)
			}
			if c.status == 200 {
				return
			}
			challenge := w.Header().Get("WWW-Authenticate")
			if !strings.HasPrefix(challenge, `Bearer realm="https://models.example.com/"`) {
				t.Errorf("WWW-Authenticate %q", challenge)
			}
			if got := strings.Contains(challenge, "error="); got != (c.code != "") || (c.code != "" && !strings.Contains(challenge, `error="`+c.code+`"`)) {
				t.Errorf("WWW-Authenticate %q, want error code %q", challenge, c.code)
			}
			var body struct{ Message string }
			if err := json.Unmarshal(w.Body.Bytes(), &body); err != nil || body.Message == "" {
				t.Errorf("body %q is not {\"message\": ...}", w.Body)
			}
			if w.Header().Get("Content-Type") != "application/json" {
				t.Errorf("content type %q", w.Header().Get("Content-Type"))
			}
		})
	}
}

func flip(sig string) string {
	b := []byte(sig)
	if b[5] == 'A' {
		b[5] = 'B'
	} else {
		b[5] = 'A'
	}
	return string(b)
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

func TestForbiddenNamesTheScope(t *testing.T) {
	iss := testissuer.New(t)
	v := newValidator(t, iss, nil)
	w := serve(v, guard.Requirement{AllOf: []string{"read:admin-messages"}}, "Bearer "+iss.Token(nil))
	if got := w.Header().Get("WWW-Authenticate"); !strings.Contains(got, `scope="read:admin-messages"`) {
		t.Errorf("WWW-Authenticate %q does not name the scope", got)
	}
}

func TestIdentityReachesTheHandler(t *testing.T) {
	iss := testissuer.New(t)
	v := newValidator(t, iss, nil)
	w := serve(v, guard.Requirement{}, "Bearer "+iss.Token(map[string]any{"org_id": "org_acme", "permissions": []string{"read:models"}}))
	var id guard.Identity
	if err := json.Unmarshal(w.Body.Bytes(), &id); err != nil {
		t.Fatal(err)
	}
	if w := serve(v, guard.Requirement{}, "Bearer "+iss.Token(map[string]any{"azp": nil, "client_id": "rfc9068-client"})); !strings.Contains(w.Body.String(), `"ClientID":"rfc9068-client"`) {
		t.Errorf("client_id claim not used without azp: %s", w.Body)
	}
	if id.Subject != "client-123@clients" || id.ClientID != "client-123" || id.OrgID != "org_acme" ||
		strings.Join(id.Scopes, " ") != "read:models invoke:models" || strings.Join(id.Permissions, " ") != "read:models" {
		t.Errorf("identity %+v", id)
	}
}

// A burst of requests with a kid the cache lacks makes one JWKS request:
// with unknown kids all are refused; after a key rotation all wait for that
// one refresh and pass.
func TestBurstSharesOneRefresh(t *testing.T) {
	cases := []struct {
		name   string
		rotate bool
		token  func(iss *testissuer.Issuer, i int) string
		want   int
	}{
		{"unknown kids", false, func(iss *testissuer.Issuer, i int) string {
			return iss.SignWith(jwt.SigningMethodRS256, "rogue-"+string(rune('a'+i%26)), testissuer.NewKey(5), iss.Claims(), nil)
		}, 401},
		{"rotated key", true, func(iss *testissuer.Issuer, _ int) string { return iss.Token(nil) }, 200},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			iss := testissuer.New(t)
			v := newValidator(t, iss, nil)
			if c.rotate {
				iss.Rotate()
			}
			before := iss.Hits()
			for _, s := range burst(50, func(i int) int { return serve(v, guard.Requirement{}, "Bearer "+c.token(iss, i)).Code }) {
				if s != c.want {
					t.Errorf("status %d, want %d", s, c.want)
				}
			}
			if got := iss.Hits() - before; got != 1 {
				t.Errorf("%d JWKS requests for the burst, want 1", got)
			}
		})
	}
}

// Headers that point at other keys are never followed.
func TestKeyLocationHeadersAreNotFollowed(t *testing.T) {
	iss := testissuer.New(t)
	v := newValidator(t, iss, nil)
	attacker := testissuer.NewKey(5)
	var attackerHits int
	var mu sync.Mutex
	evil := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		attackerHits++
		mu.Unlock()
		json.NewEncoder(w).Encode(map[string]any{"keys": []any{testissuer.JWK("evil", &attacker.PublicKey)}})
	}))
	defer evil.Close()
	headers := map[string]map[string]any{
		"jku": {"jku": evil.URL + "/jwks.json"},
		"x5u": {"x5u": evil.URL + "/cert.pem"},
		"jwk": {"jwk": testissuer.JWK("evil", &attacker.PublicKey)},
		"x5c": {"x5c": []string{"MIIB"}},
	}
	for name, h := range headers {
		tok := iss.SignWith(jwt.SigningMethodRS256, "evil", attacker, iss.Claims(), h)
		if w := serve(v, guard.Requirement{}, "Bearer "+tok); w.Code != 401 {
			t.Errorf("%s: status %d, want 401", name, w.Code)
		}
	}
	if attackerHits != 0 {
		t.Errorf("the attacker's server saw %d requests", attackerHits)
	}
}

func TestKeyRotation(t *testing.T) {
	iss := testissuer.New(t)
	v := newValidator(t, iss, nil)
	oldKID := iss.CurrentKID()
	oldToken := iss.Token(nil)
	if w := serve(v, guard.Requirement{}, "Bearer "+oldToken); w.Code != 200 {
		t.Fatalf("before rotation: %d", w.Code)
	}
	newKID := iss.Rotate()
	if w := serve(v, guard.Requirement{}, "Bearer "+iss.Token(nil)); w.Code != 200 {
		t.Fatalf("token of the new key %s: %d %s", newKID, w.Code, w.Body)
	}
	// The refresh dropped the removed key: its tokens no longer pass.
	if w := serve(v, guard.Requirement{}, "Bearer "+iss.SignWith(jwt.SigningMethodRS256, oldKID, iss.Key(oldKID), iss.Claims(), nil)); w.Code != 401 {
		t.Errorf("token of the removed key: %d, want 401", w.Code)
	}
}

// With a warm cache, a JWKS that fails or answers garbage changes nothing
// for valid tokens.
func TestJWKSFailureWithWarmCache(t *testing.T) {
	for _, mode := range []testissuer.Mode{testissuer.Down, testissuer.Garbage, testissuer.Hanging} {
		iss := testissuer.New(t)
		v := newValidator(t, iss, func(c *guard.Config) { c.UnknownKIDWindow = time.Millisecond })
		iss.SetMode(mode)
		hits := iss.Hits()
		// An unknown kid forces a refresh attempt, which fails.
		serve(v, guard.Requirement{}, "Bearer "+iss.SignWith(jwt.SigningMethodRS256, "unknown", testissuer.NewKey(5), iss.Claims(), nil))
		if iss.Hits() == hits {
			t.Fatalf("mode %d: no refresh was attempted", mode)
		}
		if w := serve(v, guard.Requirement{}, "Bearer "+iss.Token(nil)); w.Code != 200 {
			t.Errorf("mode %d: valid token got %d %s", mode, w.Code, w.Body)
		}
	}
}

// With a cold cache (no key ever fetched), requests get 503 and Retry-After,
// and the wait on a hanging JWKS is bounded by FetchTimeout.
func TestColdCache(t *testing.T) {
	for _, mode := range []testissuer.Mode{testissuer.Down, testissuer.Garbage, testissuer.Hanging} {
		iss := testissuer.New(t)
		iss.SetMode(mode)
		v := newValidator(t, iss, func(c *guard.Config) { c.FetchTimeout = 100 * time.Millisecond })
		start := time.Now()
		w := serve(v, guard.Requirement{}, "Bearer "+iss.Token(nil))
		if w.Code != 503 || w.Header().Get("Retry-After") != "60" {
			t.Errorf("mode %d: status %d Retry-After %q, want 503 and 60", mode, w.Code, w.Header().Get("Retry-After"))
		}
		if elapsed := time.Since(start); elapsed > 2*time.Second {
			t.Errorf("mode %d: the request waited %v on the JWKS", mode, elapsed)
		}
		// Once the JWKS is back, the next refresh window heals the cache.
		iss.SetMode(testissuer.Serving)
	}
}

func TestColdCacheRecovers(t *testing.T) {
	iss := testissuer.New(t)
	iss.SetMode(testissuer.Down)
	v := newValidator(t, iss, func(c *guard.Config) { c.UnknownKIDWindow = time.Millisecond })
	if w := serve(v, guard.Requirement{}, "Bearer "+iss.Token(nil)); w.Code != 503 {
		t.Fatalf("cold: %d", w.Code)
	}
	iss.SetMode(testissuer.Serving)
	time.Sleep(5 * time.Millisecond) // past the refresh window
	if w := serve(v, guard.Requirement{}, "Bearer "+iss.Token(nil)); w.Code != 200 {
		t.Errorf("after the JWKS came back: %d %s", w.Code, w.Body)
	}
}

func TestConcurrentValidRequests(t *testing.T) {
	iss := testissuer.New(t)
	v := newValidator(t, iss, nil)
	tok := "Bearer " + iss.Token(nil)
	for _, code := range burst(200, func(int) int {
		return serve(v, guard.Requirement{AllOf: []string{"invoke:models"}}, tok).Code
	}) {
		if code != 200 {
			t.Errorf("concurrent request got %d", code)
		}
	}
}

// burst runs n calls of do at once and returns their results.
func burst(n int, do func(i int) int) []int {
	results := make([]int, n)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			results[i] = do(i)
		}()
	}
	close(start)
	wg.Wait()
	return results
}

// Only subject, client and organization are logged; never the token.
func TestLogsCarryNoToken(t *testing.T) {
	iss := testissuer.New(t)
	var logs bytes.Buffer
	v := newValidator(t, iss, func(c *guard.Config) { c.Logger = slog.New(slog.NewJSONHandler(&logs, nil)) })
	tok := iss.Token(map[string]any{"org_id": "org_acme", "scope": "read:models"})
	serve(v, guard.Requirement{AllOf: []string{"invoke:models"}}, "Bearer "+tok)
	serve(v, guard.Requirement{}, "Bearer "+tok+"x")
	out := logs.String()
	for _, part := range strings.Split(tok, ".") {
		if strings.Contains(out, part) {
			t.Fatalf("the log holds part of the token: %s", out)
		}
	}
	for _, want := range []string{`"sub":"client-123@clients"`, `"client_id":"client-123"`, `"org_id":"org_acme"`, `"status":403`, `"status":401`} {
		if !strings.Contains(out, want) {
			t.Errorf("log lacks %s: %s", want, out)
		}
	}
}

func TestConfigErrors(t *testing.T) {
	cases := map[string]guard.Config{
		"domain":   {Audience: "https://a/"},
		"audience": {Domain: "t.us.auth0.com"},
		"issuer":   {Issuer: "https://t.us.auth0.com", Audience: "https://a/"},
	}
	for want, cfg := range cases {
		if _, err := guard.New(context.Background(), cfg); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("config %+v: error %v, want one about %s", cfg, err, want)
		}
	}
}

// TestInvalidTokenSaysWhy checks that a refusal names its cause, for the
// caller and for the access log, rather than a generic "rejected".
func TestInvalidTokenSaysWhy(t *testing.T) {
	iss := testissuer.New(t)
	v := newValidator(t, iss, nil)
	now := time.Now()
	parts := strings.Split(iss.Token(nil), ".")
	cases := []struct{ name, token, reason string }{
		{"expired", iss.Token(map[string]any{"exp": now.Add(-time.Hour).Unix()}), "expired"},
		{"wrong issuer", iss.Token(map[string]any{"iss": "https://evil.test/"}), "wrong issuer"},
		{"wrong audience", iss.Token(map[string]any{"aud": "https://other.example.com/"}), "wrong audience"},
		{"bad signature", parts[0] + "." + parts[1] + "." + flip(parts[2]), "bad signature"},
		{"not valid yet", iss.Token(map[string]any{"nbf": now.Add(time.Hour).Unix()}), "not valid yet"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			w := serve(v, guard.Requirement{}, "Bearer "+c.token)
			if w.Code != 401 || !strings.Contains(w.Body.String(), "invalid token: "+c.reason) {
				t.Errorf("status %d, body %s; want 401 saying %q", w.Code, w.Body, c.reason)
			}
		})
	}
}
