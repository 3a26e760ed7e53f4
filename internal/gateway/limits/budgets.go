package limits

import (
	"cmp"
	"context"
	"time"
)

// budgetKeyOf is the key a budget counts in: a month's apart from a day's,
// so that each kind of Store keeps them apart.
func budgetKeyOf(p *Policy, key string) string {
	if p.Monthly {
		return "month:" + key
	}
	return key
}

// Record counts the model tokens a response used against the caller's
// budgets. The request was admitted before, so a response can take a budget
// past its end by its own tokens: the next request is refused.
func (e *Enforcer) Record(ctx context.Context, c Caller, tokens int64) error {
	if tokens <= 0 {
		return nil
	}
	days := make([]string, 0, 3)
	var months []string
	for _, k := range [...]struct {
		s   policySet
		key func() string
	}{
		{e.policies.forPerson(c.Person), c.personKey},
		{e.policies.forClient(c.ClientID), c.clientKey},
		{e.policies.forOrg(c.OrgID), c.orgKey},
	} {
		if k.s.tokens != nil {
			days = append(days, k.key())
		}
		if k.s.monthTokens != nil {
			months = append(months, budgetKeyOf(k.s.monthTokens, k.key()))
		}
	}
	now := e.now()
	if r, ok := e.store.(*Redis); ok && len(months) > 0 {
		return r.addPeriods(ctx, tokens, periodKeys{e.today(now), days}, periodKeys{e.period(true, now), months})
	}
	var errs [2]error
	if len(days) > 0 {
		errs[0] = e.store.Add(ctx, e.today(now), tokens, days...)
	}
	if len(months) > 0 {
		errs[1] = e.store.Add(ctx, e.period(true, now), tokens, months...)
	}
	return cmp.Or(errs[0], errs[1])
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
	d := &day{n, Day(now), Month(now)}
	e.day.Store(d)
	return d
}

type day struct {
	n        int64 // days since 1970-01-01 UTC
	s, month string
}
