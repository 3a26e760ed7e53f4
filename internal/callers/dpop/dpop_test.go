package dpop_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/model-api-auth0/model-api-auth0/internal/callers/dpop"
)

func TestProofClaims(t *testing.T) {
	k, err := dpop.NewKey()
	if err != nil {
		t.Fatal(err)
	}
	k.Now = func() time.Time { return time.Unix(1767225600, 0) }
	p, err := k.Proof("POST", "https://models.example.com/v1/chat/completions?stream=1#x", "tok", "n1")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := base64.RawURLEncoding.DecodeString(strings.Split(p, ".")[1])
	var c map[string]any
	json.Unmarshal(b, &c)
	sum := sha256.Sum256([]byte("tok"))
	if c["htm"] != "POST" || c["htu"] != "https://models.example.com/v1/chat/completions" || c["iat"] != 1767225600.0 ||
		c["ath"] != base64.RawURLEncoding.EncodeToString(sum[:]) || c["nonce"] != "n1" || c["jti"] == "" {
		t.Errorf("claims %v", c)
	}
	if _, err := k.Proof("GET", "/relative", "", ""); err == nil {
		t.Error("a relative URL was signed")
	}
}

func TestKeyRoundTripAndCurve(t *testing.T) {
	k, _ := dpop.NewKey()
	b, err := k.MarshalPEM()
	if err != nil {
		t.Fatal(err)
	}
	back, err := dpop.ParsePEM(b)
	if err != nil || back.Thumbprint() != k.Thumbprint() {
		t.Fatalf("round trip: %v", err)
	}
	p384, _ := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	if _, err := dpop.FromPrivate(p384); err == nil {
		t.Error("a P-384 key taken for ES256")
	}
}
