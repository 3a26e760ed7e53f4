package guard

import (
	"cmp"
	"context"
	"crypto/rsa"
	"errors"
	"fmt"
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

// Identity is what a valid token says about its caller.
type Identity struct {
	Subject     string   // sub: a user ID, or CLIENT_ID@clients for an M2M client
	ClientID    string   // azp: the client the token was issued to
	OrgID       string   // org_id, when the token was issued for an organization
	GrantType   string   // gty: Auth0 sets client-credentials on M2M tokens
	Scopes      []string // scope, split on spaces
	Permissions []string // permissions (RBAC)
	ExpiresAt   time.Time
	// KeyThumbprint is cnf.jkt: the RFC 7638 thumbprint of the key a
	// DPoP-bound token is bound to; empty for a bearer token. Validate
	// alone does not check a proof: Authorize does.
	KeyThumbprint string
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

// Validator checks tokens. It is safe for concurrent use.
type Validator struct {
	cfg      Config
	keys     *keySet
	parser   *jwt.Parser
	verified *verified
	dpop     *dpopChecker // nil: DPoP disabled
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
		jwt.WithValidMethods([]string{cfg.SigningAlg}), // never none, HS* or another alg

		jwt.WithIssuer(cfg.Issuer),
		jwt.WithAudience(cfg.Audience),
		jwt.WithExpirationRequired(),
		jwt.WithIssuedAt(),
		jwt.WithLeeway(cfg.Leeway),
	}
	opts = append(opts, jwt.WithTimeFunc(cfg.Now))
	return &Validator{cfg: cfg, keys: keys, parser: jwt.NewParser(opts...), verified: newVerified(cfg.CacheSize), dpop: newDPoPChecker(cfg)}, nil
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
		if id, ok := v.verified.get(token, v.cfg.Now(), v.cfg.Leeway, v.keys); ok {
			v.observe(nil, true)
			return id, nil
		}
	}
	var c claims
	var key *rsa.PublicKey // what verified the signature, remembered with the token
	parsed, err := v.parser.ParseWithClaims(token, &c, func(t *jwt.Token) (any, error) {
		var err error
		key, err = v.keys.key(ctx, t)
		return key, err
	})
	v.observe(err, false)
	switch {
	case errors.Is(err, ErrKeysUnavailable):
		return nil, ErrKeysUnavailable
	case err != nil:
		return nil, fmt.Errorf("%w: %w", ErrInvalidToken, err)
	}
	id := &Identity{Subject: c.Subject, ClientID: cmp.Or(c.AZP, c.ClientID), OrgID: c.OrgID, GrantType: c.GrantType, Permissions: c.Permissions,
		Scopes: strings.Fields(c.Scope), ExpiresAt: c.ExpiresAt.date.Time, KeyThumbprint: c.Cnf.JKT} // exp is required: the parser checked it is set
	kid, _ := parsed.Header["kid"].(string)
	v.verified.add(token, kid, key, id)
	return id, nil
}
