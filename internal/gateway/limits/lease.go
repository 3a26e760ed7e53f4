package limits

import (
	"context"
	"sync"
	"time"
)

// DefaultLease is the lease period of the gateway's -limits-lease.
const DefaultLease = 10 * time.Millisecond

// maxLease caps the requests of one lease: a process never holds more than
// this many of a rate's requests, nor more than a quarter of its burst.
const maxLease = 64

// Leases is a Store in Redis that goes to Redis once per lease period for a
// busy caller rather than once per request: it takes a rate's requests in
// leases and keeps the budgets it read, for one period.
//
// A lease of a rate is the requests the rate yields in a period, at most a
// quarter of its burst and 64, taken from the shared GCRA in Redis all at
// once (all of them or, when the rate cannot give that much, one request, as
// without leases); the following requests of the key spend it in this
// process. Requests a lease holds when its period ends are dropped, never
// given back. So the shared limit stays an upper bound across every gateway
// process: every request admitted was taken from Redis first. What leasing
// costs is the other way: a caller near its limit can be refused a little
// early, while requests sit unspent in another process's lease. A rate that
// yields fewer than two requests in a period (under 200 a second, with a
// period of 10 ms), or whose burst is under 8, is not leased: each of its
// requests goes to Redis, as without leases. A rate that refused a request
// refuses the key's requests in this process until its RetryAfter, which
// Redis would too.
//
// The model tokens a budget used are read from Redis at most once per period
// and key; the process's own counts (Add) are added to what it read at once,
// and sent to Redis at the end of the period, in one round trip for every
// key. Other processes' counts so show up to a period late, and the tokens
// counted in the last period before a process stops are lost unless it
// calls Flush: a budget is approximate already, overshot by the responses in
// flight when it runs out.
//
// The RateLimit fields of a request admitted from a lease are approximate:
// Remaining is what Redis said when the lease was taken, plus what the lease
// still holds.
//
// The state of a key lasts its period: keys that go quiet are dropped, so
// that memory follows the callers of the last moments, not every caller
// ever seen.
type Leases struct {
	redis  *Redis
	period time.Duration
	now    func() time.Time

	mu        sync.Mutex
	keys      map[string]*keyState
	nextSweep time.Time

	pendingMu sync.Mutex
	pending   map[budgetRef]int64 // tokens counted and not yet sent
	// counted are the budgets and listeners of pending counts made by
	// count, told each count after it once Flush sends it.
	counted  map[budgetRef]pendingBudget
	flushing bool  // a flush is scheduled
	flushErr error // the last flush's, for Add to report
}

// budgetRef is a budget's key on a day.
type budgetRef struct{ day, key string }

// pendingBudget is the budget of a pending count, and who hears of it.
type pendingBudget struct {
	policy  *Policy
	counted func(increment, int64)
}

// keyState is what a process holds for one key. Its lock (a channel, to
// wait with a deadline) is held for a whole admission, Redis's answer
// included, so that the requests of a key that arrive together wait for
// one refill rather than each making its own.
type keyState struct {
	lock     chan struct{}
	lastUsed time.Time // under Leases.mu

	// A lease: left requests to spend until leaseEnd; res is Redis's
	// answer when it was taken, at leaseAt.
	left              int64
	leaseAt, leaseEnd time.Time
	res               Result
	// deniedUntil: Redis refused at deniedAt and said to retry then.
	deniedAt, deniedUntil time.Time
	denied                Result

	// The budget read from Redis, plus this process's counts since.
	day       string
	used      int64
	budgetEnd time.Time
}

// NewLeases returns a store that leases from s for period (see Leases);
// now is the clock (nil: time.Now). It panics if period is not positive, as
// time.NewTicker does: without leases, the store is s itself.
func NewLeases(s *Redis, period time.Duration, now func() time.Time) *Leases {
	if period <= 0 {
		panic("limits: NewLeases needs a positive lease period; without leases, use the Redis store itself")
	}
	if now == nil {
		now = time.Now
	}
	return &Leases{redis: s, period: period, now: now, keys: map[string]*keyState{}, pending: map[budgetRef]int64{}, counted: map[budgetRef]pendingBudget{}}
}

// leaseSize is how many requests a lease of r takes: what r yields in
// period, at most a quarter of its burst and maxLease, at least 1.
func leaseSize(r Rate, period time.Duration) int64 {
	n := int64(float64(r.Requests) * period.Seconds() / r.Per.Seconds())
	return max(1, min(n, int64(r.Burst/4), maxLease))
}

// Allow implements Store: one request, from Redis.
func (l *Leases) Allow(ctx context.Context, key string, r Rate) (Result, error) {
	return l.redis.Allow(ctx, key, r)
}

// Used implements Store: what Redis holds, plus this process's counts not
// sent yet.
func (l *Leases) Used(ctx context.Context, day string, keys ...string) ([]int64, error) {
	used, err := l.redis.Used(ctx, day, keys...)
	if err != nil {
		return nil, err
	}
	l.pendingMu.Lock()
	defer l.pendingMu.Unlock()
	for i, k := range keys {
		used[i] += l.pending[budgetRef{day, k}]
	}
	return used, nil
}
