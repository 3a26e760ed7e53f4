package guard

import (
	"context"
	"crypto/rsa"
	"errors"
	"fmt"

	"github.com/MicahParks/jwkset"
	"github.com/golang-jwt/jwt/v5"
	"golang.org/x/sync/singleflight"
	"golang.org/x/time/rate"
)

// keySet is the tenant's JWKS: jwkset's HTTP storage (initial fetch,
// background refresh, last good set kept on failure) behind a refresh for
// unknown kids that concurrent requests share. It is fetched with
// jwksClient: no redirects, a bounded response.
type keySet struct {
	jwkset.Storage                // jwkset's client: refreshes for an unknown kid, rate-limited
	cache          jwkset.Storage // the fetched keys only; reading never fetches
	flight         singleflight.Group
	cfg            Config
}

func newKeySet(ctx context.Context, cfg Config) (*keySet, error) {
	logger := cfg.Logger.With("jwks", cfg.JWKSURL)
	cache, err := jwkset.NewStorageFromHTTP(cfg.JWKSURL, jwkset.HTTPClientStorageOptions{
		Client:                    jwksClient(cfg.HTTPClient, cfg.MaxJWKSBytes),
		Ctx:                       ctx,
		HTTPTimeout:               cfg.FetchTimeout,
		NoErrorReturnFirstHTTPReq: true, // a cold cache answers 503 until the JWKS is reachable
		RefreshInterval:           cfg.RefreshInterval,
		Storage:                   observedStorage(cfg), // counts successful fetches
		RefreshErrorHandler: func(ctx context.Context, err error) {
			logger.WarnContext(ctx, "JWKS fetch failed; the keys fetched before, if any, stay in use", "error", err)
			observeRefreshFailed(cfg, err)
		},
	})
	if err != nil {
		return nil, fmt.Errorf("guard: JWKS %s: %w", cfg.JWKSURL, err)
	}
	client, err := jwkset.NewHTTPClient(jwkset.HTTPClientOptions{
		HTTPURLs:          map[string]jwkset.Storage{cfg.JWKSURL: cache},
		RateLimitWaitMax:  cfg.FetchTimeout,
		RefreshUnknownKID: rate.NewLimiter(rate.Every(cfg.UnknownKIDWindow), 1),
	})
	if err != nil {
		return nil, fmt.Errorf("guard: JWKS %s: %w", cfg.JWKSURL, err)
	}
	return &keySet{Storage: client, cache: cache, cfg: cfg}, nil
}

// KeyRead finds the key with the given kid. On a miss, one refresh is made
// for all concurrent misses (if the rate limit allows one), bounded by
// FetchTimeout. With no keys at all it reports ErrKeysUnavailable.
func (k *keySet) KeyRead(ctx context.Context, kid string) (jwkset.JWK, error) {
	if jwk, err := k.cache.KeyRead(ctx, kid); err == nil {
		return jwk, nil
	}
	k.flight.Do("refresh", func() (any, error) {
		// Not the first caller's context: its cancellation must not fail the others.
		fetchCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), k.cfg.FetchTimeout)
		defer cancel()
		_, err := k.Storage.KeyRead(fetchCtx, kid)
		return nil, err
	})
	if jwk, err := k.cache.KeyRead(ctx, kid); err == nil {
		return jwk, nil
	}
	if all, err := k.cache.KeyReadAll(ctx); err != nil || len(all) == 0 {
		return jwkset.JWK{}, ErrKeysUnavailable
	}
	return jwkset.JWK{}, fmt.Errorf("%w: no key with kid %q in the JWKS", jwkset.ErrKeyNotFound, kid)
}

// key resolves a token's key by its kid only: a token without one, or
// with headers pointing elsewhere (jku, x5u, jwk, x5c), gets nothing more.
// The key must be an RSA signing key whose JWK alg, if any, is the one
// configured or RS256: Auth0 labels its tenant keys RS256 and signs with the
// same keys for an API set to PS256. The token's own alg is checked against
// Config.SigningAlg by the parser before this is called.
func (k *keySet) key(ctx context.Context, t *jwt.Token) (*rsa.PublicKey, error) {
	kid, ok := t.Header["kid"].(string)
	if !ok || kid == "" {
		return nil, errors.New("the token has no kid header")
	}
	// RFC 7515 4.1.11: extensions the token says must be understood are not.
	if _, ok := t.Header["crit"]; ok {
		return nil, errors.New("the token has a crit header")
	}
	jwk, err := k.KeyRead(ctx, kid)
	if err != nil {
		return nil, err
	}
	return k.publicKey(jwk)
}

// publicKey is the RSA public key of a JWK fit to verify tokens.
func (k *keySet) publicKey(jwk jwkset.JWK) (*rsa.PublicKey, error) {
	m := jwk.Marshal()
	if m.USE != jwkset.UseSig {
		return nil, fmt.Errorf("key %q is not a signing key (use %q)", m.KID, m.USE)
	}
	if alg := m.ALG.String(); alg != "" && alg != k.cfg.SigningAlg && alg != "RS256" {
		return nil, fmt.Errorf("key %q is for %s, not %s", m.KID, alg, k.cfg.SigningAlg)
	}
	switch key := jwk.Key().(type) {
	case *rsa.PublicKey:
		return key, nil
	case *rsa.PrivateKey: // a JWKS that publishes too much still has the public half
		return &key.PublicKey, nil
	}
	return nil, fmt.Errorf("key %q is not an RSA key", m.KID)
}

// stillPublishes reports whether the cached key set has, under kid, the
// same key material as key, and returns the key it has now. It never
// fetches. The usual answer costs a pointer comparison: jwkset parses a
// key once per fetch, so the very key object that verified a token (its
// use and alg checked then) is still there until the next fetch.
func (k *keySet) stillPublishes(ctx context.Context, kid string, key *rsa.PublicKey) (*rsa.PublicKey, bool) {
	jwk, err := k.cache.KeyRead(ctx, kid)
	if err != nil {
		return nil, false
	}
	if current, ok := jwk.Key().(*rsa.PublicKey); ok && current == key {
		return key, true
	}
	current, err := k.publicKey(jwk)
	if err != nil || !current.Equal(key) {
		return nil, false
	}
	return current, true
}
