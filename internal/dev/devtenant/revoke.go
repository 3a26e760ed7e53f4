package devtenant

import (
	"net/http"

	"github.com/model-api-auth0/model-api-auth0/guard/tenanturl"
)

// RevokeURL is the revocation endpoint (RFC 7009), Auth0's /oauth/revoke.
func (t *Tenant) RevokeURL() string { return tenanturl.Revoke(t.Issuer()) }

// revoke is Auth0's /oauth/revoke: a client, authenticated as at the token
// endpoint, revokes a refresh token issued to it, and with it every token
// rotated from the same login. Like Auth0 it answers 200 with an empty body
// whether the token was revoked, unknown, or another client's (which stays
// valid): the answer tells nothing about tokens the caller does not hold.
// Access tokens cannot be revoked; they live until they expire.
func (t *Tenant) revoke(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Pragma", "no-cache")
	if err := t.revokeRequest(w, r); err != nil {
		t.writeOAuthError(w, r, "revocation request refused", err)
		return
	}
	w.WriteHeader(http.StatusOK)
}

func (t *Tenant) revokeRequest(w http.ResponseWriter, r *http.Request) error {
	form, err := readTokenRequest(w, r)
	if err != nil {
		return err
	}
	c, err := t.authenticate(r, form)
	if err != nil {
		return err
	}
	token := form.Get("token")
	if token == "" {
		return errInvalidRequest("token is missing: send the refresh token to revoke")
	}
	// token_type_hint is only a hint (RFC 7009 2.1): refresh tokens are the
	// only kind revoked, whatever it says.
	revoked := t.store.revokeRefresh(token, c)
	t.log.Info("revocation", "client", c.Name, "revoked", revoked)
	return nil
}
