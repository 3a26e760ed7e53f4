package websession

import (
	"cmp"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/model-api-auth0/model-api-auth0/guard"
	"github.com/model-api-auth0/model-api-auth0/internal/tenant/stackoutputs"
)

// Defaults of Config.
const (
	DefaultSessionLifetime = 8 * time.Hour
	// DefaultRefreshMargin: an access token this close to its expiry is
	// renewed before use, so that no request carries one that expires on
	// its way.
	DefaultRefreshMargin = time.Minute
	// loginTimeout bounds a login from /login to /callback.
	loginTimeout = 10 * time.Minute
	// tenantTimeout bounds every call to the tenant (discovery, token endpoint).
	tenantTimeout = 5 * time.Second
)

// Config is what the login needs. Settings are validated together by
// Validate, every problem listed.
type Config struct {
	// Issuer is the tenant, https://DOMAIN/ (the same as the guard's).
	Issuer string
	// Audience is the API identifier, sent as Auth0's `audience` parameter
	// so that the access token is one the guard accepts.
	Audience string
	// ClientID and ClientSecret are the tenant's regular web application.
	ClientID     string
	ClientSecret string
	// PublicURL is the gateway's origin as browsers reach it, such as
	// https://models.example.com. The callback URL is PublicURL/callback;
	// it is never derived from a request's Host header.
	PublicURL string
	// DefaultOrg is the organization (name or org_ ID) a plain /login asks
	// for; empty asks for none.
	DefaultOrg string
	// Organizations are the stack outputs' organizations, name to ID. With
	// them, a name (DefaultOrg, /login?organization=) is resolved to its ID
	// before the redirect to the tenant, since Auth0 takes an ID there; an
	// unknown name is refused. Nil (no outputs): the value is sent as
	// given, and a name then works only on a tenant that allows
	// organization names in the Authentication API.
	Organizations stackoutputs.Organizations
	// Scopes requested; default openid profile email offline_access (a
	// refresh token comes only if the API allows offline access).
	Scopes []string

	// Redis keeps sessions shared by every replica; nil keeps them in this
	// process's memory.
	Redis *redis.Client
	// SessionLifetime is the absolute lifetime of a session.
	SessionLifetime time.Duration
	// RefreshMargin: access tokens closer than this to expiry are renewed.
	RefreshMargin time.Duration
	// SessionSecret encrypts session data at rest (Redis or memory). Empty
	// derives a key from ClientSecret, which every replica already shares.
	SessionSecret []byte

	// LoginBurst logins may start at once from one client address (an
	// IPv6 /64), then one per LoginEvery; more are answered 429. Zero:
	// DefaultLoginBurst, DefaultLoginEvery.
	LoginBurst int
	LoginEvery time.Duration
	// TrustedProxies are the proxies in front of the gateway: a request
	// from one of them is counted against the address its X-Forwarded-For
	// names. From any other peer, X-Forwarded-For is ignored.
	TrustedProxies []netip.Prefix

	// DPoP is the gateway's DPoP mode (-dpop): allowed or required, each
	// session holds a key of its own and asks the tenant for tokens bound to
	// it; "" or disabled keeps bearer sessions (dpop.go).
	DPoP guard.DPoPMode
	// DPoPNonce, if set, is the guard's current DPoP nonce (DPOP_NONCE_SECRET),
	// put in the proofs of the session's calls so the guard does not refuse
	// the first with use_dpop_nonce.
	DPoPNonce func() string

	// Validator checks the session's access token exactly as a bearer token.
	Validator  *guard.Validator
	HTTPClient *http.Client
	Logger     *slog.Logger
	// Now is the clock, for tests.
	Now func() time.Time
}

// Validate reports every problem of the configuration at once, naming the
// flag or environment variable of cmd/gateway that sets it. The Validator
// is not checked: it is built after the configuration is validated.
func (c Config) Validate() error {
	var errs []error
	add := func(format string, a ...any) { errs = append(errs, fmt.Errorf(format, a...)) }
	if u, err := url.Parse(c.Issuer); err != nil || u.Scheme == "" || u.Host == "" || !strings.HasSuffix(c.Issuer, "/") {
		add("login: issuer %q: want the tenant as https://DOMAIN/ (AUTH0_DOMAIN or -issuer)", c.Issuer)
	}
	if c.Audience == "" {
		add("login: audience is empty: set the API identifier (AUTH0_AUDIENCE or -audience)")
	}
	if strings.TrimSpace(c.ClientID) == "" || strings.ContainsAny(c.ClientID, " \t\r\n") {
		add("login: client ID %q: set -client-id or AUTH0_CLIENT_ID to the web application's client ID", c.ClientID)
	}
	if c.ClientSecret == "" {
		add("login: no client secret: export AUTH0_CLIENT_SECRET or pass -client-secret-file with a file holding the web application's secret (never as a flag value)")
	}
	if err := checkPublicURL(c.PublicURL); err != nil {
		errs = append(errs, err)
	}
	if c.DefaultOrg != "" && !validOrg(c.DefaultOrg) {
		add("login: default organization %q: want an organization name (a-z 0-9 _ -, at most 50) or ID (org_...) (-default-org or AUTH0_DEFAULT_ORG)", c.DefaultOrg)
	}
	if err := c.checkDefaultOrg(); err != nil {
		errs = append(errs, err)
	}
	if c.SessionSecret != nil && len(c.SessionSecret) < 32 {
		add("login: session secret is %d bytes: want at least 32 random bytes (SESSION_SECRET), such as `openssl rand -base64 48`", len(c.SessionSecret))
	}
	if c.SessionLifetime < 0 || c.RefreshMargin < 0 {
		add("login: session lifetime and refresh margin must not be negative")
	}
	switch c.DPoP {
	case "", guard.DPoPDisabled, guard.DPoPAllowed, guard.DPoPRequired:
	default:
		add("login: DPoP mode %q: want disabled, allowed or required (-dpop or DPOP_MODE)", c.DPoP)
	}
	if c.LoginBurst < 0 || c.LoginEvery < 0 {
		add("login: login burst %d and interval %v must not be negative (0 means %d and %v)", c.LoginBurst, c.LoginEvery, DefaultLoginBurst, DefaultLoginEvery)
	}
	return errors.Join(errs...)
}

// checkPublicURL accepts an origin: https, or http on a loopback host (for
// local development, where cookies cannot be Secure).
func checkPublicURL(raw string) error {
	u, err := url.Parse(raw)
	switch {
	case raw == "":
		return errors.New("login: no public URL: set -public-url or PUBLIC_URL to the gateway's address as browsers reach it, such as https://models.example.com")
	case err != nil || u.Host == "" || u.User != nil:
		return fmt.Errorf("login: public URL %q: want an origin such as https://models.example.com (-public-url or PUBLIC_URL)", raw)
	case u.Path != "" && u.Path != "/", u.RawQuery != "", u.Fragment != "":
		return fmt.Errorf("login: public URL %q: want an origin without path, query or fragment: the gateway serves /login and /callback at its root", raw)
	case u.Scheme == "https":
		return nil
	case u.Scheme == "http" && isLoopback(u.Hostname()):
		return nil
	case u.Scheme == "http":
		return fmt.Errorf("login: public URL %q: http is allowed only on localhost or a loopback address; browsers must reach the gateway over https so the session cookie can be Secure", raw)
	default:
		return fmt.Errorf("login: public URL %q: want an https:// origin", raw)
	}
}

func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// origin is scheme://host[:port] of the public URL, as browsers send it in
// the Origin header.
func origin(publicURL string) string {
	u, _ := url.Parse(publicURL)
	return u.Scheme + "://" + u.Host
}

func (c *Config) complete() {
	if len(c.Scopes) == 0 {
		c.Scopes = []string{"openid", "profile", "email", "offline_access"}
	}
	if c.SessionLifetime == 0 {
		c.SessionLifetime = DefaultSessionLifetime
	}
	if c.RefreshMargin == 0 {
		c.RefreshMargin = DefaultRefreshMargin
	}
	c.LoginBurst = cmp.Or(c.LoginBurst, DefaultLoginBurst)
	c.LoginEvery = cmp.Or(c.LoginEvery, DefaultLoginEvery)
	if c.HTTPClient == nil {
		c.HTTPClient = &http.Client{Timeout: tenantTimeout}
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	c.PublicURL = strings.TrimSuffix(c.PublicURL, "/")
}
