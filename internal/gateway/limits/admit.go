package limits

import "context"

// An Admitter is a Store that decides a whole admission in one call: Redis
// does it in one round trip instead of one per policy. The Enforcer uses it
// when its Store is one; otherwise it calls Used, then Allow for each rate,
// to the same effect.
type Admitter interface {
	Admit(ctx context.Context, a Admission) (Admitted, error)
}

// Admission is what one request is checked against, in the order checked.
//
// The budgets come first: when any is spent (it used its TokensPerDay or
// more), the request is refused and takes no request quota. Then each rate
// takes one request, in order, up to the first that refuses: the rates after
// it are neither checked nor charged (an organization is not charged for a
// request its client's rate refused).
type Admission struct {
	Day     string // the UTC date of the budgets (see Day)
	Budgets []Budget
	Rates   []KeyRate
}

// Budget is a budget of model tokens for a key, per day or per month.
type Budget struct {
	Key string
	// TokensPerDay is the budget's quota for its period (the name of the
	// day's, which came first).
	TokensPerDay int64
	// Period is the budget's month ("2006-01", see Month), or empty for
	// Admission.Day.
	Period string
}

// period is the budget's period in an admission.
func (b Budget) period(a Admission) string {
	if b.Period != "" {
		return b.Period
	}
	return a.Day
}

// KeyRate is a request rate for a key.
type KeyRate struct {
	Key  string
	Rate Rate
}

// Admitted is what an Admitter found.
type Admitted struct {
	// Used are the tokens each budget's key used on the day, one per budget.
	Used []int64
	// Rates are the results of the rates checked, in order: none when a
	// budget is spent, and none after one that refused.
	Rates []Result
	// granted are the requests each rate checked gave (Redis.admit): 0 or
	// 1, or a lease's.
	granted []int64
}
