package limits

import (
	"context"
	"time"
)

// budgetKeyOf is the key a budget counts in: money apart from tokens, a
// month's apart from a day's, so that each kind of Store keeps them apart.
// (Caller.keys cuts the same keys from one string.)
func budgetKeyOf(p *Policy, key string) string {
	if p.Money {
		key = moneyPrefix + key
	}
	if p.Monthly {
		return monthPrefix + key
	}
	return key
}

// The prefixes of budgetKeyOf.
const (
	moneyPrefix = "usd:"
	monthPrefix = "month:"
)

// Spend is what one response used: its model tokens and what they cost.
type Spend struct {
	Tokens int64
	// Micros is the cost in micro-dollars: input tokens at the model's
	// input price plus output tokens at its output price.
	Micros int64
}

// Record counts the model tokens a response used against the caller's
// token budgets: RecordSpend without a cost.
func (e *Enforcer) Record(ctx context.Context, c Caller, tokens int64) error {
	return e.RecordSpend(ctx, c, Spend{Tokens: tokens})
}

// RecordSpend counts what a response used against the caller's budgets,
// tokens and money. The request was admitted before, so a response can take
// a budget past its end by its own use: the next request is refused. The
// budgets that this count takes across 80% or 100% are reported to
// OnCrossing's function.
func (e *Enforcer) RecordSpend(ctx context.Context, c Caller, sp Spend) error {
	var pl plan
	if !e.plan(&pl, c) || pl.nBudgets == 0 {
		return nil
	}
	now := e.now()
	// Sized to the plan: the slice goes to the store through an interface,
	// so it is on the heap whatever its declaration.
	incs := make([]increment, 0, pl.nBudgets)
	for _, s := range pl.budgets[:pl.nBudgets] {
		n := sp.Tokens
		if s.p.Money {
			n = sp.Micros
		}
		if n > 0 {
			incs = append(incs, increment{period: e.period(s.p.Monthly, now), key: s.key, n: n, policy: s.p})
		}
	}
	if len(incs) == 0 {
		return nil
	}
	if k, ok := e.store.(counter); ok {
		return k.count(ctx, incs, e.counted)
	}
	// Another Store: an Add per increment, which says no count after it,
	// so no crossing is found.
	for _, inc := range incs {
		if err := e.store.Add(ctx, inc.period, inc.n, inc.key); err != nil {
			return err
		}
	}
	return nil
}

// increment is one budget's count growing by n in period.
type increment struct {
	period, key string
	n           int64
	policy      *Policy
}

// counter is a Store that counts several budgets at once, each by its own
// amount, and tells counted each budget's count after its increment: at
// once, or (Leases) when the count reaches Redis.
type counter interface {
	count(ctx context.Context, incs []increment, counted func(increment, int64)) error
}

// period is the period of a day's or a month's budget at now.
func (e *Enforcer) period(monthly bool, now time.Time) string {
	d := e.dayOf(now)
	if monthly {
		return d.month
	}
	return d.s
}

// today is Day(now).
func (e *Enforcer) today(now time.Time) string { return e.dayOf(now).s }

// dayOf is now's day and month, formatted once a day rather than at every
// request.
func (e *Enforcer) dayOf(now time.Time) *day {
	n := now.Unix() / (24 * 60 * 60)
	if d := e.day.Load(); d != nil && d.n == n {
		return d
	}
	// The ends are wall-clock times (no monotonic reading), and untilReset
	// subtracts a wall clock from them: the machine's wall clock may be
	// stepped or slewed away from its monotonic clock during the day.
	d := &day{n: n, s: Day(now), month: Month(now), end: nextDay(now), monthEnd: nextMonth(now)}
	e.day.Store(d)
	return d
}

type day struct {
	n        int64 // days since 1970-01-01 UTC
	s, month string
	// end and monthEnd are when the day and its month end.
	end, monthEnd time.Time
}

// untilReset is how long from now until the period of a day's budget ends,
// or a month's when monthly.
func (e *Enforcer) untilReset(monthly bool, now time.Time) time.Duration {
	d, wall := e.dayOf(now), now.Round(0) // Round(0): without its monotonic reading
	if monthly {
		return d.monthEnd.Sub(wall)
	}
	return d.end.Sub(wall)
}
