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
	"github.com/model-api-auth0/model-api-auth0/internal/redisurl"
	"github.com/model-api-auth0/model-api-auth0/internal/websession"
)

// loginSettings are the settings of people's login at the gateway
// (internal/websession). The login is on when a client ID or a public URL
// is set; the client secret comes from the environment or a file, never
// from a flag value, which any user of the machine can read in ps.
type loginSettings struct {
	clientID, clientSecretFile, publicURL, defaultOrg, redis string
	sessionLifetime                                          time.Duration
}

func (l *loginSettings) register(fs *flag.FlagSet, getenv func(k, def string) string) {
	fs.StringVar(&l.clientID, "client-id", getenv("AUTH0_CLIENT_ID", ""), "web application's client ID: turns on people's login at /login (env AUTH0_CLIENT_ID; default the stack output webApp.clientId)")
	fs.StringVar(&l.clientSecretFile, "client-secret-file", getenv("AUTH0_CLIENT_SECRET_FILE", ""), "file holding the web application's client secret (or env AUTH0_CLIENT_SECRET)")
	fs.StringVar(&l.publicURL, "public-url", getenv("PUBLIC_URL", ""), "the gateway's origin as browsers reach it, such as https://models.example.com; the callback is PUBLIC_URL/callback (env PUBLIC_URL)")
	fs.StringVar(&l.defaultOrg, "default-org", getenv("AUTH0_DEFAULT_ORG", ""), "organization (name or org_ ID) a plain /login asks for (env AUTH0_DEFAULT_ORG)")
	fs.StringVar(&l.redis, redisurl.Flag, getenv(redisurl.Env, ""), "Redis URL (redis:// or rediss://) for sessions shared by replicas; default: in memory, one process (env "+redisurl.Env+")")
	fs.DurationVar(&l.sessionLifetime, "session-lifetime", websession.DefaultSessionLifetime, "absolute lifetime of a login session")
}

func (l *loginSettings) enabled() bool { return l.clientID != "" || l.publicURL != "" }

// config builds the login's configuration from the settings, the
// environment and the stack outputs, and reports every problem. A nil
// config and no error: the login is off.
func (l *loginSettings) config(s *settings, env func(string) (string, bool)) (*websession.Config, error) {
	var problems []error
	if s.outputsFile != "" && l.clientID == "" && l.publicURL != "" {
		l.clientID = webAppClientID(s.outputsFile)
	}
	if !l.enabled() {
		return nil, nil
	}
	secret, err := clientSecret(l.clientSecretFile, env)
	problems = append(problems, err)
	issuer := s.issuer
	if issuer == "" && s.domain != "" {
		issuer = "https://" + s.domain + "/"
	}
	cfg := &websession.Config{
		Issuer: issuer, Audience: s.audience, ClientID: l.clientID, ClientSecret: secret,
		PublicURL: l.publicURL, DefaultOrg: l.defaultOrg, SessionLifetime: l.sessionLifetime,
	}
	if v, ok := env("SESSION_SECRET"); ok && v != "" {
		cfg.SessionSecret = []byte(v)
	}
	check := *cfg
	if err != nil {
		check.ClientSecret = "(its problem is reported above)"
	}
	problems = append(problems, check.Validate())
	var client *redis.Client
	if l.redis != "" {
		client, err = redisurl.Client(l.redis)
		problems = append(problems, err)
	}
	if err := errors.Join(problems...); err != nil {
		return nil, err
	}
	cfg.Redis = client
	return cfg, nil
}

// start builds the login once the validator exists; nil when it is off.
// close releases its Redis connections.
func (l *loginSettings) start(cfg *websession.Config, v *guard.Validator, logger *slog.Logger) (web *websession.Web, close func(), err error) {
	if cfg == nil {
		return nil, func() {}, nil
	}
	close = func() {
		if cfg.Redis != nil {
			cfg.Redis.Close()
		}
	}
	cfg.Validator, cfg.Logger = v, logger
	if web, err = websession.New(*cfg); err != nil {
		close()
		return nil, nil, err
	}
	store := "memory (one process)"
	if l.redis != "" {
		opts, _ := redisurl.Parse(l.redis)
		store = "redis " + opts.Addr
	}
	logger.Info("people's login on", "public_url", cfg.PublicURL, "callback", cfg.PublicURL+"/callback",
		"client_id", cfg.ClientID, "default_org", cfg.DefaultOrg, "sessions", store)
	return web, close, nil
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
