package websession

import (
	"context"
	"errors"
	"fmt"
	"time"

	"golang.org/x/oauth2"
)

// renewHeld renews session id's tokens under its refresh lock, with the
// refresh token the store holds now (another replica may have rotated it
// since this request loaded the session), and stores them before release.
func (w *Web) renewHeld(ctx context.Context, id string, release func()) (user, error) {
	tenantCtx, cancel := context.WithTimeout(ctx, w.timing.tenant)
	defer cancel()
	_, current, err := w.stored(tenantCtx, id)
	if err != nil || w.fresh(current) {
		release()
		return current, err
	}
	tok, err := w.redeemRefresh(tenantCtx, current)
	if err != nil {
		release()
		return user{}, err
	}
	// The tenant has rotated the refresh token: the stored one is spent.
	// Storing the new one gets time of its own, however long the tenant
	// took, and the lock outlasts it.
	saveCtx, cancel := context.WithTimeout(ctx, w.timing.save)
	defer cancel()
	renewed, checkErr := w.renewed(saveCtx, current, tok)
	switch err := w.saveRenewed(saveCtx, id, renewed); {
	case errors.Is(err, ErrSessionEnded):
		release()
		w.revoke(ctx, renewed) // logged out meanwhile: the new refresh token must not outlive the session
		return user{}, err
	case err != nil:
		w.cfg.Logger.ErrorContext(ctx, "renewed tokens could not be stored; this replica keeps them until it can", "session", hashID(id), "error", err)
		w.kept.keep(id, renewed, release)
	default:
		release()
	}
	return renewed, checkErr
}

// redeemRefresh calls the token endpoint with u's refresh token.
func (w *Web) redeemRefresh(ctx context.Context, u user) (*oauth2.Token, error) {
	p, err := w.tenant.provider(ctx)
	if err != nil {
		return nil, err
	}
	tok, err := p.oauth.TokenSource(w.tenantContext(ctx, u.key()), &oauth2.Token{RefreshToken: u.RefreshToken}).Token()
	var re *oauth2.RetrieveError
	switch {
	case errors.As(err, &re) && re.ErrorCode == "invalid_grant":
		return nil, fmt.Errorf("%w: the tenant refused the refresh token (revoked or expired)", ErrSessionEnded)
	case err != nil:
		return nil, fmt.Errorf("%w: token endpoint: %v", ErrTenantUnavailable, err)
	}
	return tok, nil
}

// renewed is u with the tokens of tok. An access token the guard refuses
// is not used, but the refresh token that came with it is kept: the
// previous one is spent.
func (w *Web) renewed(ctx context.Context, u user, tok *oauth2.Token) (user, error) {
	renewed := u
	if tok.RefreshToken != "" {
		renewed.RefreshToken = tok.RefreshToken // rotation
	}
	id, err := w.cfg.Validator.Validate(ctx, tok.AccessToken)
	if err != nil {
		return renewed, fmt.Errorf("%w: the renewed access token is not accepted: %v", ErrTenantUnavailable, err)
	}
	if err := w.checkBinding(u.key(), tok.TokenType, id); err != nil {
		return renewed, fmt.Errorf("%w: the renewed access token is not used: %v", ErrTenantUnavailable, err)
	}
	renewed.AccessToken, renewed.Expiry, renewed.TokenType = tok.AccessToken, expiry(id.ExpiresAt, tok.Expiry), tok.TokenType
	return renewed, nil
}

// saveRenewed stores u as session id's user, retrying while the store
// fails until ctx ends. A session no longer stored (logged out meanwhile)
// is not brought back: ErrSessionEnded.
func (w *Web) saveRenewed(ctx context.Context, id string, u user) error {
	for wait := 20 * time.Millisecond; ; wait = min(2*wait, time.Second) {
		session, _, err := w.stored(ctx, id)
		if err == nil {
			w.sm.Put(session, keyUser, u)
			_, _, err = w.commit(session, false)
		}
		if err == nil || errors.Is(err, ErrSessionEnded) {
			return err
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(wait):
		}
	}
}

// storeKept stores the tokens this process renewed for session id but
// could not store (keptTokens), before anything else is done with the
// session. ok reports there were some: u is what to use, stored now or
// still kept. Once stored, u is returned only while fresh; a refresh is
// due otherwise, and may now start from the store.
func (w *Web) storeKept(ctx context.Context, id string) (u user, ok bool, err error) {
	k, found := w.kept.get(id)
	if !found {
		return user{}, false, nil
	}
	ctx, cancel := context.WithTimeout(ctx, w.timing.save)
	defer cancel()
	switch err := w.saveRenewed(ctx, id, k.u); {
	case errors.Is(err, ErrSessionEnded):
		w.kept.drop(id)
		w.revoke(ctx, k.u)
		return user{}, true, err
	case err != nil:
		return k.u, true, nil // still not stored: the stored refresh token must not be used
	}
	w.kept.drop(id) // stored: the lock can go
	return k.u, w.fresh(k.u), nil
}
