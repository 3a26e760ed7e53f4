package guard

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"sync"
	"time"
)

// ReplayStore remembers the DPoP proofs already used. FirstUse records key
// until expiry and reports whether it was not there yet; it must be atomic
// across everything sharing the store (Redis: SET key 1 NX PXAT expiry).
// An error refuses the request (503): a store that cannot answer cannot
// tell a replay.
type ReplayStore interface {
	FirstUse(ctx context.Context, key string, expiry time.Time) (bool, error)
}

// replayKey is what a proof is remembered by: fixed-size whatever the
// jti, and per key, since a jti is unique only for its signer.
func replayKey(jkt, jti string) string {
	sum := sha256.Sum256([]byte(jkt + "\x00" + jti))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// DefaultReplayEntries bounds a MemoryReplayStore.
const DefaultReplayEntries = 1 << 20

// errReplayStoreFull refuses new proofs rather than forgetting live ones,
// which would let them be replayed.
var errReplayStoreFull = errors.New("the in-memory DPoP replay store is full of unexpired proofs")

// MemoryReplayStore is a ReplayStore for one process.
type MemoryReplayStore struct {
	mu      sync.Mutex
	seen    map[string]time.Time
	max     int
	now     func() time.Time
	sweepAt int // sweep expired entries when this many are held
}

// NewMemoryReplayStore holds up to maxEntries unexpired proofs (0:
// DefaultReplayEntries), about 100 bytes each.
func NewMemoryReplayStore(maxEntries int) *MemoryReplayStore {
	if maxEntries <= 0 {
		maxEntries = DefaultReplayEntries
	}
	return &MemoryReplayStore{seen: map[string]time.Time{}, max: maxEntries, now: time.Now, sweepAt: 1024}
}

// FirstUse implements ReplayStore.
func (s *MemoryReplayStore) FirstUse(_ context.Context, key string, expiry time.Time) (bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	if until, ok := s.seen[key]; ok && now.Before(until) {
		return false, nil
	}
	if len(s.seen) >= s.sweepAt {
		s.sweep(now)
	}
	if len(s.seen) >= s.max {
		return false, errReplayStoreFull
	}
	s.seen[key] = expiry
	return true, nil
}

// sweep drops expired entries; the next sweep waits until the map doubles,
// so sweeping costs O(1) per insertion on average.
func (s *MemoryReplayStore) sweep(now time.Time) {
	for k, until := range s.seen {
		if !now.Before(until) {
			delete(s.seen, k)
		}
	}
	s.sweepAt = max(1024, 2*len(s.seen))
}
