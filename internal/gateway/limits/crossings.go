package limits

import (
	"sync"
	"time"
)

// Crossing is a budget whose use reached 80% or 100% of its quota in its
// period: worth a metric and a log line, once, not one per request.
type Crossing struct {
	Policy  *Policy
	Key     string // whose budget: "person:ORG:SUB", "client:ID", "org:ID" (with "month:" before)
	Period  string // the day or month
	Percent int    // 80 or 100
	Used    int64
}

// crossings remembers the crossings reported, so that each is reported
// once per process and period. Another gateway process reports its own: a
// crossing is at most once per process and period.
type crossings struct {
	mu     sync.Mutex
	seen   map[crossingKey]struct{}
	period string // the day the entries were last pruned on
}

type crossingKey struct {
	key, period string
	percent     int
}

// note appends to out the crossings not reported yet of a budget that used
// so much of its quota.
func (c *crossings) note(out []Crossing, p *Policy, key, period, today string, used int64) []Crossing {
	percent := 0
	switch {
	case used >= p.TokensPerDay:
		percent = 100
	case used*5 >= p.TokensPerDay*4: // 80%, in integers
		percent = 80
	default:
		return out
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.period != today {
		// A new day: entries of past periods go (a month's stay the month).
		for k := range c.seen {
			if k.period != today && k.period != today[:len(monthLayout)] {
				delete(c.seen, k)
			}
		}
		c.period = today
	}
	if c.seen == nil {
		c.seen = map[crossingKey]struct{}{}
	}
	// 100% reached straight from below 80% reports both, lowest first.
	for _, pct := range [...]int{80, 100} {
		k := crossingKey{key, period, pct}
		if _, ok := c.seen[k]; pct > percent || ok {
			continue
		}
		c.seen[k] = struct{}{}
		out = append(out, Crossing{Policy: p, Key: key, Period: period, Percent: pct, Used: used})
	}
	return out
}

// noteCrossings adds to v the crossings of the budgets checked, which used
// as much.
func (e *Enforcer) noteCrossings(v *Verdict, pl *plan, used []int64, now time.Time) {
	today := e.today(now)
	for i, s := range pl.budgets[:pl.nBudgets] {
		v.Crossed = e.crossings.note(v.Crossed, s.p, s.key, e.period(s.p.Monthly, now), today, used[i])
	}
}
