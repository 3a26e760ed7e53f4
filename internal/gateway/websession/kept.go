package websession

import lru "github.com/hashicorp/golang-lru/v2"

// keptSessions bounds the sessions whose renewed tokens a process keeps.
const keptSessions = 1024

// keptTokens are tokens this process renewed but could not store: the
// store failed for the whole save. The tenant rotated the refresh token
// they came with, so the stored one is spent, and refreshing with it again
// would be taken for a stolen copy, revoking the session. The session's
// next requests here store them first (storeKept). Meanwhile the session's
// refresh lock stays held, until it expires, so that other replicas wait
// instead of refreshing with the spent token.
type keptTokens struct{ cache *lru.Cache[string, kept] }

type kept struct {
	u       user
	release func() // the session's refresh lock
}

func newKeptTokens() *keptTokens {
	cache, _ := lru.NewWithEvict(keptSessions, func(_ string, k kept) { k.release() })
	return &keptTokens{cache: cache}
}

func (k *keptTokens) keep(session string, u user, release func()) {
	k.cache.Add(hashID(session), kept{u: u, release: release})
}

func (k *keptTokens) get(session string) (kept, bool) { return k.cache.Get(hashID(session)) }

// drop forgets the session's tokens and releases its lock.
func (k *keptTokens) drop(session string) { k.cache.Remove(hashID(session)) }
