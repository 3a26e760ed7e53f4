package guard

import (
	"context"
	"errors"
	"net/url"
	"time"
)

// TokenEndpointProofs checks the DPoP proofs sent to an authorization
// server's token endpoint (RFC 9449 section 5), where no access token is
// presented yet: the proof only says which key to bind the new tokens to.
// The local dev tenant uses it to issue bound tokens as Auth0 does.
type TokenEndpointProofs struct {
	d   *dpopChecker
	url string // the token endpoint, normalized
}

// NewTokenEndpointProofs checks proofs sent to endpoint (the token
// endpoint's URL as clients call it) with cfg's algorithms, MaxAge, replay
// store and nonces, and Mode ignored; now is the clock (nil: time.Now).
func NewTokenEndpointProofs(endpoint string, cfg DPoPConfig, leeway time.Duration, now func() time.Time) (*TokenEndpointProofs, error) {
	u, err := url.Parse(endpoint)
	if err != nil || u.Host == "" {
		return nil, errors.New("guard: the token endpoint must be an absolute URL")
	}
	c := Config{DPoP: cfg, Now: now}
	c.DPoP.Mode, c.DPoP.PublicURL = DPoPAllowed, u.Scheme+"://"+u.Host
	if c.Now == nil {
		c.Now = time.Now
	}
	if problems := c.completeDPoP(); len(problems) > 0 {
		return nil, errors.New("guard: " + problems[0])
	}
	c.Leeway = leeway
	return &TokenEndpointProofs{d: newDPoPChecker(c), url: normalizeHTU(u)}, nil
}

// Verify checks a proof of a POST to the token endpoint and returns the
// RFC 7638 thumbprint of its key, the cnf.jkt of the tokens to issue.
// Errors wrap ErrInvalidDPoPProof, ErrUseDPoPNonce or
// ErrReplayStoreUnavailable.
func (p *TokenEndpointProofs) Verify(ctx context.Context, proof string) (string, error) {
	return p.d.check(ctx, proof, "POST", p.url, "", "")
}
