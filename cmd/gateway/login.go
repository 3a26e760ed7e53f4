package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/model-api-auth0/model-api-auth0/guard"
	"github.com/model-api-auth0/model-api-auth0/internal/gateway/proxy"
	"github.com/model-api-auth0/model-api-auth0/internal/gateway/websession"
	"github.com/model-api-auth0/model-api-auth0/internal/tenant/stackoutputs"
)

// loginSettings are the settings of people's login at the gateway
// (internal/gateway/websession); it also uses -public-url and -redis, which the
// gateway's other parts share. The client secret comes from the
// environment or a file, never from a flag value, which any user of the
// machine can read in ps.
type loginSettings struct {
	clientID, clientSecretFile, defaultOrg, trustedProxies string
	sessionLifetime                                        time.Duration
	// organizations are the stack outputs' organizations, name to ID: from
	// -stack-outputs, or -dev's tenant. Nil without outputs.
	organizations stackoutputs.Organizations
}

// defaultOrgHelp is -default-org's help.
const defaultOrgHelp = "organization a plain /login asks for, by `name|org_ID` (env AUTH0_DEFAULT_ORG): with stack outputs a name is resolved to its ID " +
	"(an unknown name stops the start), as is ?organization= of /login; without, it is sent as given, which Auth0 accepts only if the tenant " +
	"allows organization names in the Authentication API (tenant setting allowOrganizationNameInAuthenticationApi)"

func (l *loginSettings) register(fs *flag.FlagSet, getenv func(k, def string) string) {
	fs.StringVar(&l.clientID, "client-id", getenv("AUTH0_CLIENT_ID", ""), "web application's client ID: turns on people's login at /login (env AUTH0_CLIENT_ID; default the stack output webApp.clientId)")
	fs.StringVar(&l.clientSecretFile, "client-secret-file", getenv("AUTH0_CLIENT_SECRET_FILE", ""), "file holding the web application's client secret (or env AUTH0_CLIENT_SECRET)")
	fs.StringVar(&l.defaultOrg, "default-org", getenv("AUTH0_DEFAULT_ORG", ""), defaultOrgHelp)
	fs.StringVar(&l.trustedProxies, "trusted-proxies", getenv("TRUSTED_PROXIES", ""), "comma-separated addresses or CIDRs of the proxies in front of the gateway: /login is limited per client address, taken from their X-Forwarded-For (env TRUSTED_PROXIES); default: none, the connection's address")
	fs.DurationVar(&l.sessionLifetime, "session-lifetime", websession.DefaultSessionLifetime, "absolute lifetime of a login session")
}

// config builds the login's configuration from the settings, the
// environment and the stack outputs, and reports every problem. The login
// is on when a client ID is set, or when the stack outputs name the web
// application (webApp.clientId) and its secret is given; a nil config and
// no error means it is off. Sessions share the gateway's Redis, if any.
func (l *loginSettings) config(s *settings, env func(string) (string, bool), rdb *redis.Client) (*websession.Config, error) {
	secret, secretErr := clientSecret(l.clientSecretFile, env)
	if l.clientID == "" && s.outputsFile != "" && (secret != "" || secretErr != nil) {
		l.clientID = webAppClientID(s.outputsFile)
	}
	if l.clientID == "" {
		return nil, nil
	}
	if s.outputsFile != "" {
		out, err := stackoutputs.Load(s.outputsFile)
		if err != nil {
			return nil, err // parse loaded it already: the file changed since
		}
		l.organizations = out.Organizations
		if l.organizations == nil {
			l.organizations = map[string]string{} // outputs without any: every name is unknown
		}
	}
	issuer := s.issuer
	if issuer == "" && s.domain != "" {
		issuer = "https://" + s.domain + "/"
	}
	cfg := &websession.Config{
		Issuer: issuer, Audience: s.audience, ClientID: l.clientID, ClientSecret: secret,
		PublicURL: s.publicURL, DefaultOrg: l.defaultOrg, Organizations: l.organizations, SessionLifetime: l.sessionLifetime, Redis: rdb,
	}
	proxies, proxiesErr := websession.ParseTrustedProxies(l.trustedProxies)
	if proxiesErr != nil {
		proxiesErr = fmt.Errorf("login: -trusted-proxies / TRUSTED_PROXIES: %w", proxiesErr)
	}
	cfg.TrustedProxies = proxies
	if v, ok := env("SESSION_SECRET"); ok && v != "" {
		cfg.SessionSecret = []byte(v)
	}
	// Problems reported on their own are not repeated.
	check := *cfg
	if secretErr != nil {
		check.ClientSecret = "(reported)"
	}
	if _, err := proxy.ParsePublicURL(s.publicURL); s.publicURL != "" && err != nil {
		check.PublicURL = "https://reported.invalid" // -public-url is checked for every part of the gateway
	}
	if err := errors.Join(secretErr, proxiesErr, check.Validate()); err != nil {
		return nil, err
	}
	return cfg, nil
}

// start builds the login once the validator exists; nil when it is off.
func (l *loginSettings) start(cfg *websession.Config, v *guard.Validator, logger *slog.Logger) (*websession.Web, error) {
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
	logger.Info("people's login on", "public_url", cfg.PublicURL, "callback", cfg.PublicURL+"/callback",
		"client_id", cfg.ClientID, "default_org", cfg.DefaultOrg, "sessions", store)
	return web, nil
}

// clientSecret reads the web application's secret from env
// AUTH0_CLIENT_SECRET or from a file, not both.
func clientSecret(file string, env func(string) (string, bool)) (string, error) {
	fromEnv, _ := env("AUTH0_CLIENT_SECRET")
	switch {
	case file != "" && fromEnv != "":
		return "", errors.New("login: both AUTH0_CLIENT_SECRET and -client-secret-file are set: keep one")
	case file != "":
		b, err := os.ReadFile(file)
		if err != nil {
			return "", fmt.Errorf("login: -client-secret-file: %v", err)
		}
		secret := strings.TrimSpace(string(b))
		if secret == "" {
			return "", fmt.Errorf("login: -client-secret-file %s is empty", file)
		}
		return secret, nil
	}
	return fromEnv, nil
}

// webAppClientID is the stack output webApp.clientId, if the outputs have
// one (written by a stack that declares the web application, or by
// cmd/devtenant).
func webAppClientID(path string) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return "" // stackoutputs.Load reports it
	}
	var out struct {
		WebApp struct {
			ClientID string `json:"clientId"`
		} `json:"webApp"`
	}
	json.Unmarshal(b, &out)
	return out.WebApp.ClientID
}
