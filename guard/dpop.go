package guard

import (
	"cmp"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"
)

// DPoPMode says whether a Validator accepts sender-constrained tokens
// (DPoP, RFC 9449) and whether it insists on them.
type DPoPMode string

const (
	// DPoPDisabled (or "") accepts bearer tokens only. A token bound to a
	// key (cnf.jkt) is refused all the same: its holder meant it to be
	// useless without the key.
	DPoPDisabled DPoPMode = "disabled"
	// DPoPAllowed accepts `Authorization: DPoP` with a proof, and unbound
	// bearer tokens.
	DPoPAllowed DPoPMode = "allowed"
	// DPoPRequired accepts DPoP only. Requirement.DPoP asks the same of one
	// route.
	DPoPRequired DPoPMode = "required"
)

// Defaults of DPoPConfig.
const DefaultDPoPMaxAge = time.Minute

// DefaultDPoPAlgs are the proof algorithms accepted by default: asymmetric
// only, as RFC 9449 section 4.2 demands (none and HS* can never be).
var DefaultDPoPAlgs = []string{"ES256", "ES384", "ES512", "PS256", "PS384", "PS512", "RS256", "EdDSA"}

// asymmetricAlgs are every algorithm DPoPConfig.Algs may list.
var asymmetricAlgs = append(slices.Clone(DefaultDPoPAlgs), "RS384", "RS512")

// Errors of a DPoP check. Middleware answers 401 to both, with a DPoP
// challenge naming error="invalid_dpop_proof" or "use_dpop_nonce" (and a
// DPoP-Nonce header), and 503 to ErrReplayStoreUnavailable.
var (
	ErrInvalidDPoPProof       = errors.New("invalid DPoP proof")
	ErrUseDPoPNonce           = errors.New("DPoP proof needs the server's nonce")
	ErrReplayStoreUnavailable = errors.New("DPoP replay store unavailable")
)

// DPoPConfig is how a Validator checks DPoP proofs (Config.DPoP).
type DPoPConfig struct {
	Mode DPoPMode
	// PublicURL is the base URL callers use to reach this service, such as
	// https://models.example.com: a proof's htu must be PublicURL followed
	// by the request's path. It is configured because a request's Host can
	// say anything. Required unless Mode is disabled.
	PublicURL string
	// Algs are the proof signature algorithms accepted, named in the
	// challenge's algs; default DefaultDPoPAlgs. Asymmetric only.
	Algs []string
	// MaxAge is how old a proof's iat may be (default DefaultDPoPMaxAge);
	// Config.Leeway is how far in the future.
	MaxAge time.Duration
	// Replay remembers the proofs' jti, so that each proof is used once.
	// Default: in this process's memory (NewMemoryReplayStore). Replicas
	// behind one load balancer need a shared one (the gateway's Redis).
	Replay ReplayStore
	// Nonces, if set, makes proofs carry a nonce the server handed out
	// (DPoP-Nonce, RFC 9449 section 8); a proof without a current one is
	// answered use_dpop_nonce with a fresh nonce.
	Nonces DPoPNonces
}

// dpopChecker is a complete DPoPConfig; nil when DPoP is disabled.
type dpopChecker struct {
	DPoPConfig
	base   string // PublicURL, normalized, without a trailing slash
	leeway time.Duration
	now    func() time.Time
	algs   string // the challenge's algs
}

func (c *Config) completeDPoP() []string {
	d := &c.DPoP
	switch d.Mode {
	case "", DPoPDisabled:
		d.Mode = DPoPDisabled
		return nil
	case DPoPAllowed, DPoPRequired:
	default:
		return []string{fmt.Sprintf("DPoP mode %q: want disabled, allowed or required", d.Mode)}
	}
	var problems []string
	if _, err := dpopBase(d.PublicURL); err != nil {
		problems = append(problems, fmt.Sprintf("DPoP public URL %q: %v; proofs name the URL the caller used (htu), which only the configuration can say (Config.DPoP.PublicURL, the gateway's -public-url)", d.PublicURL, err))
	}
	if len(d.Algs) == 0 {
		d.Algs = DefaultDPoPAlgs
	}
	for _, alg := range d.Algs {
		if !slices.Contains(asymmetricAlgs, alg) {
			problems = append(problems, fmt.Sprintf("DPoP algorithm %q: want asymmetric ones among %s", alg, strings.Join(asymmetricAlgs, ", ")))
		}
	}
	if d.MaxAge < 0 {
		problems = append(problems, "DPoP MaxAge cannot be negative (0 means the default)")
	}
	d.MaxAge = cmp.Or(d.MaxAge, DefaultDPoPMaxAge)
	if d.Replay == nil {
		store := NewMemoryReplayStore(0)
		store.now = c.Now
		d.Replay = store
	}
	return problems
}

// newDPoPChecker is called on a complete Config.
func newDPoPChecker(c Config) *dpopChecker {
	if c.DPoP.Mode == DPoPDisabled {
		return nil
	}
	base, _ := dpopBase(c.DPoP.PublicURL)
	return &dpopChecker{DPoPConfig: c.DPoP, base: base, leeway: c.Leeway, now: c.Now, algs: strings.Join(c.DPoP.Algs, " ")}
}

// dpopBase is PublicURL as htu's are compared: scheme and host in lower
// case, without a default port, query or trailing slash.
func dpopBase(public string) (string, error) {
	u, err := url.Parse(public)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return "", errors.New("want an absolute http(s) URL without user, query or fragment, such as https://models.example.com")
	}
	return strings.TrimSuffix(normalizeHTU(u), "/"), nil
}

// normalizeHTU is u as RFC 9449 section 4.3 compares htu (RFC 3986 syntax-
// and scheme-based normalization): query and fragment ignored.
func normalizeHTU(u *url.URL) string {
	scheme, host := strings.ToLower(u.Scheme), strings.ToLower(u.Host)
	host = strings.TrimSuffix(host, map[string]string{"https": ":443", "http": ":80"}[scheme])
	return scheme + "://" + host + cmp.Or(u.EscapedPath(), "/")
}
