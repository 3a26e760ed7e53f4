// Package testissuer is a local stand-in for an Auth0 tenant in tests: RSA
// keys made in the test, a JWKS served on loopback, and tokens signed with
// any header and claims, including ones no real tenant would issue.
package testissuer

import (
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math/big"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// Issuer is the fake tenant. Its issuer string is https://tenant.test/
// while its JWKS is served from a loopback URL.
type Issuer struct {
	Issuer   string
	Audience string
	Server   *httptest.Server

	mu        sync.Mutex
	keys      map[string]*rsa.PrivateKey
	published []string
	mode      Mode
	hits      atomic.Int64
	keyNum    int
}

// Mode is how the JWKS endpoint behaves.
type Mode int

const (
	Serving Mode = iota // the published keys
	Down                // HTTP 500
	Garbage             // 200 with a body that is not a key set
	Hanging             // no answer until the client gives up
)

var keyPool struct {
	sync.Mutex
	keys []*rsa.PrivateKey
}

// NewKey returns a 2048-bit RSA key, reused across tests: generating one
// takes a noticeable time.
func NewKey(i int) *rsa.PrivateKey {
	keyPool.Lock()
	defer keyPool.Unlock()
	for len(keyPool.keys) <= i {
		k, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			panic(err)
		}
		keyPool.keys = append(keyPool.keys, k)
	}
	return keyPool.keys[i]
}

// New starts a tenant with one published key, "key-0".
func New(t testing.TB) *Issuer {
	iss := &Issuer{Issuer: "https://tenant.test/", Audience: "https://models.example.com/", keys: map[string]*rsa.PrivateKey{}}
	iss.AddKey()
	iss.Server = httptest.NewServer(http.HandlerFunc(iss.serveJWKS))
	t.Cleanup(iss.Server.Close)
	return iss
}

// JWKSURL is where the key set is served.
func (i *Issuer) JWKSURL() string { return i.Server.URL + "/.well-known/jwks.json" }

// Hits counts JWKS requests.
func (i *Issuer) Hits() int { return int(i.hits.Load()) }

// SetMode changes how the JWKS endpoint answers.
func (i *Issuer) SetMode(m Mode) { i.mu.Lock(); i.mode = m; i.mu.Unlock() }

// AddKey publishes a new key and returns its kid.
func (i *Issuer) AddKey() string {
	i.mu.Lock()
	defer i.mu.Unlock()
	kid := fmt.Sprintf("key-%d", i.keyNum)
	i.keys[kid] = NewKey(i.keyNum)
	i.keyNum++
	i.published = append(i.published, kid)
	return kid
}

// Rotate publishes a new key, removes every other, and returns the new kid.
// Old keys can still sign, as a leaked or retired key would.
func (i *Issuer) Rotate() string {
	kid := i.AddKey()
	i.mu.Lock()
	i.published = []string{kid}
	i.mu.Unlock()
	return kid
}

// Key returns the private key of kid.
func (i *Issuer) Key(kid string) *rsa.PrivateKey {
	i.mu.Lock()
	defer i.mu.Unlock()
	return i.keys[kid]
}

// CurrentKID is the newest published kid.
func (i *Issuer) CurrentKID() string {
	i.mu.Lock()
	defer i.mu.Unlock()
	return i.published[len(i.published)-1]
}

func (i *Issuer) serveJWKS(w http.ResponseWriter, r *http.Request) {
	i.hits.Add(1)
	i.mu.Lock()
	mode, published := i.mode, append([]string(nil), i.published...)
	i.mu.Unlock()
	switch mode {
	case Down:
		http.Error(w, "down", http.StatusInternalServerError)
		return
	case Garbage:
		w.Write([]byte("<html>not a key set"))
		return
	case Hanging:
		select {
		case <-r.Context().Done():
		case <-time.After(30 * time.Second):
		}
		return
	}
	var keys []any
	for _, kid := range published {
		keys = append(keys, JWK(kid, &i.Key(kid).PublicKey))
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(map[string]any{"keys": keys})
}

// JWK is the JSON form of an RSA public key, as Auth0 publishes it.
func JWK(kid string, pub *rsa.PublicKey) map[string]any {
	return map[string]any{
		"kty": "RSA", "use": "sig", "alg": "RS256", "kid": kid,
		"n": base64.RawURLEncoding.EncodeToString(pub.N.Bytes()),
		"e": base64.RawURLEncoding.EncodeToString(big.NewInt(int64(pub.E)).Bytes()),
	}
}

// Claims returns the claims of a valid M2M token, to be modified.
func (i *Issuer) Claims() jwt.MapClaims {
	now := time.Now()
	return jwt.MapClaims{
		"iss": i.Issuer, "sub": "client-123@clients", "aud": i.Audience, "azp": "client-123",
		"iat": now.Unix(), "exp": now.Add(time.Hour).Unix(), "gty": "client-credentials",
		"scope": "read:models invoke:models",
	}
}

// Sign signs claims with RS256 and the current key, then applies header
// changes (nil values delete).
func (i *Issuer) Sign(claims jwt.MapClaims, header map[string]any) string {
	return i.SignWith(jwt.SigningMethodRS256, i.CurrentKID(), i.Key(i.CurrentKID()), claims, header)
}

// SignWith signs with any method and key, under the given kid.
func (i *Issuer) SignWith(method jwt.SigningMethod, kid string, key any, claims jwt.MapClaims, header map[string]any) string {
	t := jwt.NewWithClaims(method, claims)
	t.Header["kid"] = kid
	for k, v := range header {
		if v == nil {
			delete(t.Header, k)
		} else {
			t.Header[k] = v
		}
	}
	s, err := t.SignedString(key)
	if err != nil {
		panic(err)
	}
	return s
}

// Token is a valid token with the given claims changed (nil values delete).
func (i *Issuer) Token(changes map[string]any) string {
	c := i.Claims()
	for k, v := range changes {
		if v == nil {
			delete(c, k)
		} else {
			c[k] = v
		}
	}
	return i.Sign(c, nil)
}
