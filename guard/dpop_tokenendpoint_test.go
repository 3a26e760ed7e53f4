package guard_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/model-api-auth0/model-api-auth0/guard"
	"github.com/model-api-auth0/model-api-auth0/internal/callers/dpop"
)

func TestTokenEndpointProofs(t *testing.T) {
	const endpoint = "https://tenant.example.com/oauth/token"
	p := must(guard.NewTokenEndpointProofs(endpoint, guard.DPoPConfig{}, 30*time.Second, nil))
	key := must(dpop.NewKey())
	ctx := context.Background()
	proof := must(key.Proof("POST", endpoint, "", ""))
	if jkt, err := p.Verify(ctx, proof); err != nil || jkt != key.Thumbprint() {
		t.Fatalf("a valid proof: %q, %v; want %q", jkt, err, key.Thumbprint())
	}
	for name, proof := range map[string]string{
		"replayed":     proof,
		"another URL":  must(key.Proof("POST", "https://tenant.example.com/authorize", "", "")),
		"another verb": must(key.Proof("GET", endpoint, "", "")),
		"another host": must(key.Proof("POST", "https://evil.example.com/oauth/token", "", "")),
		"not a JWS":    "x.y.z",
		"an empty one": "",
	} {
		if _, err := p.Verify(ctx, proof); !errors.Is(err, guard.ErrInvalidDPoPProof) {
			t.Errorf("%s: %v, want ErrInvalidDPoPProof", name, err)
		}
	}
}
