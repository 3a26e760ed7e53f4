package websession

import (
	"context"
	"fmt"

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
