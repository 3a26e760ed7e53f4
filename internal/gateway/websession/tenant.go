package websession

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"
)

// retryDiscoveryAfter: after a failed discovery, logins fail fast for this
// long instead of each waiting for the tenant.
const retryDiscoveryAfter = 2 * time.Second

// provider is the tenant as discovered: endpoints, the ID token verifier,
// and where to end the tenant's session.
type provider struct {
	oauth      *oauth2.Config
	verifier   *oidc.IDTokenVerifier
	endSession string // discovery's end_session_endpoint, if any
}

// tenant fetches the OpenID configuration once it is first needed, and
// keeps it.
type tenant struct {
	cfg *Config

	mu       sync.Mutex
	p        *provider
	err      error
	failedAt time.Time
}

// clientContext carries the configured HTTP client to go-oidc and oauth2.
func (t *tenant) clientContext(ctx context.Context) context.Context {
	return oidc.ClientContext(ctx, t.cfg.HTTPClient)
}

func (t *tenant) provider(ctx context.Context) (*provider, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.p != nil {
		return t.p, nil
	}
	if t.err != nil && time.Since(t.failedAt) < retryDiscoveryAfter {
		return nil, t.err
	}
	ctx, cancel := context.WithTimeout(t.clientContext(ctx), tenantTimeout)
	defer cancel()
	p, err := oidc.NewProvider(ctx, t.cfg.Issuer)
	if err != nil {
		t.err, t.failedAt = fmt.Errorf("%w: the OpenID configuration of %s cannot be fetched: %v", ErrTenantUnavailable, t.cfg.Issuer, err), time.Now()
		return nil, t.err
	}
	var meta struct {
		EndSession string `json:"end_session_endpoint"`
	}
	p.Claims(&meta)
	endpoint := p.Endpoint()
	// client_secret_post, as the stack configures its clients.
	endpoint.AuthStyle = oauth2.AuthStyleInParams
	t.p = &provider{
		oauth: &oauth2.Config{
			ClientID:     t.cfg.ClientID,
			ClientSecret: t.cfg.ClientSecret,
			Endpoint:     endpoint,
			RedirectURL:  t.cfg.PublicURL + "/callback",
			Scopes:       t.cfg.Scopes,
		},
		// The key set's fetches use the configured client; its context
		// must outlive this call.
		verifier:   p.VerifierContext(t.clientContext(context.Background()), &oidc.Config{ClientID: t.cfg.ClientID, Now: t.cfg.Now}),
		endSession: meta.EndSession,
	}
	t.err = nil
	return t.p, nil
}

// logoutURL ends the tenant's session and comes back to the public URL:
// the discovery's end_session_endpoint (OIDC RP-initiated logout) when the
// tenant publishes one, Auth0's /v2/logout otherwise.
func (t *tenant) logoutURL(ctx context.Context) string {
	back := t.cfg.PublicURL + "/"
	if p, err := t.provider(ctx); err == nil && p.endSession != "" {
		sep := "?"
		if strings.Contains(p.endSession, "?") {
			sep = "&"
		}
		return p.endSession + sep + url.Values{"client_id": {t.cfg.ClientID}, "post_logout_redirect_uri": {back}}.Encode()
	}
	return t.cfg.Issuer + "v2/logout?" + url.Values{"client_id": {t.cfg.ClientID}, "returnTo": {back}}.Encode()
}
