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
