package guard

import (
	"cmp"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/model-api-auth0/model-api-auth0/guard/tenanturl"
)

// Defaults of Config.
const (
	DefaultSigningAlg       = "RS256"
	DefaultLeeway           = 30 * time.Second
	DefaultMaxTokenBytes    = 8 << 10
	DefaultMaxJWKSBytes     = 256 << 10
	DefaultFetchTimeout     = 2 * time.Second
	DefaultRefreshInterval  = 15 * time.Minute
	DefaultUnknownKIDWindow = 30 * time.Second
	DefaultCacheSize        = 4096
)

// SigningAlgs are the algorithms a Validator can be configured with: the
// asymmetric ones an Auth0 API signs access tokens with.
var SigningAlgs = []string{"RS256", "PS256"}

// Config says which tokens a Validator accepts.
type Config struct {
	// Domain is the tenant, such as example.us.auth0.com. Issuer and JWKSURL
	// derive from it unless set.
	Domain string
	// Audience is the API identifier, the stack output `audience`.
	Audience string
	// Issuer defaults to https://Domain/.
	Issuer string
	// JWKSURL defaults to Issuer + ".well-known/jwks.json". It must be
	// https, unless its host is loopback (127.0.0.0/8, ::1, localhost).
	JWKSURL string
	// SigningAlg is the one algorithm tokens may be signed with: the API's
	// signingAlg in the stack, RS256 (the default) or PS256.
	SigningAlg string

	Leeway           time.Duration // clock skew allowed on exp, nbf and iat
	MaxTokenBytes    int           // longer Authorization headers are refused unread
	MaxJWKSBytes     int64         // a larger JWKS response is refused
	FetchTimeout     time.Duration // bound on every JWKS fetch
	RefreshInterval  time.Duration // background JWKS refresh
	UnknownKIDWindow time.Duration // at most one refresh for unknown kids per window
	// CacheSize is how many verified tokens are remembered until they expire
	// (at most 10 minutes); 0 means DefaultCacheSize, a negative value none.
	CacheSize int

	// HTTPClient fetches the JWKS. Whatever it is, redirects are not
	// followed and the response is bounded by MaxJWKSBytes.
	HTTPClient *http.Client
	Logger     *slog.Logger
	// Observer, if set, is told of validations, key refreshes and denials
	// (observer.go), for metrics.
	Observer Observer
	// ResourceMetadataURL, if set, goes into every WWW-Authenticate
	// challenge as resource_metadata (RFC 9728 section 5.1): where agents
	// (MCP clients) find how to get a token for this API.
	ResourceMetadataURL string
	// DPoP is whether and how sender-constrained tokens are accepted
	// (dpop.go); the zero value accepts bearer tokens only.
	DPoP DPoPConfig
	// Now is the clock, for tests.
	Now func() time.Time
}

// Validate reports every problem of the configuration, without fetching anything.
func (c Config) Validate() error { return c.complete() }

func (c *Config) complete() error {
	var problems []string
	if c.Issuer == "" {
		if c.Domain == "" || strings.ContainsAny(c.Domain, "/:") {
			problems = append(problems, fmt.Sprintf("domain %q: want the tenant host, such as example.us.auth0.com (AUTH0_DOMAIN)", c.Domain))
		} else {
			c.Issuer = tenanturl.Issuer(c.Domain)
		}
	}
	if u, err := url.Parse(c.Issuer); c.Issuer != "" && (err != nil || u.Scheme == "" || u.Host == "" || !strings.HasSuffix(c.Issuer, "/")) {
		problems = append(problems, fmt.Sprintf("issuer %q: want an absolute URL ending in / such as https://example.us.auth0.com/", c.Issuer))
	} else if c.Issuer != "" && !secureOrLoopback(u) {
		problems = append(problems, fmt.Sprintf("issuer %q: want https (http only for a loopback host: 127.0.0.1, ::1, localhost)", c.Issuer))
	}
	if c.Audience == "" {
		problems = append(problems, "audience is empty: set it to the API identifier, the stack output `audience` (AUTH0_AUDIENCE)")
	}
	if c.JWKSURL == "" && c.Issuer != "" {
		c.JWKSURL = tenanturl.JWKS(c.Issuer)
	}
	if u, err := url.Parse(c.JWKSURL); c.JWKSURL != "" && (err != nil || u.Scheme == "" || u.Host == "") {
		problems = append(problems, fmt.Sprintf("JWKS URL %q is not an absolute URL", c.JWKSURL))
	} else if c.JWKSURL != "" && !secureOrLoopback(u) {
		problems = append(problems, fmt.Sprintf("JWKS URL %q: want https, so that nobody on the path can swap the signing keys (http only for a loopback host: 127.0.0.1, ::1, localhost)", c.JWKSURL))
	}
	c.SigningAlg = cmp.Or(c.SigningAlg, DefaultSigningAlg)
	if !slices.Contains(SigningAlgs, c.SigningAlg) {
		problems = append(problems, fmt.Sprintf("signing algorithm %q: want RS256 or PS256, the API's signingAlg in the stack (AUTH0_SIGNING_ALG)", c.SigningAlg))
	}
	if c.MaxJWKSBytes < 0 || c.MaxTokenBytes < 0 {
		problems = append(problems, "MaxJWKSBytes and MaxTokenBytes cannot be negative (0 means the default)")
	}
	c.Leeway = cmp.Or(c.Leeway, DefaultLeeway)
	c.FetchTimeout = cmp.Or(c.FetchTimeout, DefaultFetchTimeout)
	c.RefreshInterval = cmp.Or(c.RefreshInterval, DefaultRefreshInterval)
	c.UnknownKIDWindow = cmp.Or(c.UnknownKIDWindow, DefaultUnknownKIDWindow)
	c.MaxTokenBytes = cmp.Or(c.MaxTokenBytes, DefaultMaxTokenBytes)
	c.MaxJWKSBytes = cmp.Or(c.MaxJWKSBytes, DefaultMaxJWKSBytes)
	if c.CacheSize == 0 {
		c.CacheSize = DefaultCacheSize
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.HTTPClient == nil {
		c.HTTPClient = &http.Client{Timeout: c.FetchTimeout}
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	problems = append(problems, c.checkResourceMetadataURL()...)
	problems = append(problems, c.completeDPoP()...)
	if len(problems) > 0 {
		return fmt.Errorf("guard: %s", strings.Join(problems, "\nguard: "))
	}
	return nil
}

// secureOrLoopback reports whether u is https, or http to this machine
// (a JWKS served locally in development and tests).
func secureOrLoopback(u *url.URL) bool {
	switch u.Scheme {
	case "https":
		return true
	case "http":
		host := u.Hostname()
		if strings.EqualFold(host, "localhost") {
			return true
		}
		ip := net.ParseIP(host)
		return ip != nil && ip.IsLoopback()
	}
	return false
}
