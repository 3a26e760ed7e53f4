package limits

import (
	"context"
	"fmt"
	"sync/atomic"
	"time"
)

// Enforcer applies Policies to callers, counting in a Store.
type Enforcer struct {
	policies *Policies
	store    Store
	now      func() time.Time
	day      atomic.Pointer[day]
	// crossed hears of each budget crossing 80% or 100% (crossings.go).
	crossed atomic.Pointer[func(Crossing)]
}

// NewEnforcer returns an Enforcer; now is the clock (nil: time.Now). When s
// is an Admitter, each admission is one call to it; otherwise one call to s
// for the budgets, then one per rate.
func NewEnforcer(p *Policies, s Store, now func() time.Time) *Enforcer {
	if now == nil {
		now = time.Now
	}
	return &Enforcer{policies: p, store: s, now: now}
}

// Policies are the enforcer's limits.
func (e *Enforcer) Policies() *Policies { return e.policies }

// Admit decides whether the caller may make one more request, and counts it
// against the request rates when it may. An error wraps ErrStore.
func (e *Enforcer) Admit(ctx context.Context, c Caller) (Verdict, error) {
	var v Verdict
	var pl plan
	if !e.plan(&pl, c) {
		return v, nil
	}
	now := e.now()
	v.Outcomes = make([]Outcome, 0, pl.nBudgets+pl.nRates)
	var err error
	if a, ok := e.store.(Admitter); ok {
		err = e.admitAtOnce(ctx, a, &pl, now, &v)
	} else {
		err = e.admitStepwise(ctx, &pl, now, &v)
	}
	return v, err
}

// plan fills pl with the policies that apply to c, and reports whether
// any does.
func (e *Enforcer) plan(pl *plan, c Caller) bool {
	client, org, person, model := e.policies.forClient(c.ClientID), e.policies.forOrg(c.OrgID), e.policies.forPerson(c.Person), e.policies.forModel(c.Model)
	if client == (policySet{}) && org == (policySet{}) && person == (policySet{}) && model == (policySet{}) {
		return false
	}
	// The person first: the narrowest count says most to the caller when
	// it refuses, and a person refused takes nothing from their client's or
	// organization's rate. The model last: its count is everyone's.
	k := c.keys([4]uint8{person.variants(), client.variants(), org.variants(), model.variants()})
	pl.add(person, &k.person)
	pl.add(client, &k.client)
	pl.add(org, &k.org)
	pl.add(model, &k.model)
	return true
}

// plan is the policies that apply to a request in the order checked (see
// Admission): budgets, then rates; the person's, the client's, the
// organization's, then the model's.
type plan struct {
	budgets          [16]step // tokens and money, a day's and a month's, for each of four keys
	rates            [4]step
	nBudgets, nRates int
}

// step is one policy for one key.
type step struct {
	p   *Policy
	key string
}

func (pl *plan) add(s policySet, key *keyVariants) {
	for _, b := range s.budgets() {
		if b != nil {
			pl.budgets[pl.nBudgets] = step{b, key[variant(b)]}
			pl.nBudgets++
		}
	}
	if s.requests != nil {
		pl.rates[pl.nRates] = step{s.requests, key[0]}
		pl.nRates++
	}
}

// admitStepwise asks the store for the budgets (a call per period), then
// for each rate in turn.
func (e *Enforcer) admitStepwise(ctx context.Context, pl *plan, now time.Time, v *Verdict) error {
	if pl.nBudgets > 0 {
		used := make([]int64, pl.nBudgets)
		// One slice for both periods' keys: it goes to the store through an
		// interface, so it is on the heap whatever its declaration.
		all := make([]string, 0, pl.nBudgets)
		for _, monthly := range [...]bool{false, true} {
			keys := all[len(all):len(all)] // within all's capacity: no allocation
			var at [len(plan{}.budgets)]int
			for i, s := range pl.budgets[:pl.nBudgets] {
				if s.p.Monthly == monthly {
					at[len(keys)], keys = i, append(keys, s.key)
				}
			}
			if len(keys) == 0 {
				continue
			}
			all = all[:len(all)+len(keys)]
			got, err := e.store.Used(ctx, e.period(monthly, now), keys...)
			if err != nil {
				return err
			}
			for j, i := range at[:len(keys)] {
				used[i] = got[j]
			}
		}
		if e.addBudgets(v, pl, used, now) {
			return nil
		}
	}
	for _, s := range pl.rates[:pl.nRates] {
		r, err := e.store.Allow(ctx, s.key, *s.p.Rate)
		if err != nil {
			return err
		}
		if addRate(v, s.p, r) {
			return nil
		}
	}
	return nil
}

// admitAtOnce asks an Admitter for the whole plan in one call.
func (e *Enforcer) admitAtOnce(ctx context.Context, a Admitter, pl *plan, now time.Time, v *Verdict) error {
	adm := Admission{Budgets: make([]Budget, pl.nBudgets), Rates: make([]KeyRate, pl.nRates)}
	if pl.nBudgets > 0 {
		adm.Day = e.today(now)
	}
	for i, s := range pl.budgets[:pl.nBudgets] {
		adm.Budgets[i] = Budget{Key: s.key, TokensPerDay: s.p.TokensPerDay}
		if s.p.Monthly {
			adm.Budgets[i].Period = e.period(true, now)
		}
	}
	for i, s := range pl.rates[:pl.nRates] {
		adm.Rates[i] = KeyRate{Key: s.key, Rate: *s.p.Rate}
	}
	got, err := a.Admit(ctx, adm)
	if err != nil {
		return err
	}
	if len(got.Used) != pl.nBudgets || len(got.Rates) > pl.nRates {
		return fmt.Errorf("%w: %d budgets and %d rates checked, want %d and at most %d",
			ErrStore, len(got.Used), len(got.Rates), pl.nBudgets, pl.nRates)
	}
	if pl.nBudgets > 0 {
		if e.addBudgets(v, pl, got.Used, now) {
			return nil
		}
	}
	for i, r := range got.Rates {
		if addRate(v, pl.rates[i].p, r) {
			return nil
		}
	}
	return nil
}

// addBudgets adds the outcome of each budget, which used as much, and
// reports whether one refuses the request.
func (e *Enforcer) addBudgets(v *Verdict, pl *plan, used []int64, now time.Time) (denied bool) {
	first := len(v.Outcomes)
	for i, s := range pl.budgets[:pl.nBudgets] {
		p := s.p
		reset := e.untilReset(p.Monthly, now)
		r := Result{Allowed: used[i] < p.TokensPerDay, Remaining: max(0, p.TokensPerDay-used[i]), ResetAfter: reset}
		if !r.Allowed {
			r.RetryAfter = reset
		}
		v.Outcomes = append(v.Outcomes, Outcome{p, r})
	}
	for i := first; i < len(v.Outcomes); i++ {
		if !v.Outcomes[i].Allowed {
			v.Denied = &v.Outcomes[i]
			return true
		}
	}
	return false
}

// addRate adds the outcome of a rate and reports whether it refuses the
// request.
func addRate(v *Verdict, p *Policy, r Result) (denied bool) {
	v.Outcomes = append(v.Outcomes, Outcome{p, r})
	if !r.Allowed {
		v.Denied = &v.Outcomes[len(v.Outcomes)-1]
	}
	return !r.Allowed
}
