package guard

import (
	"context"
	"errors"
	"fmt"

	"github.com/MicahParks/jwkset"
	"github.com/MicahParks/keyfunc/v3"
	"github.com/golang-jwt/jwt/v5"
	"golang.org/x/sync/singleflight"
	"golang.org/x/time/rate"
)

// keySet is the tenant's JWKS: jwkset's HTTP storage (initial fetch,
// background refresh, last good set kept on failure) behind a refresh for
// unknown kids that concurrent requests share.
type keySet struct {
	jwkset.Storage                // jwkset's client: refreshes for an unknown kid, rate-limited
	cache          jwkset.Storage // the fetched keys only; reading never fetches
	flight         singleflight.Group
	cfg            Config
	resolver       keyfunc.Keyfunc
}

func newKeySet(ctx context.Context, cfg Config) (*keySet, error) {
	logger := cfg.Logger.With("jwks", cfg.JWKSURL)
	cache, err := jwkset.NewStorageFromHTTP(cfg.JWKSURL, jwkset.HTTPClientStorageOptions{
		Client:                    cfg.HTTPClient,
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
	k := &keySet{Storage: client, cache: cache, cfg: cfg}
	k.resolver, err = keyfunc.New(keyfunc.Options{Ctx: ctx, Storage: k, UseWhitelist: []jwkset.USE{jwkset.UseSig}})
	if err != nil {
		return nil, fmt.Errorf("guard: %w", err)
	}
	return k, nil
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

// keyfunc resolves a token's key by its kid only: a token without one, or
// with headers pointing elsewhere (jku, x5u, jwk, x5c), gets nothing more.
func (k *keySet) keyfunc(ctx context.Context) jwt.Keyfunc {
	resolve := k.resolver.KeyfuncCtx(ctx)
	return func(t *jwt.Token) (any, error) {
		if kid, ok := t.Header["kid"].(string); !ok || kid == "" {
			return nil, errors.New("the token has no kid header")
		}
		// RFC 7515 4.1.11: extensions the token says must be understood are not.
		if _, ok := t.Header["crit"]; ok {
			return nil, errors.New("the token has a crit header")
		}
		return resolve(t)
	}
}
