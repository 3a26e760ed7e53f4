package websession

import (
	"context"
	"errors"
	"fmt"
	"time"

	"golang.org/x/oauth2"
)

// Bounds of a refresh: how long one may take, and how long a request waits
// for another replica's refresh of the same session before giving up.
const (
	refreshTimeout    = 2 * tenantTimeout
	awaitOtherReplica = 5 * time.Second
	awaitPoll         = 50 * time.Millisecond
)

// accessToken returns the session's access token, renewed first when it
// is within RefreshMargin of expiring.
//
// Concurrent requests of one session share one renewal: in one process
// through singleflight keyed by the session, across replicas through a
// short Redis lock per session (redisLock); a replica that finds the lock
// taken waits for the holder's result in the store. Rotating refresh tokens
// make this matter: a refresh token used twice is taken for a stolen one.
func (w *Web) accessToken(ctx context.Context, u user) (string, error) {
	if w.fresh(u) {
		return u.AccessToken, nil
	}
	if u.RefreshToken == "" {
		// Nothing to renew with (the API does not allow offline access):
		// the session lasts as long as its access token.
		if w.cfg.Now().Before(u.Expiry) {
			return u.AccessToken, nil
		}
		return "", fmt.Errorf("%w: the access token expired and there is no refresh token", ErrSessionEnded)
	}
	id := w.sm.Token(ctx)
	v, err, _ := w.refreshes.Do(id, func() (any, error) {
		// The first caller's context carries the session; a client that
		// goes away must not cancel the renewal the others wait for.
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), refreshTimeout)
		defer cancel()
		return w.refresh(ctx, id, u)
	})
	if err != nil {
		if !errors.Is(err, ErrSessionEnded) && w.cfg.Now().Before(u.Expiry) {
			// Renewal failed for now but the token still works: use it,
			// and try again on the next request.
			w.cfg.Logger.WarnContext(ctx, "token renewal failed; the current token is still valid", "session", hashID(id), "error", err)
			return u.AccessToken, nil
		}
		return "", err
	}
	renewed := v.(user)
	w.sm.Put(ctx, keyUser, renewed)
	return renewed.AccessToken, nil
}

// fresh reports whether u's access token is good for at least RefreshMargin.
func (w *Web) fresh(u user) bool {
	return u.Expiry.Sub(w.cfg.Now()) > w.cfg.RefreshMargin
}

// refresh renews the tokens of session id, under the session's lock, with
// the refresh token the store holds now (another replica may have rotated
// it since this request loaded the session), and stores the result before
// releasing the lock.
func (w *Web) refresh(ctx context.Context, id string, loaded user) (user, error) {
	deadline := time.Now().Add(awaitOtherReplica)
	for {
		_, current, err := w.stored(ctx, id)
		if err != nil {
			return user{}, err
		}
		if w.fresh(current) {
			return current, nil // renewed by another request meanwhile
		}
		release, ok, err := w.lock.acquire(ctx, id)
		if err != nil {
			return user{}, fmt.Errorf("%w: %v", ErrStoreUnavailable, err)
		}
		if ok {
			defer release()
			session, current, err := w.stored(ctx, id)
			if err != nil {
				return user{}, err
			}
			if w.fresh(current) {
				return current, nil
			}
			return w.renew(session, current)
		}
		if time.Now().After(deadline) {
			return user{}, fmt.Errorf("%w: another replica is still renewing this session's token", ErrTenantUnavailable)
		}
		select {
		case <-ctx.Done():
			return user{}, fmt.Errorf("%w: %v", ErrTenantUnavailable, ctx.Err())
		case <-time.After(awaitPoll):
		}
	}
}

// stored reads session id from the store, not from the request's copy: its
// user, and a context holding the session as stored, for renew to save.
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

// renew calls the token endpoint with u's refresh token and saves the new
// tokens in session ctx (as stored). A session logged out while the tenant
// answered stays logged out: ErrSessionEnded.
func (w *Web) renew(ctx context.Context, u user) (user, error) {
	p, err := w.tenant.provider(ctx)
	if err != nil {
		return user{}, err
	}
	tok, err := p.oauth.TokenSource(w.tenant.clientContext(ctx), &oauth2.Token{RefreshToken: u.RefreshToken}).Token()
	var re *oauth2.RetrieveError
	switch {
	case errors.As(err, &re) && re.ErrorCode == "invalid_grant":
		return user{}, fmt.Errorf("%w: the tenant refused the refresh token (revoked or expired)", ErrSessionEnded)
	case err != nil:
		return user{}, fmt.Errorf("%w: token endpoint: %v", ErrTenantUnavailable, err)
	}
	id, err := w.cfg.Validator.Validate(ctx, tok.AccessToken)
	if err != nil {
		return user{}, fmt.Errorf("%w: the renewed access token is not accepted: %v", ErrTenantUnavailable, err)
	}
	renewed := u
	renewed.AccessToken, renewed.Expiry = tok.AccessToken, expiry(id.ExpiresAt, tok.Expiry)
	if tok.RefreshToken != "" {
		renewed.RefreshToken = tok.RefreshToken // rotation
	}
	w.sm.Put(ctx, keyUser, renewed)
	if _, _, err := w.commit(ctx, false); errors.Is(err, ErrSessionEnded) {
		w.revoke(ctx, renewed) // logged out meanwhile: the new refresh token must not outlive the session
		return user{}, err
	} else if err != nil {
		// The new tokens serve this request; the next one renews again.
		w.cfg.Logger.ErrorContext(ctx, "renewed tokens could not be stored", "error", err)
	}
	return renewed, nil
}

// storeOnly hides the session data a context carries, so that scs loads
// the session from the store again instead of returning the request's copy.
type storeOnly struct{ context.Context }

func (storeOnly) Value(any) any { return nil }
