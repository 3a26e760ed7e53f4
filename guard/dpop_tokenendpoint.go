package guard

import "context"

// TokenEndpointProofs checks the DPoP proofs sent to an authorization
// server's token endpoint (RFC 9449 section 5), where no access token is
// presented yet: the proof only says which key to bind the new tokens to.
// The local dev tenant uses it to issue bound tokens as Auth0 does.
type TokenEndpointProofs struct {
	d   *dpopChecker
	url string // the token endpoint, normalized
}

// Verify checks a proof of a POST to the token endpoint and returns the
// RFC 7638 thumbprint of its key, the cnf.jkt of the tokens to issue.
// Errors wrap ErrInvalidDPoPProof, ErrUseDPoPNonce or
// ErrReplayStoreUnavailable.
func (p *TokenEndpointProofs) Verify(ctx context.Context, proof string) (string, error) {
	return p.d.check(ctx, proof, "POST", p.url, "", "")
}
