package guard

import (
	"crypto/rsa"
	"time"

	"github.com/hashicorp/golang-lru/v2/expirable"
)

// maxCacheAge bounds how long a verified token is trusted without verifying
// its signature again, whatever its expiry.
const maxCacheAge = 10 * time.Minute

// verified remembers tokens whose signature and claims were checked, so a
// client reusing its token (as M2M clients do until it expires) costs a map
// lookup instead of an RSA verification. A hit still needs the token to be
// unexpired and the very key that verified it to be in the current key set
// under its kid: a key removed from the JWKS, or replaced by other material
// under the same kid, invalidates its cached tokens at the next refresh.
type verified struct {
	lru *expirable.LRU[string, verifiedToken]
}

type verifiedToken struct {
	id  Identity
	kid string
	key *rsa.PublicKey
}

func newVerified(size int) *verified {
	if size <= 0 {
		return nil
	}
	return &verified{lru: expirable.NewLRU[string, verifiedToken](size, nil, maxCacheAge)}
}

func (c *verified) get(token string, now time.Time, leeway time.Duration, keys *keySet) (*Identity, bool) {
	e, ok := c.lru.Get(token)
	if !ok || !now.Before(e.id.ExpiresAt.Add(leeway)) {
		return nil, false
	}
	current, ok := keys.stillPublishes(e.kid, e.key)
	if !ok {
		c.lru.Remove(token)
		return nil, false
	}
	if current != e.key { // the same key, fetched again: remember the new copy
		e.key = current
		c.lru.Add(token, e)
	}
	return e.id.clone(), true
}

func (c *verified) add(token, kid string, key *rsa.PublicKey, id *Identity) {
	if c != nil && key != nil {
		c.lru.Add(token, verifiedToken{id: *id.clone(), kid: kid, key: key})
	}
}

// clone is a deep copy: a handler appending to or changing the scopes of
// its identity cannot change what later requests with the same token see.
// Scopes and permissions share one allocation; each is capped at its
// length, so that appending to one copies it rather than overwriting the
// other.
func (id *Identity) clone() *Identity {
	c := *id
	ns, np := len(id.Scopes), len(id.Permissions)
	if ns+np == 0 {
		return &c
	}
	names := make([]string, ns+np)
	copy(names, id.Scopes)
	copy(names[ns:], id.Permissions)
	c.Scopes, c.Permissions = nil, nil
	if id.Scopes != nil {
		c.Scopes = names[:ns:ns]
	}
	if id.Permissions != nil {
		c.Permissions = names[ns:]
	}
	return &c
}
