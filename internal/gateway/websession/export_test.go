package websession

import (
	"context"
	"fmt"
	"time"

	"github.com/alexedwards/scs/v2"
)

// StoredSessions counts the sessions in w's store, expired ones too.
func StoredSessions(ctx context.Context, w *Web) (int, error) {
	switch store := w.sm.Store.(type) {
	case scs.IterableCtxStore:
		all, err := store.AllCtx(ctx)
		return len(all), err
	case scs.IterableStore:
		all, err := store.All()
		return len(all), err
	default:
		return 0, fmt.Errorf("the store %T cannot list its sessions", store)
	}
}

// SetRefreshTimeouts sets how long a refresh may wait for the tenant and
// then take to store what it got.
func SetRefreshTimeouts(w *Web, tenant, save time.Duration) {
	w.timing = refreshTiming{tenant: tenant, save: save}
}

// SetStoreBounds sets how many pending logins w keeps, and how many
// sessions in memory.
func SetStoreBounds(w *Web, pendingLogins, memorySessions int) {
	switch p := w.pending.(type) {
	case *memoryPending:
		w.pending = newMemoryPending(pendingLogins)
	case redisPending:
		p.max = pendingLogins
		w.pending = p
	}
	if s, ok := w.sm.Store.(sealedStore).sessionStore.(*memoryStore); ok {
		s.mu.Lock()
		s.max = memorySessions
		s.mu.Unlock()
	}
}

// PendingLogins counts the logins in progress w keeps.
func PendingLogins(ctx context.Context, w *Web) (int, error) { return w.pending.count(ctx) }

// SetTunnelCheck sets how often w's tunnels check that their session is
// still stored.
func SetTunnelCheck(w *Web, every time.Duration) { w.tunnels.every = every }

// SessionToken is what session id holds: its access token, the tenant's
// token_type, and the thumbprint of its DPoP key ("" for none).
func SessionToken(ctx context.Context, w *Web, id string) (token, tokenType, jkt string, err error) {
	ctx, err = w.sm.Load(ctx, id)
	if err != nil {
		return "", "", "", err
	}
	u, ok := w.sm.Get(ctx, keyUser).(user)
	if !ok {
		return "", "", "", fmt.Errorf("session %s has no user", id)
	}
	if k := u.key(); k != nil {
		jkt = k.Thumbprint()
	}
	return u.AccessToken, u.TokenType, jkt, nil
}
