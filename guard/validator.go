package guard

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// Errors a validation can end in. Middleware maps them to status codes:
// ErrNoToken 401 without an error code, ErrMalformedRequest 400, ErrInvalidToken 401,
// ErrKeysUnavailable 503, ErrInsufficientScope and ErrOrganization 403.
var (
	ErrNoToken           = errors.New("no bearer token")
	ErrMalformedRequest  = errors.New("malformed authorization header")
	ErrInvalidToken      = errors.New("invalid token")
	ErrKeysUnavailable   = errors.New("signing keys unavailable")
	ErrInsufficientScope = errors.New("insufficient scope")
	ErrOrganization      = errors.New("organization not allowed")
)

// Defaults of Config.
const (
	DefaultLeeway           = 30 * time.Second
	DefaultMaxTokenBytes    = 8 << 10
	DefaultFetchTimeout     = 2 * time.Second
	DefaultRefreshInterval  = 15 * time.Minute
	DefaultUnknownKIDWindow = 30 * time.Second
	DefaultCacheSize        = 4096
)

// Config says which tokens a Validator accepts.
type Config struct {
	// Domain is the tenant, such as example.us.auth0.com. Issuer and JWKSURL
	// derive from it unless set.
	Domain string
	// Audience is the API identifier, the stack output `audience`.
	Audience string
	// Issuer defaults to https://Domain/.
	Issuer string
	// JWKSURL defaults to Issuer + ".well-known/jwks.json".
	JWKSURL string

	Leeway           time.Duration // clock skew allowed on exp, nbf and iat
	MaxTokenBytes    int           // longer Authorization headers are refused unread
	FetchTimeout     time.Duration // bound on every JWKS fetch
	RefreshInterval  time.Duration // background JWKS refresh
	UnknownKIDWindow time.Duration // at most one refresh for unknown kids per window
	// CacheSize is how many verified tokens are remembered until they expire
	// (at most 10 minutes); 0 means DefaultCacheSize, a negative value none.
	CacheSize int

	HTTPClient *http.Client
	Logger     *slog.Logger
	// Observer, if set, is told of validations, key refreshes and denials
	// (observer.go), for metrics.
	Observer Observer
	// ResourceMetadataURL, if set, goes into every WWW-Authenticate
	// challenge as resource_metadata (RFC 9728 section 5.1): where agents
	// (MCP clients) find how to get a token for this API.
	ResourceMetadataURL string
	// Now is the clock, for tests.
	Now func() time.Time
}

// Identity is what a valid token says about its caller.
type Identity struct {
	Subject     string   // sub: a user ID, or CLIENT_ID@clients for an M2M client
	ClientID    string   // azp: the client the token was issued to
	OrgID       string   // org_id, when the token was issued for an organization
	Scopes      []string // scope, split on spaces
	Permissions []string // permissions (RBAC)
	ExpiresAt   time.Time
}

// Has reports whether the token grants name as a scope or as a permission.
func (id *Identity) Has(name string) bool {
	for _, s := range id.Scopes {
		if s == name {
			return true
		}
	}
	for _, p := range id.Permissions {
		if p == name {
			return true
		}
	}
	return false
}

type claims struct {
	jwt.RegisteredClaims
	Scope       string   `json:"scope"`
	Permissions []string `json:"permissions"`
	OrgID       string   `json:"org_id"`
	AZP         string   `json:"azp"`
	ClientID    string   `json:"client_id"` // the RFC 9068 token profile's name for azp
}

// Validator checks tokens. It is safe for concurrent use.
type Validator struct {
	cfg      Config
	keys     *keySet
	keyfunc  jwt.Keyfunc // built once: it only reads the key set
	parser   *jwt.Parser
	verified *verified
}

// New checks the configuration, fetches the key set once (waiting at most
// FetchTimeout; an unreachable JWKS leaves the cache cold, not an error) and
// starts the background refresh, which stops when ctx is done.
func New(ctx context.Context, cfg Config) (*Validator, error) {
	if err := cfg.complete(); err != nil {
		return nil, err
	}
	keys, err := newKeySet(ctx, cfg)
	if err != nil {
		return nil, err
	}
	opts := []jwt.ParserOption{
		jwt.WithValidMethods([]string{"RS256"}),
		jwt.WithIssuer(cfg.Issuer),
		jwt.WithAudience(cfg.Audience),
		jwt.WithExpirationRequired(),
		jwt.WithIssuedAt(),
		jwt.WithLeeway(cfg.Leeway),
	}
	opts = append(opts, jwt.WithTimeFunc(cfg.Now))
	return &Validator{cfg: cfg, keys: keys, keyfunc: keys.keyfunc(ctx), parser: jwt.NewParser(opts...), verified: newVerified(cfg.CacheSize)}, nil
}

// Validate reports every problem of the configuration, without fetching anything.
func (c Config) Validate() error { return c.complete() }

func (c *Config) complete() error {
	var problems []string
	if c.Issuer == "" {
		if c.Domain == "" || strings.ContainsAny(c.Domain, "/:") {
			problems = append(problems, fmt.Sprintf("domain %q: want the tenant host, such as example.us.auth0.com (AUTH0_DOMAIN)", c.Domain))
		} else {
			c.Issuer = "https://" + c.Domain + "/"
		}
	}
	if u, err := url.Parse(c.Issuer); c.Issuer != "" && (err != nil || u.Scheme == "" || u.Host == "" || !strings.HasSuffix(c.Issuer, "/")) {
		problems = append(problems, fmt.Sprintf("issuer %q: want an absolute URL ending in / such as https://example.us.auth0.com/", c.Issuer))
	}
	if c.Audience == "" {
		problems = append(problems, "audience is empty: set it to the API identifier, the stack output `audience` (AUTH0_AUDIENCE)")
	}
	if c.JWKSURL == "" && c.Issuer != "" {
		c.JWKSURL = c.Issuer + ".well-known/jwks.json"
	}
	if u, err := url.Parse(c.JWKSURL); c.JWKSURL != "" && (err != nil || u.Scheme == "" || u.Host == "") {
		problems = append(problems, fmt.Sprintf("JWKS URL %q is not an absolute URL", c.JWKSURL))
	}
	c.Leeway = or(c.Leeway, DefaultLeeway)
	c.FetchTimeout = or(c.FetchTimeout, DefaultFetchTimeout)
	c.RefreshInterval = or(c.RefreshInterval, DefaultRefreshInterval)
	c.UnknownKIDWindow = or(c.UnknownKIDWindow, DefaultUnknownKIDWindow)
	if c.CacheSize == 0 {
		c.CacheSize = DefaultCacheSize
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.MaxTokenBytes == 0 {
		c.MaxTokenBytes = DefaultMaxTokenBytes
	}
	if c.HTTPClient == nil {
		c.HTTPClient = &http.Client{Timeout: c.FetchTimeout}
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	problems = append(problems, c.checkResourceMetadataURL()...)
	if len(problems) > 0 {
		return fmt.Errorf("guard: %s", strings.Join(problems, "\nguard: "))
	}
	return nil
}

func or[T comparable](v, def T) T {
	var zero T
	if v == zero {
		return def
	}
	return v
}

// TokenFromHeader extracts the token of an `Authorization: Bearer` header
// value, refusing oversized values before looking at them.
func (v *Validator) TokenFromHeader(header string) (string, error) {
	if header == "" {
		return "", ErrNoToken
	}
	if len(header) > v.cfg.MaxTokenBytes {
		return "", fmt.Errorf("%w: longer than %d bytes", ErrMalformedRequest, v.cfg.MaxTokenBytes)
	}
	scheme, token, _ := strings.Cut(header, " ")
	if !strings.EqualFold(scheme, "Bearer") {
		return "", ErrNoToken // another scheme carries no bearer token
	}
	if token == "" || strings.ContainsAny(token, " \t") {
		return "", fmt.Errorf("%w: want `Bearer <token>`", ErrMalformedRequest)
	}
	return token, nil
}

// Validate checks a token and returns its identity. Errors wrap
// ErrInvalidToken or ErrKeysUnavailable.
func (v *Validator) Validate(ctx context.Context, token string) (*Identity, error) {
	if len(token) > v.cfg.MaxTokenBytes {
		v.observe(ErrInvalidToken, false)
		return nil, fmt.Errorf("%w: longer than %d bytes", ErrInvalidToken, v.cfg.MaxTokenBytes)
	}
	if v.verified != nil {
		if id, ok := v.verified.get(ctx, token, v.cfg.Now(), v.cfg.Leeway, v.keys); ok {
			v.observe(nil, true)
			return id, nil
		}
	}
	var c claims
	parsed, err := v.parser.ParseWithClaims(token, &c, v.keyfunc)
	v.observe(err, false)
	switch {
	case errors.Is(err, ErrKeysUnavailable):
		return nil, ErrKeysUnavailable
	case err != nil:
		return nil, fmt.Errorf("%w: %v", ErrInvalidToken, err)
	}
	id := &Identity{Subject: c.Subject, ClientID: or(c.AZP, c.ClientID), OrgID: c.OrgID, Permissions: c.Permissions, Scopes: strings.Fields(c.Scope)}
	if c.ExpiresAt != nil {
		id.ExpiresAt = c.ExpiresAt.Time
	}
	kid, _ := parsed.Header["kid"].(string)
	v.verified.add(token, kid, id)
	return id, nil
}
