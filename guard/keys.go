package guard

import (
	"context"
	"crypto/rsa"
	"errors"
	"fmt"
	"sync/atomic"

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
	fit            *keyIndex      // the fetched keys fit to verify with, by kid
	flight         singleflight.Group
	cfg            Config
}

func newKeySet(ctx context.Context, cfg Config) (*keySet, error) {
	logger := cfg.Logger.With("jwks", cfg.JWKSURL)
	fit := &keyIndex{Storage: jwkset.NewMemoryStorage(), signingAlg: cfg.SigningAlg}
	cache, err := jwkset.NewStorageFromHTTP(cfg.JWKSURL, jwkset.HTTPClientStorageOptions{
		Client:                    jwksClient(cfg.HTTPClient, cfg.MaxJWKSBytes),
		Ctx:                       ctx,
		HTTPTimeout:               cfg.FetchTimeout,
		NoErrorReturnFirstHTTPReq: true, // a cold cache answers 503 until the JWKS is reachable
		RefreshInterval:           cfg.RefreshInterval,
		Storage:                   observedStorage(cfg, fit), // counts successful fetches
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
	return &keySet{Storage: client, cache: cache, fit: fit, cfg: cfg}, nil
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
	if key, ok := k.fit.lookup(kid); ok {
		return key, nil
	}
	jwk, err := k.KeyRead(ctx, kid) // unknown kid: a refresh; an unfit key: why
	if err != nil {
		return nil, err
	}
	return publicKey(jwk, k.cfg.SigningAlg)
}

// publicKey is the RSA public key of a JWK fit to verify tokens.
func publicKey(jwk jwkset.JWK, signingAlg string) (*rsa.PublicKey, error) {
	m := jwk.Marshal()
	if m.USE != jwkset.UseSig {
		return nil, fmt.Errorf("key %q is not a signing key (use %q)", m.KID, m.USE)
	}
	if alg := m.ALG.String(); alg != "" && alg != signingAlg && alg != "RS256" {
		return nil, fmt.Errorf("key %q is for %s, not %s", m.KID, alg, signingAlg)
	}
	switch key := jwk.Key().(type) {
	case *rsa.PublicKey:
		return key, nil
	case *rsa.PrivateKey: // a JWKS that publishes too much still has the public half
		return &key.PublicKey, nil
	}
	return nil, fmt.Errorf("key %q is not an RSA key", m.KID)
}

// stillPublishes reports whether the key set last fetched has, under kid,
// the very key material given (the same pointer when the set was not
// fetched again since), and returns the current copy.
func (k *keySet) stillPublishes(kid string, key *rsa.PublicKey) (*rsa.PublicKey, bool) {
	current, ok := k.fit.lookup(kid)
	if !ok || (current != key && !current.Equal(key)) {
		return nil, false
	}
	return current, true
}

// keyIndex is where jwkset keeps the fetched keys, with a map of those fit
// to verify with, by kid, made once per fetch: a request then finds its
// key with a map lookup. jwkset's storage scans its keys and copies each
// one's record (about 1 KiB) to compare kids, which made the stack of
// every request's goroutine, and so of every open stream, grow from 8 KiB
// to 16 KiB.
type keyIndex struct {
	jwkset.Storage
	signingAlg string
	byKID      atomic.Pointer[map[string]*rsa.PublicKey]
}

func (x *keyIndex) lookup(kid string) (*rsa.PublicKey, bool) {
	m := x.byKID.Load()
	if m == nil {
		return nil, false
	}
	key, ok := (*m)[kid]
	return key, ok
}

func (x *keyIndex) KeyReplaceAll(ctx context.Context, given []jwkset.JWK) error {
	if err := x.Storage.KeyReplaceAll(ctx, given); err != nil {
		return err
	}
	x.index(given)
	return nil
}

func (x *keyIndex) KeyWrite(ctx context.Context, jwk jwkset.JWK) error {
	if err := x.Storage.KeyWrite(ctx, jwk); err != nil {
		return err
	}
	all, err := x.Storage.KeyReadAll(ctx)
	if err != nil {
		return err
	}
	x.index(all)
	return nil
}

// index maps each kid to its key as KeyRead finds it: the first key with
// that kid, and only if it is fit to verify with.
func (x *keyIndex) index(keys []jwkset.JWK) {
	m := make(map[string]*rsa.PublicKey, len(keys))
	seen := make(map[string]bool, len(keys))
	for _, jwk := range keys {
		kid := jwk.Marshal().KID
		if seen[kid] {
			continue
		}
		seen[kid] = true
		if key, err := publicKey(jwk, x.signingAlg); err == nil {
			m[kid] = key
		}
	}
	x.byKID.Store(&m)
}
