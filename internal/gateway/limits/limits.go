// Package limits keeps the request rates and daily model-token budgets of
// the gateway's callers, per client and per organization: in memory for one
// process (NewMemory, golang.org/x/time/rate), or in Redis for every gateway
// process at once (NewRedis: github.com/go-redis/redis_rate's GCRA for the
// rates, INCRBY for the budgets, and one script call to admit a request);
// NewLeases goes to Redis once per lease period for a busy caller rather
// than once per request.
//
// A Config (the routes file's `limits:` section) compiles into Policies; an
// Enforcer applies them to each caller with a Store.
package limits

import (
	"context"
	"errors"
	"time"
)

// ErrStore wraps every error of a Store that could not be reached or did not
// answer: the gateway then fails open or closed, as configured.
var ErrStore = errors.New("limits store unavailable")

// Rate is a request rate: Requests per Per on average, in bursts of up to
// Burst.
type Rate struct {
	Requests int
	Per      time.Duration
	Burst    int
}

// Result is what a Store decided for one request rate or one budget.
type Result struct {
	Allowed bool
	// Remaining is the quota left after this request.
	Remaining int64
	// RetryAfter, when not Allowed, is how long until the next request can pass.
	RetryAfter time.Duration
	// ResetAfter is how long until the whole quota is available again.
	ResetAfter time.Duration
}

// A Store keeps the counts of every key. Keys name a caller ("client:ID",
// "org:ID"); days are UTC dates ("2006-01-02"). Implementations are safe
// for concurrent use and wrap ErrStore when their backend fails.
type Store interface {
	// Allow takes one request from key's rate.
	Allow(ctx context.Context, key string, rate Rate) (Result, error)
	// Used returns the model tokens each key has used on day (or in a
	// month: see Month).
	Used(ctx context.Context, day string, keys ...string) ([]int64, error)
	// Add counts n more model tokens for each key on day (or month).
	Add(ctx context.Context, day string, n int64, keys ...string) error
}

// Day is the UTC date t falls on, the period of a daily token budget.
func Day(t time.Time) string { return t.UTC().Format(time.DateOnly) }

const monthLayout = "2006-01"

// Month is the UTC month t falls on, the period of a monthly token budget.
func Month(t time.Time) string { return t.UTC().Format(monthLayout) }

// nextMonth is when the UTC month after t's begins.
func nextMonth(t time.Time) time.Time {
	t = t.UTC()
	return time.Date(t.Year(), t.Month()+1, 1, 0, 0, 0, 0, time.UTC)
}

// nextDay is when the UTC day after t's begins.
func nextDay(t time.Time) time.Time {
	t = t.UTC()
	return time.Date(t.Year(), t.Month(), t.Day()+1, 0, 0, 0, 0, time.UTC)
}
