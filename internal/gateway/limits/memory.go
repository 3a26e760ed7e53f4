package limits

import (
	"context"
	"math"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Memory is a Store for one process: each gateway process counts on its
// own. Keys come from verified tokens only (the tenant's clients and
// organizations), so the maps stay as small as the tenant.
type Memory struct {
	now    func() time.Time
	rates  sync.Map // key -> *rate.Limiter
	mu     sync.Mutex
	tokens map[string]*dayCount
}

type dayCount struct {
	day  string
	used int64
}

// NewMemory returns an in-memory Store; now is the clock (nil: time.Now).
func NewMemory(now func() time.Time) *Memory {
	if now == nil {
		now = time.Now
	}
	return &Memory{now: now, tokens: map[string]*dayCount{}}
}

// Allow implements Store with a token bucket per key.
func (m *Memory) Allow(_ context.Context, key string, r Rate) (Result, error) {
	perSecond := float64(r.Requests) / r.Per.Seconds()
	l, ok := m.rates.Load(key)
	if !ok {
		l, _ = m.rates.LoadOrStore(key, rate.NewLimiter(rate.Limit(perSecond), r.Burst))
	}
	lim := l.(*rate.Limiter)
	now := m.now()
	res := lim.ReserveN(now, 1)
	if delay := res.DelayFrom(now); delay > 0 {
		res.CancelAt(now)
		return Result{RetryAfter: delay, ResetAfter: refill(lim.TokensAt(now), r.Burst, perSecond)}, nil
	}
	left := lim.TokensAt(now)
	return Result{Allowed: true, Remaining: int64(math.Max(0, math.Floor(left))), ResetAfter: refill(left, r.Burst, perSecond)}, nil
}

// refill is how long a bucket holding tokens takes to be full.
func refill(tokens float64, burst int, perSecond float64) time.Duration {
	return time.Duration((float64(burst) - tokens) / perSecond * float64(time.Second))
}

// Used implements Store.
func (m *Memory) Used(_ context.Context, day string, keys ...string) ([]int64, error) {
	used := make([]int64, len(keys))
	m.mu.Lock()
	defer m.mu.Unlock()
	for i, k := range keys {
		if c := m.tokens[k]; c != nil && c.day == day {
			used[i] = c.used
		}
	}
	return used, nil
}

// Add implements Store.
func (m *Memory) Add(_ context.Context, day string, n int64, keys ...string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, key := range keys {
		c := m.tokens[key]
		if c == nil {
			c = &dayCount{}
			m.tokens[key] = c
		}
		if c.day != day {
			c.day, c.used = day, 0
		}
		c.used += n
	}
	return nil
}

// count implements counter: the counts after each increment are this
// process's own.
func (m *Memory) count(_ context.Context, incs []increment, counted func(increment, int64)) error {
	after := make([]int64, len(incs))
	m.mu.Lock()
	for i, inc := range incs {
		c := m.tokens[inc.key]
		if c == nil {
			c = &dayCount{}
			m.tokens[inc.key] = c
		}
		if c.day != inc.period {
			c.day, c.used = inc.period, 0
		}
		c.used += inc.n
		after[i] = c.used
	}
	m.mu.Unlock()
	for i, inc := range incs { // outside the lock: counted logs
		counted(inc, after[i])
	}
	return nil
}
