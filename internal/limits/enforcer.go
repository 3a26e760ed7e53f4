package limits

import (
	"context"
	"sync/atomic"
	"time"
)

// Enforcer applies Policies to callers, counting in a Store.
type Enforcer struct {
	policies *Policies
	store    Store
	admitter Admitter // the store's own, or stepwise
	now      func() time.Time
	day      atomic.Pointer[day]
}

// NewEnforcer returns an Enforcer; now is the clock (nil: time.Now). When s
// is an Admitter, each admission is one call to it.
func NewEnforcer(p *Policies, s Store, now func() time.Time) *Enforcer {
	if now == nil {
		now = time.Now
	}
	a, ok := s.(Admitter)
	if !ok {
		a = stepwise{s}
	}
	return &Enforcer{policies: p, store: s, admitter: a, now: now}
}

// Policies are the enforcer's limits.
func (e *Enforcer) Policies() *Policies { return e.policies }

// Admit decides whether the caller may make one more request, and counts it
// against the request rates when it may. An error wraps ErrStore.
func (e *Enforcer) Admit(ctx context.Context, c Caller) (Verdict, error) {
	client, org := e.policies.forClient(c.ClientID), e.policies.forOrg(c.OrgID)
	var v Verdict
	if client == (policySet{}) && org == (policySet{}) {
		return v, nil
	}
	// The policies in the order of an Admission: budgets, then rates.
	var budgets, rates [2]*Policy
	var a Admission
	var budgetArr [2]Budget
	var rateArr [2]KeyRate
	a.Budgets, a.Rates = budgetArr[:0], rateArr[:0]
	clientKey, orgKey := c.clientKey(), c.orgKey()
	for _, s := range [...]struct {
		set policySet
		key string
	}{{client, clientKey}, {org, orgKey}} {
		if p := s.set.tokens; p != nil {
			budgets[len(a.Budgets)] = p
			a.Budgets = append(a.Budgets, Budget{Key: s.key, TokensPerDay: p.TokensPerDay})
		}
		if p := s.set.requests; p != nil {
			rates[len(a.Rates)] = p
			a.Rates = append(a.Rates, KeyRate{Key: s.key, Rate: *p.Rate})
		}
	}
	now := e.now()
	if len(a.Budgets) > 0 {
		a.Day = e.today(now)
	}
	got, err := e.admitter.Admit(ctx, a)
	if err != nil {
		return v, err
	}
	v.Outcomes = make([]Outcome, 0, len(got.Used)+len(got.Rates))
	reset := untilTomorrow(now)
	for i, used := range got.Used {
		b := a.Budgets[i]
		r := Result{Allowed: !b.spent(used), Remaining: max(0, b.TokensPerDay-used), ResetAfter: reset}
		if !r.Allowed {
			r.RetryAfter = reset
		}
		v.Outcomes = append(v.Outcomes, Outcome{budgets[i], r})
	}
	for i, r := range got.Rates {
		v.Outcomes = append(v.Outcomes, Outcome{rates[i], r})
	}
	for i := range v.Outcomes {
		if !v.Outcomes[i].Allowed {
			v.Denied = &v.Outcomes[i]
			break
		}
	}
	return v, nil
}

// Record counts the model tokens a response used against the caller's
// budgets. The request was admitted before, so a response can take a budget
// past its end by its own tokens: the next request is refused.
func (e *Enforcer) Record(ctx context.Context, c Caller, tokens int64) error {
	if tokens <= 0 {
		return nil
	}
	client, org := e.policies.forClient(c.ClientID), e.policies.forOrg(c.OrgID)
	keys := make([]string, 0, 2)
	if client.tokens != nil {
		keys = append(keys, c.clientKey())
	}
	if org.tokens != nil {
		keys = append(keys, c.orgKey())
	}
	if len(keys) == 0 {
		return nil
	}
	return e.store.Add(ctx, e.today(e.now()), tokens, keys...)
}

// today is Day(now), formatted once a day rather than twice a request.
func (e *Enforcer) today(now time.Time) string {
	n := now.Unix() / (24 * 60 * 60)
	if d := e.day.Load(); d != nil && d.n == n {
		return d.s
	}
	s := Day(now)
	e.day.Store(&day{n, s})
	return s
}

type day struct {
	n int64 // days since 1970-01-01 UTC
	s string
}
