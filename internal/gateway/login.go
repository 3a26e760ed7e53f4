package gateway

import (
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strings"

	"github.com/redis/go-redis/v9"

	"github.com/model-api-auth0/model-api-auth0/guard"
	"github.com/model-api-auth0/model-api-auth0/internal/gateway/proxy"
	"github.com/model-api-auth0/model-api-auth0/internal/gateway/websession"
)

// config builds the login's configuration and reports every problem; nil
// and no error when the login is off. Sessions share the limits' Redis, if
// any.
func (l Login) config(o Options, rdb *redis.Client, pop guard.DPoPConfig) (*websession.Config, error) {
	secret, secretErr := l.clientSecret()
	clientID := l.ClientID
	if clientID == "" && (secret != "" || secretErr != nil) {
		clientID = l.WebAppClientID // the stack's web app, since its secret is given
	}
	if clientID == "" {
		return nil, nil
	}
	cfg := &websession.Config{
		Issuer: o.Tenant.issuer(), Audience: o.Tenant.Audience, ClientID: clientID, ClientSecret: secret,
		PublicURL: o.PublicURL, DefaultOrg: l.DefaultOrg, Organizations: l.Organizations, SessionLifetime: l.SessionLifetime,
		SessionSecret: l.SessionSecret, Redis: rdb,
		// Sessions hold a DPoP key and bound tokens whenever the guard
		// takes DPoP; its nonces, if any, go in their proofs.
		DPoP: pop.Mode,
	}
	if pop.Nonces != nil {
		cfg.DPoPNonce = pop.Nonces.Current
	}
	proxies, proxiesErr := websession.ParseTrustedProxies(l.TrustedProxies)
	if proxiesErr != nil {
		proxiesErr = fmt.Errorf("login: -trusted-proxies / TRUSTED_PROXIES: %w", proxiesErr)
	}
	cfg.TrustedProxies = proxies
	// Problems reported on their own are not repeated.
	check := *cfg
	if secretErr != nil {
		check.ClientSecret = "(reported)"
	}
	if _, err := proxy.ParsePublicURL(o.PublicURL); o.PublicURL != "" && err != nil {
		check.PublicURL = "https://reported.invalid" // -public-url is checked for every part of the gateway
	}
	if err := errors.Join(secretErr, proxiesErr, check.Validate()); err != nil {
		return nil, err
	}
	return cfg, nil
}

// startLogin builds the login once the validator exists; nil when it is
// off.
func startLogin(cfg *websession.Config, v *guard.Validator, logger *slog.Logger) (*websession.Web, error) {
	if cfg == nil {
		return nil, nil
	}
	cfg.Validator, cfg.Logger = v, logger
	web, err := websession.New(*cfg)
	if err != nil {
		return nil, err
	}
	store := "memory (one process)"
	if cfg.Redis != nil {
		store = "redis " + cfg.Redis.Options().Addr
	}
	tokens := "bearer"
	if cfg.DPoP == guard.DPoPAllowed || cfg.DPoP == guard.DPoPRequired {
		tokens = "DPoP-bound, a key per session"
	}
	logger.Info("people's login on", "public_url", cfg.PublicURL, "callback", cfg.PublicURL+"/callback",
		"client_id", cfg.ClientID, "default_org", cfg.DefaultOrg, "sessions", store, "session_tokens", tokens)
	return web, nil
}

// clientSecret is the web application's secret, from ClientSecret or from
// ClientSecretFile, not both.
func (l Login) clientSecret() (string, error) {
	switch {
	case l.ClientSecretFile != "" && l.ClientSecret != "":
		return "", errors.New("login: both AUTH0_CLIENT_SECRET and -client-secret-file are set: keep one")
	case l.ClientSecretFile != "":
		b, err := os.ReadFile(l.ClientSecretFile)
		if err != nil {
			return "", fmt.Errorf("login: -client-secret-file: %v", err)
		}
		secret := strings.TrimSpace(string(b))
		if secret == "" {
			return "", fmt.Errorf("login: -client-secret-file %s is empty", l.ClientSecretFile)
		}
		return secret, nil
	}
	return l.ClientSecret, nil
}
