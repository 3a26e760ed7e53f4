package devtenant_test

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/model-api-auth0/model-api-auth0/internal/dev/devtenant"
	"github.com/model-api-auth0/model-api-auth0/internal/testing/testissuer"
)

// BenchmarkClientCredentials is a whole token request through the handler:
// form parsing, client authentication, claims, an RS256 signature.
func BenchmarkClientCredentials(b *testing.B) {
	tn, err := devtenant.New(testStack(b), devtenant.Options{Issuer: "http://127.0.0.1:7300/", Key: testissuer.NewKey(0)})
	if err != nil {
		b.Fatal(err)
	}
	h := tn.Handler()
	body := m2mForm(tn, "batch-scorer").Encode()
	b.ReportAllocs()
	for b.Loop() {
		req := httptest.NewRequest(http.MethodPost, tn.TokenURL(), strings.NewReader(body)) // at the issuer's host
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			b.Fatal(rec.Body.String())
		}
	}
}

// BenchmarkRSASignFloor is the RS256 signature alone: the floor of a token.
func BenchmarkRSASignFloor(b *testing.B) {
	key := testissuer.NewKey(0)
	sum := sha256.Sum256([]byte("header.payload"))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := rsa.SignPKCS1v15(rand.Reader, key, crypto.SHA256, sum[:]); err != nil {
			b.Fatal(err)
		}
	}
}
