package dpop

import (
	"encoding/json"

	"github.com/go-jose/go-jose/v4"
)

// Sign signs claims as a compact JWS with signer. Proof uses it; tests use
// it with signers of their own to forge proofs a server must refuse.
func Sign(signer jose.Signer, claims any) (string, error) {
	b, err := json.Marshal(claims)
	if err != nil {
		return "", err
	}
	jws, err := signer.Sign(b)
	if err != nil {
		return "", err
	}
	return jws.CompactSerialize()
}
