// Package devtenant is a local, Auth0-compatible issuer built from a stack
// file, for development and tests only. It serves OIDC discovery, a JWKS,
// /authorize (authorization code with PKCE, a login form for the stack's test
// users, Auth0's organization and audience parameters), /oauth/token
// (authorization_code, rotating refresh_token, client_credentials),
// /oauth/revoke (refresh tokens, RFC 7009), /v2/logout, /oidc/logout and
// /userinfo, and signs tokens with the claims
// Auth0 would put in them for that stack: roles, organizations, members, M2M
// clients and their grants are exactly the stack's.
//
// It is not Auth0 and not for production: it refuses a protected stack, keys
// and secrets are made at every start, and everything it knows lives in
// memory.
//
//	cfg, _ := stackconfig.Load(raw, nil)
//	t, _ := devtenant.New(cfg, devtenant.Options{})
//	ln, _ := net.Listen("tcp", "127.0.0.1:0")
//	t.Start(ln)                        // the issuer is http://127.0.0.1:PORT/
//	defer t.Close()
//	tok, _ := t.Tokens(ctx, devtenant.UserLogin{Email: "alice@acme.example.com", Organization: "acme"})
package devtenant

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/model-api-auth0/model-api-auth0/internal/tenant/stackconfig"

	"github.com/model-api-auth0/model-api-auth0/guard/tenanturl"
)

// Errors of New and Start.
var (
	// ErrProtected is returned for a stack marked model-api-auth0:protect:
	// a protected stack is a real tenant's, never a development one.
	ErrProtected = errors.New("devtenant: the stack is protected (model-api-auth0:protect: true); the dev tenant only runs development stacks")
	// ErrOptions wraps every problem of Options.
	ErrOptions = errors.New("devtenant: invalid options")
	// ErrNotStarted is returned when the issuer is needed before Start (or Options.Issuer) fixed it.
	ErrNotStarted = errors.New("devtenant: not started: call Start, or set Options.Issuer")
)

// Lifetimes the dev tenant uses where the stack says nothing.
const (
	CodeLifetime         = time.Minute      // authorization codes: single use and short lived
	LoginLifetime        = 10 * time.Minute // from /authorize to the code
	SessionLifetime      = 12 * time.Hour   // the tenant's own login session cookie
	IDTokenLifetime      = 10 * time.Hour   // Auth0's default (36000 s)
	RefreshTokenLifetime = 30 * 24 * time.Hour
)

// SessionCookie is the name of the tenant's login session cookie. It is
// distinct from any application's cookie: browsers share cookies between the
// ports of one host, and the tenant and the gateway often share 127.0.0.1.
const SessionCookie = "devtenant_session"

// Options are what the stack does not (yet) declare: the interactive clients,
// the test users' password, and test hooks. The zero value is usable.
type Options struct {
	// Issuer is the issuer URL (http://HOST:PORT/). Empty: Start sets it from
	// the listener's address.
	Issuer string
	// WebApp is the regular web application (confidential, with a secret).
	// Zero value: DefaultWebApp. Once the stack declares its web application
	// (model-api-auth0:webApp), set this from the configuration.
	WebApp WebApp
	// Native is the native (CLI) client: public, PKCE only. Zero value:
	// DefaultNative; likewise set it from the stack once the stack declares one.
	Native Native
	// ClientOrganizations links M2M clients (by name) to organizations (by
	// name) for client credentials with organizationUsage allow or require;
	// a client whose grant has allowAnyOrganization needs no link.
	ClientOrganizations map[string][]string
	// OrganizationIDsOnly makes the tenant behave as an Auth0 tenant does by
	// default: the organization parameter of /authorize and of client
	// credentials takes an organization ID (org_...) only, a name is refused
	// ("parameter organization must be an organization id"), and tokens carry
	// org_id without org_name. Without it, the tenant behaves as one with
	// "Allow organization names in Authentication API" on (the Tenant
	// resource's allowOrganizationNameInAuthenticationApi): names and IDs
	// both work, and tokens carry org_name too.
	OrganizationIDsOnly bool
	// Password is the test users' password. Empty: the stack's
	// testUserPassword if it is readable (not a secure: value), else a
	// generated one; Password() returns it.
	Password string
	// Key signs the tokens; nil makes a 2048-bit RSA key. Tests reuse one.
	Key *rsa.PrivateKey
	// Now is the clock, for tests.
	Now func() time.Time
	// MetadataDocuments is how agents' Client ID Metadata Documents are
	// fetched when the stack sets tenant.clientIdMetadataDocuments (cimd.go).
	MetadataDocuments MetadataDocuments
	// Logger gets one line per request; nil discards. Tokens, codes,
	// secrets and passwords are never logged.
	Logger *slog.Logger
}

// WebApp is a regular web application: it logs users in through /authorize
// and redeems codes with its client secret.
type WebApp struct {
	Name string
	// Callbacks are the allowed redirect_uri values. A port written as *
	// (http://127.0.0.1:*/callback) matches any port.
	Callbacks []string
	// LogoutURLs are the allowed returnTo / post_logout_redirect_uri values,
	// matched like Callbacks.
	LogoutURLs []string
}

// Native is a native application (a CLI): a public client without a secret.
// Its loopback redirect URIs match with any port (RFC 8252 section 7.3).
type Native struct {
	Name       string
	Callbacks  []string
	LogoutURLs []string
}

// DefaultWebApp is the web application served until the stack declares one
// (model-api-auth0:webApp): the gateway's login, on any loopback port.
var DefaultWebApp = WebApp{
	Name:       "gateway",
	Callbacks:  []string{"http://127.0.0.1:*/callback", "http://localhost:*/callback"},
	LogoutURLs: []string{"http://127.0.0.1:*/", "http://localhost:*/"},
}

// DefaultNative is the native client served until the stack declares one.
var DefaultNative = Native{
	Name:       "cli",
	Callbacks:  []string{"http://127.0.0.1/callback", "http://localhost/callback", "http://[::1]/callback"},
	LogoutURLs: []string{"http://127.0.0.1/", "http://localhost/"},
}

// Tenant is a running development tenant. It is safe for concurrent use.
type Tenant struct {
	cfg      *stackconfig.Config
	dir      *directory
	keys     *signer
	store    *store
	password string
	now      func() time.Time
	log      *slog.Logger
	pages    *pages
	failures failures
	// orgIDsOnly: Options.OrganizationIDsOnly.
	orgIDsOnly bool
	dpop       dpopState
	// docs fetches agents' metadata documents; nil unless the stack
	// supports them.
	docs *documents

	mu     sync.RWMutex
	issuer string
	server *http.Server
}

// New builds a tenant from a validated stack configuration (stackconfig.Load).
// It refuses a protected stack with ErrProtected.
func New(cfg *stackconfig.Config, opts Options) (*Tenant, error) {
	if cfg == nil {
		return nil, fmt.Errorf("%w: no stack configuration", ErrOptions)
	}
	if cfg.Protect {
		return nil, ErrProtected
	}
	t := &Tenant{cfg: cfg, now: opts.Now, log: opts.Logger, orgIDsOnly: opts.OrganizationIDsOnly}
	if t.now == nil {
		t.now = time.Now
	}
	if t.log == nil {
		t.log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	t.password = opts.Password
	if t.password == "" && cfg.TestUserPassword != stackconfig.Blinded {
		t.password = cfg.TestUserPassword
	}
	if t.password == "" {
		t.password = GeneratePassword()
	}
	var problems []string
	if cfg.API.TokenLifetime == nil || cfg.API.Identifier == "" {
		problems = append(problems, "the stack configuration has no API identifier or token lifetime: load it with stackconfig.Load (or LoadStack), which applies the defaults")
	}
	if opts.Issuer != "" {
		if err := t.setIssuer(opts.Issuer); err != nil {
			problems = append(problems, err.Error())
		}
	}
	dir, dirProblems := newDirectory(cfg, fromStack(cfg, opts))
	problems = append(problems, dirProblems...)
	if len(problems) > 0 {
		return nil, fmt.Errorf("%w:\n  %s", ErrOptions, strings.Join(problems, "\n  "))
	}
	t.dir = dir
	if cfg.ClientIDMetadataDocuments() {
		t.docs = newDocuments(cfg, opts.MetadataDocuments, t.now)
	}
	key := opts.Key
	if key == nil {
		var err error
		if key, err = rsa.GenerateKey(rand.Reader, 2048); err != nil {
			return nil, err
		}
	}
	keys, err := newSigner(cfg.API.SigningAlg, key)
	if err != nil {
		return nil, err
	}
	t.keys = keys
	t.store = newStore(t.now)
	t.pages = newPages()
	return t, nil
}

// Start serves the tenant on ln in the background; the issuer becomes
// http://ADDR/ unless Options.Issuer set it. Close stops it.
func (t *Tenant) Start(ln net.Listener) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.server != nil {
		return errors.New("devtenant: already started")
	}
	if t.issuer == "" {
		t.issuer = "http://" + ln.Addr().String() + "/"
	}
	t.server = &http.Server{Handler: t.Handler(), ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second,
		WriteTimeout: 30 * time.Second, IdleTimeout: 2 * time.Minute, MaxHeaderBytes: 64 << 10}
	go t.server.Serve(ln)
	return nil
}

// Close stops serving.
func (t *Tenant) Close() error {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.server == nil {
		return nil
	}
	return t.server.Shutdown(context.Background())
}

func (t *Tenant) setIssuer(issuer string) error {
	u, err := url.Parse(issuer)
	if err != nil || u.Scheme != "http" && u.Scheme != "https" || u.Host == "" || u.Path != "/" || u.RawQuery != "" || u.Fragment != "" {
		return fmt.Errorf("Options.Issuer %q: want http://HOST:PORT/ (with the trailing slash, nothing after it)", issuer)
	}
	t.issuer = issuer
	return nil
}

// Issuer is the issuer URL, with its trailing slash: the `iss` of every
// token. It is empty before Start unless Options.Issuer set it.
func (t *Tenant) Issuer() string {
	t.mu.RLock()
	defer t.mu.RUnlock()
	return t.issuer
}

// Audience is the API identifier: the `aud` of access tokens.
func (t *Tenant) Audience() string { return t.cfg.API.Identifier }

// JWKSURL is where the signing keys are published.
func (t *Tenant) JWKSURL() string { return tenanturl.JWKS(t.Issuer()) }

// TokenURL is the token endpoint.
func (t *Tenant) TokenURL() string { return tenanturl.Token(t.Issuer()) }

// AuthorizeURL is the authorization endpoint.
func (t *Tenant) AuthorizeURL() string { return t.Issuer() + "authorize" }

// Password is the test users' password.
func (t *Tenant) Password() string { return t.password }

// ClientID returns the client ID of a client by name (an M2M client of the
// stack, the web app or the native client); "" if there is none.
func (t *Tenant) ClientID(name string) string {
	if c := t.dir.clientByName(name); c != nil {
		return c.ID
	}
	return ""
}

// ClientSecret returns the secret of a confidential client by name; "" for
// the native client or an unknown name.
func (t *Tenant) ClientSecret(name string) string {
	if c := t.dir.clientByName(name); c != nil {
		return c.Secret
	}
	return ""
}

// OrgID returns the ID of an organization by name ("" if the stack has
// none): org_ and 16 characters derived from the name, the same at every start.
func (t *Tenant) OrgID(name string) string {
	if o := t.dir.orgs[name]; o != nil {
		return o.ID
	}
	return ""
}

// UserID returns the user ID (auth0|...) of a test user by email.
func (t *Tenant) UserID(email string) string {
	if u := t.dir.userByEmail(email); u != nil {
		return u.ID
	}
	return ""
}

// WebAppName and NativeName are the names of the interactive clients.
func (t *Tenant) WebAppName() string { return t.dir.web.Name }
func (t *Tenant) NativeName() string { return t.dir.native.Name }
