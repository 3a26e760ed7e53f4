package guard_test

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"github.com/model-api-auth0/model-api-auth0/internal/testing/syncbuf"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/model-api-auth0/model-api-auth0/guard"
	"github.com/model-api-auth0/model-api-auth0/internal/testing/testissuer"
)

// A numeric date is a JSON number: golang-jwt alone takes "1767225600".
func TestNumericDatesMustBeNumbers(t *testing.T) {
	iss := testissuer.New(t)
	v := newValidator(t, iss, nil)
	now := time.Now()
	cases := []struct {
		name   string
		claims map[string]any
		status int
	}{
		{"exp number", map[string]any{"exp": now.Add(time.Hour).Unix()}, 200},
		{"exp with a fraction", map[string]any{"exp": float64(now.Add(time.Hour).Unix()) + 0.5}, 200},
		{"exp numeric string", map[string]any{"exp": jsonString(now.Add(time.Hour).Unix())}, 401},
		{"exp null", map[string]any{"exp": json.RawMessage("null")}, 401},
		{"exp true", map[string]any{"exp": true}, 401},
		{"exp far beyond int64 seconds", map[string]any{"exp": 1e300}, 401},
		{"nbf numeric string", map[string]any{"nbf": jsonString(now.Add(-time.Hour).Unix())}, 401},
		{"nbf far in the future", map[string]any{"nbf": 1e300}, 401},
		{"iat numeric string", map[string]any{"iat": jsonString(now.Unix())}, 401},
		{"iat array", map[string]any{"iat": []int64{now.Unix()}}, 401},
		{"aud array with a number", map[string]any{"aud": []any{iss.Audience, 7}}, 401},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			w := serve(v, guard.Requirement{}, "Bearer "+iss.Token(c.claims))
			assert.Equal(t, c.status, w.Code, "%s", w.Body)
		})
	}
}

func jsonString(n int64) string { b, _ := json.Marshal(n); return string(b) }

// The validator takes the API's signing algorithm and nothing else.
func TestSigningAlg(t *testing.T) {
	iss := testissuer.New(t)
	kid, key := iss.CurrentKID(), iss.Key(iss.CurrentKID())
	pubPEM := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: must(x509.MarshalPKIXPublicKey(&key.PublicKey))})
	tokens := map[string]string{
		"RS256": iss.SignWith(jwt.SigningMethodRS256, kid, key, iss.Claims(), nil),
		"PS256": iss.SignWith(jwt.SigningMethodPS256, kid, key, iss.Claims(), nil),
		"RS384": iss.SignWith(jwt.SigningMethodRS384, kid, key, iss.Claims(), nil),
		"PS384": iss.SignWith(jwt.SigningMethodPS384, kid, key, iss.Claims(), nil),
		"HS256": iss.SignWith(jwt.SigningMethodHS256, kid, pubPEM, iss.Claims(), nil),
		"none":  iss.SignWith(jwt.SigningMethodNone, kid, jwt.UnsafeAllowNoneSignatureType, iss.Claims(), nil),
	}
	for _, configured := range []string{"", "RS256", "PS256"} {
		// The test issuer labels its keys alg RS256, as Auth0 does whatever
		// the API signs with.
		v := newValidator(t, iss, func(c *guard.Config) { c.SigningAlg = configured })
		want := configured
		if want == "" {
			want = guard.DefaultSigningAlg
		}
		for alg, token := range tokens {
			status := 401
			if alg == want {
				status = 200
			}
			w := serve(v, guard.Requirement{}, "Bearer "+token)
			assert.Equal(t, status, w.Code, "configured %q, token %s: %s", configured, alg, w.Body)
		}
	}
}

func TestConfigRefusesInsecureSettings(t *testing.T) {
	base := guard.Config{Issuer: "https://tenant.test/", Audience: "https://a/"}
	cases := []struct {
		name   string
		change func(*guard.Config)
		want   string // "" for valid
	}{
		{"https JWKS", func(c *guard.Config) { c.JWKSURL = "https://tenant.test/.well-known/jwks.json" }, ""},
		{"http JWKS on 127.0.0.1", func(c *guard.Config) { c.JWKSURL = "http://127.0.0.1:9/jwks.json" }, ""},
		{"http JWKS on 127.1.2.3", func(c *guard.Config) { c.JWKSURL = "http://127.1.2.3/jwks.json" }, ""},
		{"http JWKS on ::1", func(c *guard.Config) { c.JWKSURL = "http://[::1]:9/jwks.json" }, ""},
		{"http JWKS on localhost", func(c *guard.Config) { c.JWKSURL = "http://localhost:9/jwks.json" }, ""},
		{"http JWKS elsewhere", func(c *guard.Config) { c.JWKSURL = "http://tenant.test/.well-known/jwks.json" }, `JWKS URL "http://tenant.test/.well-known/jwks.json": want https`},
		{"http JWKS on a name that looks local", func(c *guard.Config) { c.JWKSURL = "http://127.0.0.1.evil.test/jwks.json" }, "want https"},
		{"ftp JWKS", func(c *guard.Config) { c.JWKSURL = "ftp://127.0.0.1/jwks.json" }, "want https"},
		{"http issuer elsewhere", func(c *guard.Config) { c.Issuer = "http://tenant.test/" }, `issuer "http://tenant.test/": want https`},
		{"http issuer on loopback", func(c *guard.Config) { c.Issuer = "http://127.0.0.1:8/" }, ""},
		{"PS256", func(c *guard.Config) { c.SigningAlg = "PS256" }, ""},
		{"HS256", func(c *guard.Config) { c.SigningAlg = "HS256" }, `signing algorithm "HS256": want RS256 or PS256`},
		{"none", func(c *guard.Config) { c.SigningAlg = "none" }, `signing algorithm "none"`},
		{"lower case", func(c *guard.Config) { c.SigningAlg = "rs256" }, `signing algorithm "rs256"`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cfg := base
			c.change(&cfg)
			err := cfg.Validate()
			if c.want == "" {
				assert.NoError(t, err)
			} else if assert.Error(t, err) {
				assert.Contains(t, err.Error(), c.want)
			}
		})
	}
	// Every problem at once.
	err := guard.Config{Issuer: "http://tenant.test/", JWKSURL: "http://tenant.test/k", SigningAlg: "HS256"}.Validate()
	require.Error(t, err)
	for _, want := range []string{"issuer", "JWKS URL", "audience is empty", "signing algorithm"} {
		assert.Contains(t, err.Error(), want)
	}
}

// A handler that changes its identity changes nothing for the next request
// with the same token, which the cache answers.
func TestCachedIdentityIsACopy(t *testing.T) {
	iss := testissuer.New(t)
	v := newValidator(t, iss, nil)
	token := iss.Token(map[string]any{"permissions": []string{"read:models"}})
	for range 3 {
		id, err := v.Validate(context.Background(), token)
		require.NoError(t, err)
		require.Equal(t, []string{"read:models", "invoke:models"}, id.Scopes)
		require.Equal(t, []string{"read:models"}, id.Permissions)
		id.Scopes = append(id.Scopes, "root")
		require.Equal(t, []string{"read:models"}, id.Permissions, "appending to the scopes leaves the permissions")
		id.Scopes[0] = "admin"
		id.Permissions[0] = "admin"
		id.Permissions = append(id.Permissions, "root")
		id.Subject = "someone-else"
	}
}

// jwks is a key set server whose keys and behaviour a test changes.
type jwks struct {
	*httptest.Server
	mu    sync.Mutex
	keys  map[string]*rsa.PublicKey
	serve http.HandlerFunc // replaces the key set when set
}

func newJWKS(t *testing.T, keys map[string]*rsa.PublicKey) *jwks {
	j := &jwks{keys: keys}
	j.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		j.mu.Lock()
		serve, keys := j.serve, j.keys
		j.mu.Unlock()
		if serve != nil {
			serve(w, r)
			return
		}
		var list []any
		for kid, k := range keys {
			list = append(list, testissuer.JWK(kid, k))
		}
		json.NewEncoder(w).Encode(map[string]any{"keys": list})
	}))
	t.Cleanup(j.Close)
	return j
}

func (j *jwks) set(keys map[string]*rsa.PublicKey, serve http.HandlerFunc) {
	j.mu.Lock()
	j.keys, j.serve = keys, serve
	j.mu.Unlock()
}

// A kid that comes back with other key material no longer vouches for the
// tokens the old material verified, cached or not.
func TestCachedTokenDroppedWhenItsKidChangesMaterial(t *testing.T) {
	iss := testissuer.New(t)
	oldKey, newKey := testissuer.NewKey(10), testissuer.NewKey(11)
	set := newJWKS(t, map[string]*rsa.PublicKey{"k": &oldKey.PublicKey})
	v := newValidator(t, iss, func(c *guard.Config) { c.JWKSURL = set.URL; c.UnknownKIDWindow = time.Millisecond })
	signedByOld := "Bearer " + iss.SignWith(jwt.SigningMethodRS256, "k", oldKey, iss.Claims(), nil)
	require.Equal(t, 200, serve(v, guard.Requirement{}, signedByOld).Code)

	set.set(map[string]*rsa.PublicKey{"k": &newKey.PublicKey}, nil)
	time.Sleep(5 * time.Millisecond) // past the refresh window
	// An unknown kid makes the validator fetch the changed set.
	serve(v, guard.Requirement{}, "Bearer "+iss.SignWith(jwt.SigningMethodRS256, "other", newKey, iss.Claims(), nil))
	require.Equal(t, 200, serve(v, guard.Requirement{}, "Bearer "+iss.SignWith(jwt.SigningMethodRS256, "k", newKey, iss.Claims(), nil)).Code,
		"the new material was not fetched")
	assert.Equal(t, 401, serve(v, guard.Requirement{}, signedByOld).Code, "a token of the replaced material passed")
}

// The same key material fetched again (new key objects, as after every
// refresh) keeps vouching for the tokens it verified: they are still
// answered from the cache, without verifying their signature again.
func TestCachedTokenSurvivesARefetchOfItsKey(t *testing.T) {
	iss := testissuer.New(t)
	key := testissuer.NewKey(10)
	set := newJWKS(t, map[string]*rsa.PublicKey{"k": &key.PublicKey})
	obs := &cacheHits{}
	v := newValidator(t, iss, func(c *guard.Config) { c.JWKSURL = set.URL; c.UnknownKIDWindow = time.Millisecond; c.Observer = obs })
	token := "Bearer " + iss.SignWith(jwt.SigningMethodRS256, "k", key, iss.Claims(), nil)
	require.Equal(t, 200, serve(v, guard.Requirement{}, token).Code)
	require.Equal(t, 200, serve(v, guard.Requirement{}, token).Code)
	require.Equal(t, int64(1), obs.hits.Load(), "the second call is a cache hit")

	time.Sleep(5 * time.Millisecond) // past the refresh window
	fetches := obs.fetches.Load()
	serve(v, guard.Requirement{}, "Bearer "+iss.SignWith(jwt.SigningMethodRS256, "unknown", key, iss.Claims(), nil))
	require.Greater(t, obs.fetches.Load(), fetches, "an unknown kid fetches the set again")
	for i := range 2 {
		require.Equal(t, 200, serve(v, guard.Requirement{}, token).Code)
		assert.Equal(t, int64(2+i), obs.hits.Load(), "call %d after the refetch is a cache hit", i+1)
	}
}

type cacheHits struct{ hits, fetches atomic.Int64 }

func (c *cacheHits) TokenValidated(result string, cached bool) {
	if cached {
		c.hits.Add(1)
	}
}
func (c *cacheHits) KeysRefreshed(err error)                      { c.fetches.Add(1) }
func (c *cacheHits) Denied(r *http.Request, status int, _ string) {}

// The JWKS is fetched without following redirects and within a size
// bound: either way the cache stays cold (503) and the log says why.
func TestJWKSFetchLimits(t *testing.T) {
	iss := testissuer.New(t)
	cases := []struct {
		name  string
		serve http.HandlerFunc
		log   string
	}{
		{"redirect to a valid key set", func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, iss.JWKSURL(), http.StatusFound)
		}, "redirects are not followed"},
		{"announced too large", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Length", "300000")
			w.Write(bytes.Repeat([]byte(" "), 300000))
		}, "larger than the limit"},
		{"too large without a length", func(w http.ResponseWriter, r *http.Request) {
			w.Write([]byte(`{"keys":[`))
			for range 5000 { // ~2 MB of keys, streamed
				json.NewEncoder(w).Encode(testissuer.JWK("pad", &iss.Key(iss.CurrentKID()).PublicKey))
				w.Write([]byte(","))
			}
			w.Write([]byte(`{}]}`))
		}, "larger than the limit"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			set := newJWKS(t, nil)
			set.set(nil, c.serve)
			var logs syncbuf.Buffer
			v := newValidator(t, iss, func(c *guard.Config) {
				c.JWKSURL = set.URL
				c.Logger = slog.New(slog.NewTextHandler(&logs, nil))
			})
			assert.Equal(t, 503, serve(v, guard.Requirement{}, "Bearer "+iss.Token(nil)).Code)
			assert.Contains(t, logs.String(), c.log)
			assert.Zero(t, iss.Hits(), "the redirect was followed")
		})
	}
}

// Where the token may come from: one Authorization header, nothing else.
func TestTokenSources(t *testing.T) {
	iss := testissuer.New(t)
	v := newValidator(t, iss, nil)
	token := iss.Token(nil)
	cases := []struct {
		name    string
		target  string
		headers []string
		body    string
		status  int
	}{
		{"one header", "/v1/models", []string{"Bearer " + token}, "", 200},
		{"two headers, both valid", "/v1/models", []string{"Bearer " + token, "Bearer " + token}, "", 400},
		{"two headers, one empty", "/v1/models", []string{"Bearer " + token, ""}, "", 400},
		{"query token alone", "/v1/models?access_token=" + token, nil, "", 400},
		{"query token and header", "/v1/models?access_token=" + token, []string{"Bearer " + token}, "", 400},
		{"query token, encoded name", "/v1/models?access%5Ftoken=" + token, nil, "", 400},
		{"query token, other case", "/v1/models?Access_Token=" + token, nil, "", 400},
		{"form body token", "/v1/models", nil, "access_token=" + token, 401},
		{"unrelated query", "/v1/models?limit=5", []string{"Bearer " + token}, "", 200},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			called := false
			h := v.Require(guard.Requirement{})(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { called = true }))
			method, body := "GET", io.Reader(nil)
			if c.body != "" {
				method, body = "POST", strings.NewReader(c.body)
			}
			r := httptest.NewRequest(method, c.target, body)
			if c.body != "" {
				r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			}
			for _, h := range c.headers {
				r.Header.Add("Authorization", h)
			}
			w := httptest.NewRecorder()
			h.ServeHTTP(w, r)
			assert.Equal(t, c.status, w.Code, "%s", w.Body)
			assert.Equal(t, c.status == 200, called)
			if c.status == 400 {
				assert.Contains(t, w.Header().Get("WWW-Authenticate"), `error="invalid_request"`)
			}
		})
	}
}

// A client that announces a body and never sends it gets its 401 at once,
// and the connection closes instead of waiting for the body.
func TestDeniedRequestWithUnsentBodyClosesTheConnection(t *testing.T) {
	iss := testissuer.New(t)
	v := newValidator(t, iss, nil)
	srv := httptest.NewServer(v.Require(guard.Requirement{})(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {
		t.Error("the handler was called")
	})))
	defer srv.Close()
	for _, announce := range []string{"Content-Length: 1000", "Transfer-Encoding: chunked"} {
		conn, err := net.Dial("tcp", srv.Listener.Addr().String())
		require.NoError(t, err)
		defer conn.Close()
		conn.SetDeadline(time.Now().Add(3 * time.Second))
		_, err = io.WriteString(conn, "POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\n"+announce+"\r\n\r\n")
		require.NoError(t, err)
		br := bufio.NewReader(conn)
		resp, err := http.ReadResponse(br, nil)
		require.NoError(t, err, "%s: no answer while the body is unsent", announce)
		io.Copy(io.Discard, resp.Body)
		assert.Equal(t, 401, resp.StatusCode)
		assert.True(t, resp.Close, "%s: the answer does not say Connection: close", announce)
		_, err = br.ReadByte()
		assert.ErrorIs(t, err, io.EOF, "%s: the connection stayed open", announce)
	}
}

// A client that sent its whole body before reading the answer still reads
// its 401: the connection is not reset under it.
func TestDeniedRequestWithSentBodyIsAnswered(t *testing.T) {
	iss := testissuer.New(t)
	v := newValidator(t, iss, nil)
	srv := httptest.NewServer(v.Require(guard.Requirement{})(http.NotFoundHandler()))
	defer srv.Close()
	for _, size := range []int{10 << 10, 200 << 10, 1 << 20} {
		for range 5 {
			conn, err := net.Dial("tcp", srv.Listener.Addr().String())
			require.NoError(t, err)
			conn.SetDeadline(time.Now().Add(5 * time.Second))
			go func() {
				fmt.Fprintf(conn, "POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n", size)
				conn.Write(bytes.Repeat([]byte("a"), size))
			}()
			time.Sleep(50 * time.Millisecond) // the body is in flight or in the server's buffers
			resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
			if assert.NoError(t, err, "%d-byte body: the 401 was lost", size) {
				assert.Equal(t, 401, resp.StatusCode)
				_, err = io.ReadAll(resp.Body)
				assert.NoError(t, err, "%d-byte body: the 401 was cut", size)
			}
			conn.Close()
		}
	}
}
