package websession

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/model-api-auth0/model-api-auth0/guard/tenanturl"
)

// revoke revokes u's refresh token at the tenant once its session has
// ended, so that a copy of it (from the store, or from a dump of it)
// renews nothing. A failure is logged: the session has ended here anyway.
// The request's cancellation does not stop it: a person who closes the tab
// after clicking "Log out" is still logged out at the tenant.
func (w *Web) revoke(ctx context.Context, u user) {
	if u.RefreshToken == "" {
		return
	}
	ctx = context.WithoutCancel(ctx)
	if err := w.tenant.revoke(ctx, u.RefreshToken); err != nil {
		w.cfg.Logger.WarnContext(ctx, "the ended session's refresh token was not revoked", "sub", u.Subject, "error", err)
	}
}

// revoke calls the tenant's revocation endpoint (RFC 7009, Auth0's
// /oauth/revoke), authenticated as at the token endpoint (client_secret_post).
func (t *tenant) revoke(ctx context.Context, refreshToken string) error {
	ctx, cancel := context.WithTimeout(ctx, tenantTimeout)
	defer cancel()
	form := url.Values{"token": {refreshToken}, "token_type_hint": {"refresh_token"}, "client_id": {t.cfg.ClientID}, "client_secret": {t.cfg.ClientSecret}}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, tenanturl.Revoke(t.cfg.Issuer), strings.NewReader(form.Encode()))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := t.cfg.HTTPClient.Do(req)
	if err != nil {
		return fmt.Errorf("%w: revocation endpoint: %v", ErrTenantUnavailable, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusOK {
		return nil
	}
	var refusal struct {
		Error       string `json:"error"`
		Description string `json:"error_description"`
	}
	json.NewDecoder(io.LimitReader(resp.Body, 4<<10)).Decode(&refusal)
	return fmt.Errorf("the revocation endpoint answered %d: %s: %s", resp.StatusCode, refusal.Error, refusal.Description)
}
