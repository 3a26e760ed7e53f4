package guard

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"

	"github.com/MicahParks/jwkset"
)

// Observer is told what a Validator does, for metrics and access logs
// (Config.Observer). Its methods are called on the request path and by the
// key refresh: they must be cheap and safe for concurrent use.
type Observer interface {
	// TokenValidated reports one validation: result is ResultValid,
	// ResultInvalid or ResultKeysUnavailable; cached is true when the
	// verified-token cache answered, without verifying a signature.
	TokenValidated(result string, cached bool)
	// KeysRefreshed reports one fetch of the JWKS (at start, in the
	// background, or for an unknown kid); err is nil when it succeeded.
	KeysRefreshed(err error)
	// Denied reports a request the middleware refused, with its status and
	// the reason it logs (never any of the token).
	Denied(r *http.Request, status int, reason string)
}

// Results of a validation, as TokenValidated reports them.
const (
	ResultValid           = "valid"
	ResultInvalid         = "invalid"
	ResultKeysUnavailable = "keys_unavailable"
)

func (v *Validator) observe(err error, cached bool) {
	if v.cfg.Observer == nil {
		return
	}
	switch {
	case err == nil:
		v.cfg.Observer.TokenValidated(ResultValid, cached)
	case errors.Is(err, ErrKeysUnavailable):
		v.cfg.Observer.TokenValidated(ResultKeysUnavailable, cached)
	default:
		v.cfg.Observer.TokenValidated(ResultInvalid, cached)
	}
}

func (v *Validator) observeDenied(r *http.Request, status int, reason string) {
	if v.cfg.Observer != nil {
		v.cfg.Observer.Denied(r, status, reason)
	}
}

func observeRefreshFailed(cfg Config, err error) {
	if cfg.Observer != nil {
		cfg.Observer.KeysRefreshed(err)
	}
}

// observedStorage is where jwkset keeps the fetched keys: it replaces them
// all after each successful fetch, which is how a success is seen (failures
// reach RefreshErrorHandler). Without an observer, keys itself.
func observedStorage(cfg Config, keys *keyIndex) jwkset.Storage {
	if cfg.Observer == nil {
		return keys
	}
	return refreshCounter{Storage: keys, obs: cfg.Observer}
}

type refreshCounter struct {
	jwkset.Storage
	obs Observer
}

func (s refreshCounter) KeyReplaceAll(ctx context.Context, given []jwkset.JWK) error {
	err := s.Storage.KeyReplaceAll(ctx, given)
	s.obs.KeysRefreshed(err)
	return err
}

// checkResourceMetadataURL: the URL goes into a quoted-string of every
// challenge, so it must be an absolute http(s) URL.
func (c *Config) checkResourceMetadataURL() []string {
	if c.ResourceMetadataURL == "" {
		return nil
	}
	u, err := url.Parse(c.ResourceMetadataURL)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.Fragment != "" {
		return []string{fmt.Sprintf("resource metadata URL %q: want an absolute https URL, such as https://models.example.com/.well-known/oauth-protected-resource", c.ResourceMetadataURL)}
	}
	return nil
}
