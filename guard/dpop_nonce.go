package guard

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"time"
)

// DPoPNonces hands out and checks the server nonces of RFC 9449 section 8,
// which keep a proof from being signed ahead of time.
type DPoPNonces interface {
	// Current is the nonce to send in DPoP-Nonce now.
	Current() string
	// Valid reports whether a proof's nonce claim is still accepted.
	Valid(nonce string) bool
}

// HMACNonces are stateless nonces: a period's number and its HMAC, so that
// every replica sharing the secret accepts the others' nonces without
// sharing a store. A nonce is accepted in its period and the next one.
type HMACNonces struct {
	secret []byte
	period time.Duration
	now    func() time.Time
}

// NewHMACNonces makes nonces that change every period (a minute, say),
// keyed by a secret of at least 32 bytes; now is the clock (nil: time.Now).
func NewHMACNonces(secret []byte, period time.Duration, now func() time.Time) (*HMACNonces, error) {
	if len(secret) < 32 || period <= 0 {
		return nil, errors.New("guard: DPoP nonces need a secret of at least 32 bytes and a positive period")
	}
	if now == nil {
		now = time.Now
	}
	return &HMACNonces{secret: secret, period: period, now: now}, nil
}

const nonceMACBytes = 16

func (n *HMACNonces) index() uint64 { return uint64(n.now().UnixNano() / int64(n.period)) }

func (n *HMACNonces) nonce(i uint64) []byte {
	b := binary.BigEndian.AppendUint64(make([]byte, 0, 8+sha256.Size), i)
	mac := hmac.New(sha256.New, n.secret)
	mac.Write(b)
	return mac.Sum(b)[:8+nonceMACBytes]
}

// Current implements DPoPNonces.
func (n *HMACNonces) Current() string {
	return base64.RawURLEncoding.EncodeToString(n.nonce(n.index()))
}

// Valid implements DPoPNonces.
func (n *HMACNonces) Valid(nonce string) bool {
	b, err := base64.RawURLEncoding.DecodeString(nonce)
	if err != nil || len(b) != 8+nonceMACBytes {
		return false
	}
	i, cur := binary.BigEndian.Uint64(b), n.index()
	return (i == cur || i+1 == cur) && hmac.Equal(b, n.nonce(i))
}
