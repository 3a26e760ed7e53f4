package guard

import (
	"context"
	"time"

	"github.com/hashicorp/golang-lru/v2/expirable"
)

// maxCacheAge bounds how long a verified token is trusted without verifying
// its signature again, whatever its expiry.
const maxCacheAge = 10 * time.Minute

// verified remembers tokens whose signature and claims were checked, so a
// client reusing its token (as M2M clients do until it expires) costs a map
// lookup instead of an RSA verification. A hit still needs the token to be
// unexpired and its key to be in the current key set: a key removed from the
// JWKS invalidates its cached tokens at the next refresh.
type verified struct {
	lru *expirable.LRU[string, verifiedToken]
}

type verifiedToken struct {
	id  Identity
	kid string
}

func newVerified(size int) *verified {
	if size <= 0 {
		return nil
	}
	return &verified{lru: expirable.NewLRU[string, verifiedToken](size, nil, maxCacheAge)}
}

func (c *verified) get(ctx context.Context, token string, now time.Time, leeway time.Duration, keys *keySet) (*Identity, bool) {
	e, ok := c.lru.Get(token)
	if !ok || !now.Before(e.id.ExpiresAt.Add(leeway)) {
		return nil, false
	}
	if _, err := keys.cache.KeyRead(ctx, e.kid); err != nil {
		c.lru.Remove(token)
		return nil, false
	}
	id := e.id // a copy: handlers cannot change what later requests see
	return &id, true
}

func (c *verified) add(token, kid string, id *Identity) {
	if c != nil {
		c.lru.Add(token, verifiedToken{id: *id, kid: kid})
	}
}
