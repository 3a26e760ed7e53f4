package guard_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"

	"github.com/model-api-auth0/model-api-auth0/guard"
	"github.com/model-api-auth0/model-api-auth0/internal/callers/dpop"
	"github.com/model-api-auth0/model-api-auth0/internal/testing/testissuer"
)

const publicURL = "https://models.example.com"

// dpopSetup is a Validator accepting DPoP at publicURL, a clock both it and
// the caller's key read, and a token bound to that key.
type dpopSetup struct {
	iss   *testissuer.Issuer
	v     *guard.Validator
	now   time.Time
	priv  *ecdsa.PrivateKey
	key   *dpop.Key // priv's
	token string    // bound to key
}

func newDPoPSetup(t testing.TB, change func(*guard.Config)) *dpopSetup {
	t.Helper()
	s := &dpopSetup{iss: testissuer.New(t), now: time.Now()}
	s.priv = newECKey()
	s.key = must(dpop.FromPrivate(s.priv))
	s.key.Now = func() time.Time { return s.now }
	s.token = s.boundTo(s.key.Thumbprint())
	s.v = newValidator(t, s.iss, func(c *guard.Config) {
		c.Now = func() time.Time { return s.now }
		c.DPoP = guard.DPoPConfig{Mode: guard.DPoPAllowed, PublicURL: publicURL}
		if change != nil {
			change(c)
		}
	})
	return s
}

func (s *dpopSetup) boundTo(jkt string) string {
	return s.iss.Token(map[string]any{"cnf": map[string]string{"jkt": jkt}})
}

// proof is a valid proof of s.key for a request with s.token.
func (s *dpopSetup) proof(method, path string) string {
	return must(s.key.Proof(method, publicURL+path, s.token, ""))
}

// call sends one request through middleware requiring req.
func (s *dpopSetup) call(req guard.Requirement, method, path, authorization string, proofs ...string) *httptest.ResponseRecorder {
	h := s.v.Require(req)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	r := httptest.NewRequest(method, path, nil)
	if authorization != "" {
		r.Header.Set("Authorization", authorization)
	}
	for _, p := range proofs {
		r.Header.Add("DPoP", p)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

// forge signs claims with key under alg, with header fields of its own
// choosing (a jwk that is not the signer's, a private jwk, another typ).
func forge(t testing.TB, alg jose.SignatureAlgorithm, key any, header map[jose.HeaderKey]any, claims map[string]any) string {
	t.Helper()
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: alg, Key: key}, &jose.SignerOptions{ExtraHeaders: header})
	if err != nil {
		t.Fatal(err)
	}
	return must(dpop.Sign(signer, claims))
}

// claimsFor are a valid proof's claims for GET publicURL/v1/models.
func (s *dpopSetup) claimsFor(token string) map[string]any {
	sum := sha256.Sum256([]byte(token))
	return map[string]any{"jti": rand.Text(), "htm": "GET", "htu": publicURL + "/v1/models", "iat": s.now.Unix(),
		"ath": base64.RawURLEncoding.EncodeToString(sum[:])}
}

func newECKey() *ecdsa.PrivateKey { return must(ecdsa.GenerateKey(elliptic.P256(), rand.Reader)) }
