package guard_test

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/model-api-auth0/model-api-auth0/guard"
	"github.com/model-api-auth0/model-api-auth0/internal/testing/testissuer"
)

// BenchmarkRSAVerifyFloor is the least any RS256 validation costs: hashing
// the signing input and verifying the signature, nothing else.
func BenchmarkRSAVerifyFloor(b *testing.B) {
	iss := testissuer.New(b)
	token := iss.Token(nil)
	dot := strings.LastIndexByte(token, '.')
	sig, err := base64.RawURLEncoding.DecodeString(token[dot+1:])
	if err != nil {
		b.Fatal(err)
	}
	pub := &iss.Key(iss.CurrentKID()).PublicKey
	for b.Loop() {
		sum := sha256.Sum256([]byte(token[:dot]))
		if err := rsa.VerifyPKCS1v15(pub, crypto.SHA256, sum[:], sig); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkES256VerifyFloor is the least a DPoP proof's check costs: its
// ES256 signature (P-256), verified. Beside BenchmarkRSAVerifyFloor it
// bounds what a DPoP-checked request can cost over a bearer-checked one:
// at least (RS256 + ES256) / RS256, whatever the code around them.
func BenchmarkES256VerifyFloor(b *testing.B) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		b.Fatal(err)
	}
	input := []byte(strings.Repeat("a", 300)) // a proof's header and claims, base64
	sum := sha256.Sum256(input)
	sig, err := ecdsa.SignASN1(rand.Reader, key, sum[:])
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		sum := sha256.Sum256(input)
		if !ecdsa.VerifyASN1(&key.PublicKey, sum[:], sig) {
			b.Fatal("signature refused")
		}
	}
}

// BenchmarkValidate is a full validation of a valid token through the
// package: header checks, parsing, key lookup, signature and claims. The
// cache of verified tokens is off, so every iteration verifies.
func BenchmarkValidate(b *testing.B) { benchValidate(b, -1) }

// BenchmarkValidateRepeat is the same token again, as an M2M client sends
// it until it expires: answered from the cache of verified tokens.
func BenchmarkValidateRepeat(b *testing.B) { benchValidate(b, guard.DefaultCacheSize) }

func benchValidate(b *testing.B, cacheSize int) {
	iss := testissuer.New(b)
	v := newValidator(b, iss, func(c *guard.Config) { c.CacheSize = cacheSize })
	token := benchToken(iss)
	ctx := context.Background()
	for b.Loop() {
		if _, err := v.Validate(ctx, token); err != nil {
			b.Fatal(err)
		}
	}
}

// benchToken is a realistic token: scopes, permissions and an organization.
func benchToken(iss *testissuer.Issuer) string {
	return iss.Token(map[string]any{"permissions": []string{"read:models", "invoke:models"}, "org_id": "org_acme"})
}

// BenchmarkValidateOverFloor alternates one bare verification and one full
// validation and reports the ratio of their median times: on a machine
// whose speed drifts, interleaving keeps the two measured under the same
// conditions, and medians ignore the iterations another process preempted
// (a mean ratio moved by ±0.3 between runs on a loaded machine).
func BenchmarkValidateOverFloor(b *testing.B) {
	iss := testissuer.New(b)
	v := newValidator(b, iss, func(c *guard.Config) { c.CacheSize = -1 })
	token := benchToken(iss)
	dot := strings.LastIndexByte(token, '.')
	sig, _ := base64.RawURLEncoding.DecodeString(token[dot+1:])
	pub := &iss.Key(iss.CurrentKID()).PublicKey
	ctx := context.Background()
	var floors, fulls []time.Duration
	for b.Loop() {
		start := time.Now()
		sum := sha256.Sum256([]byte(token[:dot]))
		if err := rsa.VerifyPKCS1v15(pub, crypto.SHA256, sum[:], sig); err != nil {
			b.Fatal(err)
		}
		mid := time.Now()
		if _, err := v.Validate(ctx, token); err != nil {
			b.Fatal(err)
		}
		end := time.Now()
		floors, fulls = append(floors, mid.Sub(start)), append(fulls, end.Sub(mid))
	}
	b.ReportMetric(float64(median(fulls))/float64(median(floors)), "validate/floor")
}

func median(d []time.Duration) time.Duration {
	slices.Sort(d)
	return d[len(d)/2]
}
