package guard_test

import (
	"errors"
	"net/http/httptest"
	"testing"

	"github.com/model-api-auth0/model-api-auth0/guard"
)

// FuzzDPoPProof feeds arbitrary DPoP headers with a genuine bound token:
// nothing panics, every refusal is one of the package's errors, and only
// a proof signed by the token's key passes.
func FuzzDPoPProof(f *testing.F) {
	s := newDPoPSetup(f, nil)
	for _, seed := range []string{"", ".", "..", "a.b.c", "eyJhbGciOiJub25lIn0.e30.", s.proof("GET", "/v1/models"), s.proof("GET", "/v1/models") + "x"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, proof string) {
		r := httptest.NewRequest("GET", "/v1/models", nil)
		r.Header.Set("Authorization", "DPoP "+s.token)
		r.Header.Set("DPoP", proof)
		_, err := s.v.Authorize(r, guard.Requirement{})
		switch {
		case err == nil:
			// only a valid proof of s.key: signatures cannot be forged by
			// mutation, so a pass is one of the seeds' valid proofs
		case errors.Is(err, guard.ErrInvalidDPoPProof), errors.Is(err, guard.ErrUseDPoPNonce):
		default:
			t.Fatalf("proof %q: unclassified error %v", proof, err)
		}
	})
}
