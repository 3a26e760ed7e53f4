package guard

import (
	"context"
	"errors"
	"net/url"
	"time"
)

// EndpointProofs checks the DPoP proofs sent with a bound access token to
// one endpoint of an authorization server, such as its /userinfo, which
// Auth0 serves to DPoP-bound tokens too: the same checks as the Validator
// (signature, typ, htm, htu, iat, ath, the key against cnf.jkt, jti once),
// for a server that is not behind a Validator.
type EndpointProofs struct {
	d   *dpopChecker
	url string // the endpoint, normalized
}

// NewEndpointProofs checks proofs sent to endpoint (its URL as clients
// call it) with cfg's algorithms, MaxAge, replay store and nonces, and Mode
// ignored; now is the clock (nil: time.Now).
func NewEndpointProofs(endpoint string, cfg DPoPConfig, leeway time.Duration, now func() time.Time) (*EndpointProofs, error) {
	u, err := url.Parse(endpoint)
	if err != nil || u.Host == "" {
		return nil, errors.New("guard: the endpoint must be an absolute URL")
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
	return &EndpointProofs{d: newDPoPChecker(c), url: normalizeHTU(u)}, nil
}

// Verify checks a proof of a request with method to the endpoint carrying
// token, which is bound to the key whose RFC 7638 thumbprint is jkt (the
// token's cnf.jkt, which must not be empty). Errors wrap
// ErrInvalidDPoPProof, ErrUseDPoPNonce or ErrReplayStoreUnavailable.
func (p *EndpointProofs) Verify(ctx context.Context, proof, method, token, jkt string) error {
	if token == "" || jkt == "" {
		return proofErr("a proof for an endpoint is checked against a bound token and its cnf.jkt")
	}
	_, err := p.d.check(ctx, proof, method, p.url, token, jkt)
	return err
}

// NewTokenEndpointProofs checks proofs sent to endpoint (the token
// endpoint's URL as clients call it) with cfg's algorithms, MaxAge, replay
// store and nonces, and Mode ignored; now is the clock (nil: time.Now).
func NewTokenEndpointProofs(endpoint string, cfg DPoPConfig, leeway time.Duration, now func() time.Time) (*TokenEndpointProofs, error) {
	p, err := NewEndpointProofs(endpoint, cfg, leeway, now)
	if err != nil {
		return nil, err
	}
	return &TokenEndpointProofs{d: p.d, url: p.url}, nil
}
