package websession

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Bounds of a refresh. A request waits up to awaitOtherReplica for another
// replica's refresh of the same session. The holder of the session's lock
// spends at most timing.tenant reading the session and calling the token
// endpoint, then at most timing.save checking and storing what it got, and
// its lock outlives both (lockTTL): no other replica can take the lock and
// refresh with the spent refresh token while the rotated one is stored.
const (
	awaitOtherReplica = 5 * time.Second
	awaitPoll         = 50 * time.Millisecond
	// lockMargin is how much longer than a refresh its lock lasts: clocks
	// of the gateway and of Redis drift, and processes pause.
	lockMargin = 5 * time.Second
)

type refreshTiming struct{ tenant, save time.Duration }

var defaultTiming = refreshTiming{tenant: 2 * tenantTimeout, save: tenantTimeout}

func (t refreshTiming) lockTTL() time.Duration { return t.tenant + t.save + lockMargin }

// accessToken returns the session's user with its access token, renewed
// first when it is within RefreshMargin of expiring.
//
// Concurrent requests of one session share one renewal: in one process
// through singleflight keyed by the session, across replicas through a
// short Redis lock per session (redisLock); a replica that finds the lock
// taken waits for the holder's result in the store. Rotating refresh tokens
// make this matter: a refresh token used twice is taken for a stolen one.
func (w *Web) accessToken(ctx context.Context, u user) (user, error) {
	if w.fresh(u) {
		return u, nil
	}
	if u.RefreshToken == "" {
		// Nothing to renew with (the API does not allow offline access):
		// the session lasts as long as its access token.
		if w.cfg.Now().Before(u.Expiry) {
			return u, nil
		}
		return user{}, fmt.Errorf("%w: the access token expired and there is no refresh token", ErrSessionEnded)
	}
	id := w.sm.Token(ctx)
	v, err, _ := w.refreshes.Do(id, func() (any, error) {
		// The first caller's context carries the session; a client that
		// goes away must not cancel the renewal the others wait for.
		return w.refresh(context.WithoutCancel(ctx), id)
	})
	if err != nil {
		if !errors.Is(err, ErrSessionEnded) && w.cfg.Now().Before(u.Expiry) {
			// Renewal failed for now but the token still works: use it,
			// and try again on the next request.
			w.cfg.Logger.WarnContext(ctx, "token renewal failed; the current token is still valid", "session", hashID(id), "error", err)
			return u, nil
		}
		return user{}, err
	}
	renewed := v.(user)
	w.sm.Put(ctx, keyUser, renewed)
	return renewed, nil
}

// fresh reports whether u's access token is good for at least RefreshMargin.
func (w *Web) fresh(u user) bool {
	return u.Expiry.Sub(w.cfg.Now()) > w.cfg.RefreshMargin
}

// refresh renews the tokens of session id under the session's lock, or
// waits for another replica's renewal and takes its result from the store.
// Tokens this process renewed but could not store come first: the stored
// refresh token is spent.
func (w *Web) refresh(ctx context.Context, id string) (user, error) {
	if u, ok, err := w.storeKept(ctx, id); ok || err != nil {
		return u, err
	}
	deadline := time.Now().Add(awaitOtherReplica)
	wait, cancel := context.WithDeadline(ctx, deadline.Add(w.timing.tenant))
	defer cancel()
	for {
		_, current, err := w.stored(wait, id)
		if err != nil {
			return user{}, err
		}
		if w.fresh(current) {
			return current, nil // renewed by another request meanwhile
		}
		release, ok, err := w.lock.acquire(wait, id, w.timing.lockTTL())
		if err != nil {
			return user{}, fmt.Errorf("%w: %v", ErrStoreUnavailable, err)
		}
		if ok {
			return w.renewHeld(ctx, id, release)
		}
		if time.Now().After(deadline) {
			return user{}, fmt.Errorf("%w: another replica is still renewing this session's token", ErrTenantUnavailable)
		}
		select {
		case <-wait.Done():
			return user{}, fmt.Errorf("%w: %v", ErrTenantUnavailable, wait.Err())
		case <-time.After(awaitPoll):
		}
	}
}

// stored reads session id from the store, not from the request's copy: its
// user, and a context holding the session as stored, to save it back.
func (w *Web) stored(ctx context.Context, id string) (context.Context, user, error) {
	fromStore, err := w.sm.Load(storeOnly{ctx}, id)
	if err != nil {
		return nil, user{}, fmt.Errorf("%w: %v", ErrStoreUnavailable, err)
	}
	u, ok := w.sm.Get(fromStore, keyUser).(user)
	if !ok {
		return nil, user{}, fmt.Errorf("%w: the session was logged out meanwhile", ErrSessionEnded)
	}
	return fromStore, u, nil
}

// storeOnly hides the session data a context carries, so that scs loads
// the session from the store again instead of returning the request's copy.
type storeOnly struct{ context.Context }

func (storeOnly) Value(any) any { return nil }
