package limits

import (
	"context"
	"fmt"
	"time"
)

// Left is what is left of one budget that applies to a caller.
type Left struct {
	Policy *Policy
	// Used and Remaining are in the budget's unit: model tokens, or
	// micro-dollars (Policy.Money).
	Used, Remaining int64
	// ResetAt is when the budget's period ends: the next midnight UTC, or
	// the first of the next month.
	ResetAt time.Time
}

// Budgets reads what is left of each budget that applies to c (the
// person's, the client's, the organization's, the model's, in that order),
// without counting a request: one round trip to Redis (the admission
// script, with no rate), or to the leases' cache when it holds them.
func (e *Enforcer) Budgets(ctx context.Context, c Caller) ([]Left, error) {
	var pl plan
	if !e.plan(&pl, c) || pl.nBudgets == 0 {
		return nil, nil
	}
	return e.left(ctx, &pl)
}

// ModelBudgets reads what is left of the budgets of the model named:
// everyone's count of it, as Budgets reads a caller's. None when the model
// has no budget (no call to the store).
func (e *Enforcer) ModelBudgets(ctx context.Context, model string) ([]Left, error) {
	var pl plan
	set := e.policies.forModel(model)
	k := Caller{Model: model}.keys([4]uint8{3: set.variants()})
	pl.add(set, &k.model)
	if pl.nBudgets == 0 {
		return nil, nil
	}
	return e.left(ctx, &pl)
}

// left reads the budgets of pl.
func (e *Enforcer) left(ctx context.Context, pl *plan) ([]Left, error) {
	now := e.now()
	used := make([]int64, pl.nBudgets)
	if a, ok := e.store.(Admitter); ok {
		adm := Admission{Day: e.today(now), Budgets: make([]Budget, pl.nBudgets)}
		for i, s := range pl.budgets[:pl.nBudgets] {
			adm.Budgets[i] = Budget{Key: s.key, TokensPerDay: s.p.TokensPerDay}
			if s.p.Monthly {
				adm.Budgets[i].Period = e.period(true, now)
			}
		}
		got, err := a.Admit(ctx, adm)
		if err != nil {
			return nil, err
		}
		if len(got.Used) != pl.nBudgets {
			return nil, fmt.Errorf("%w: %d budgets read, want %d", ErrStore, len(got.Used), pl.nBudgets)
		}
		copy(used, got.Used)
	} else {
		for i, s := range pl.budgets[:pl.nBudgets] {
			got, err := e.store.Used(ctx, e.period(s.p.Monthly, now), s.key)
			if err != nil {
				return nil, err
			}
			used[i] = got[0]
		}
	}
	out := make([]Left, pl.nBudgets)
	for i, s := range pl.budgets[:pl.nBudgets] {
		reset := e.untilReset(s.p.Monthly, now)
		out[i] = Left{Policy: s.p, Used: used[i], Remaining: max(0, s.p.TokensPerDay-used[i]), ResetAt: now.Add(reset).UTC()}
	}
	return out, nil
}
