package gateway

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/model-api-auth0/model-api-auth0/guard"
)

// DPoP is whether the gateway takes sender-constrained tokens (RFC 9449).
type DPoP struct {
	// Mode is disabled (""), allowed or required (-dpop, DPOP_MODE); a
	// routes file's `dpop: true` requires it of one route. Proofs name the
	// URL the caller used: allowed and required need Options.PublicURL.
	Mode string
	// NonceSecret, at least 32 bytes, makes the gateway hand out nonces
	// proofs must carry (DPOP_NONCE_SECRET); every process sharing it
	// accepts the others' nonces. Empty: no nonces.
	NonceSecret []byte
	// RequiredOfAll says the stack requires DPoP of all clients (the stack
	// outputs' proofOfPossession): the tenant then binds every token and
	// refuses every unbound token request, the login's included, so Mode
	// may not be disabled.
	RequiredOfAll bool
}

// dpopNoncePeriod is how often nonces change; one stays good for two.
const dpopNoncePeriod = time.Minute

// setUpDPoP configures guard's DPoP check. The proofs' jti are kept in
// Redis when the gateway has one, so that a proof used at one process is
// refused at every other; otherwise in this process.
func (p *parts) setUpDPoP(o Options) error {
	mode := guard.DPoPMode(o.DPoP.Mode)
	if mode == "" || mode == guard.DPoPDisabled {
		if o.DPoP.RequiredOfAll {
			return errors.New("-dpop disabled (DPOP_MODE), but the stack outputs' proofOfPossession requires DPoP of all_clients: the tenant binds every token, which a gateway with DPoP disabled refuses, and refuses the people's login's unbound token requests; set -dpop required (or allowed), or change the API's proofOfPossession in the stack")
		}
		for _, r := range p.routes {
			if r.DPoP {
				return fmt.Errorf("routes: %s has dpop: true but DPoP is disabled; set -dpop allowed (DPOP_MODE) and -public-url", r.Pattern)
			}
		}
		if len(o.DPoP.NonceSecret) > 0 {
			return errors.New("DPOP_NONCE_SECRET is set but DPoP is disabled; set -dpop allowed or required")
		}
		return nil
	}
	if o.PublicURL == "" {
		return fmt.Errorf("-dpop %s needs -public-url (PUBLIC_URL): a proof names the URL its caller used, which a request's Host cannot be trusted to say", mode)
	}
	cfg := guard.DPoPConfig{Mode: mode, PublicURL: o.PublicURL}
	if p.redis != nil {
		cfg.Replay = redisReplay{p.redis}
	}
	if len(o.DPoP.NonceSecret) > 0 {
		n, err := guard.NewHMACNonces(o.DPoP.NonceSecret, dpopNoncePeriod, nil)
		if err != nil {
			return fmt.Errorf("DPOP_NONCE_SECRET: %w", err)
		}
		cfg.Nonces = n
	}
	p.guard.DPoP = cfg
	return nil
}

// redisReplay is guard.ReplayStore in Redis: SET NX with the proof's
// expiry, one round trip, atomic across every gateway process.
type redisReplay struct{ c *redis.Client }

// replayPrefix keeps the proofs' keys apart from the limits' and
// sessions'.
const replayPrefix = "gateway:dpop:jti:"

func (s redisReplay) FirstUse(ctx context.Context, key string, expiry time.Time) (bool, error) {
	err := s.c.SetArgs(ctx, replayPrefix+key, 1, redis.SetArgs{Mode: "NX", ExpireAt: expiry}).Err()
	switch {
	case errors.Is(err, redis.Nil): // NX: the key was there
		return false, nil
	case err != nil:
		return false, err
	}
	return true, nil
}
