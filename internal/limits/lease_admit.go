package limits

import (
	"context"
	"errors"
	"slices"
	"time"
)

// errLeaseWait is why a request that waited its whole Redis timeout for
// another request's refill of the same key gives up.
var errLeaseWait = errors.New("waited the timeout for another request's call to Redis")

// Admit implements Admitter: from the leases and budgets the process holds
// when they suffice, with no round trip; otherwise with one script call that
// takes what is missing, in the order of Admission (budgets first; a rate
// after one that refuses is not charged).
func (l *Leases) Admit(ctx context.Context, a Admission) (Admitted, error) {
	now := l.now()
	var sizesBuf [4]int64
	sizes := sizesBuf[:0]
	var keysBuf [4]string
	keys := keysBuf[:0]
	for _, r := range a.Rates {
		n := leaseSize(r.Rate, l.period)
		sizes = append(sizes, n)
		if n > 1 {
			keys = append(keys, r.Key)
		}
	}
	// A budget is kept for keys with a leased rate, and for keys with no
	// rate; with a rate that is not leased, each request goes to Redis for
	// the rate, and reads the budget on the way.
	for _, b := range a.Budgets {
		if !slices.ContainsFunc(a.Rates, func(r KeyRate) bool { return r.Key == b.Key }) {
			keys = append(keys, b.Key)
		}
	}
	if len(keys) == 0 {
		return l.redis.Admit(ctx, a)
	}
	slices.Sort(keys) // one order for every request: no deadlock
	keys = slices.Compact(keys)
	var statesBuf [4]*keyState
	states := l.states(keys, now, statesBuf[:0])
	ctx, cancel, err := l.lockAll(ctx, states)
	if cancel != nil {
		defer cancel()
	}
	if err != nil {
		return Admitted{}, err
	}
	defer func() {
		for _, s := range states {
			s.unlock()
		}
	}()
	state := func(key string) *keyState {
		if i, ok := slices.BinarySearch(keys, key); ok {
			return states[i]
		}
		return nil
	}

	got := Admitted{Used: make([]int64, len(a.Budgets))}
	fresh := true
	for i, b := range a.Budgets {
		s := state(b.Key)
		if s == nil || s.day != a.Day || !now.Before(s.budgetEnd) {
			fresh = false
			continue
		}
		got.Used[i] = s.used
	}
	if fresh && spent(a.Budgets, got.Used) {
		return got, nil
	}
	// The rates that leases or refusals held answer, up to the first that
	// needs Redis.
	j, deny := 0, false
	for ; j < len(a.Rates); j++ {
		s := state(a.Rates[j].Key)
		if s == nil || sizes[j] == 1 {
			break
		}
		if now.Before(s.deniedUntil) {
			deny = true
			break
		}
		if s.left == 0 || !now.Before(s.leaseEnd) {
			break
		}
	}
	var remote Admitted
	if !fresh || (j < len(a.Rates) && !deny) {
		ask := Admission{Day: a.Day}
		var costs []int64
		if !fresh {
			ask.Budgets = a.Budgets
		}
		if !deny {
			ask.Rates, costs = a.Rates[j:], sizes[j:]
		}
		if remote, err = l.redis.admit(ctx, ask, costs); err != nil {
			return Admitted{}, err
		}
		if !fresh {
			l.keepBudgets(a, remote.Used, now, state)
			copy(got.Used, remote.Used)
			if spent(a.Budgets, got.Used) {
				return got, nil
			}
		}
	}
	got.Rates = make([]Result, 0, len(a.Rates))
	for _, r := range a.Rates[:j] {
		got.Rates = append(got.Rates, state(r.Key).spend(now))
	}
	for i, res := range remote.Rates {
		if s := state(a.Rates[j+i].Key); s != nil && sizes[j+i] > 1 {
			res = s.keep(res, remote.granted[i], now, l.period)
		}
		got.Rates = append(got.Rates, res)
	}
	if deny {
		got.Rates = append(got.Rates, state(a.Rates[j].Key).refusal(now))
	}
	return got, nil
}

// spent reports whether a budget is spent.
func spent(budgets []Budget, used []int64) bool {
	for i, b := range budgets {
		if used[i] >= b.TokensPerDay {
			return true
		}
	}
	return false
}

// keepBudgets keeps the budgets read from Redis for a period, with this
// process's counts not sent yet.
func (l *Leases) keepBudgets(a Admission, used []int64, now time.Time, state func(string) *keyState) {
	l.pendingMu.Lock()
	defer l.pendingMu.Unlock()
	for i, b := range a.Budgets {
		used[i] += l.pending[budgetRef{a.Day, b.Key}]
		if s := state(b.Key); s != nil {
			s.day, s.used, s.budgetEnd = a.Day, used[i], now.Add(l.period)
		}
	}
}

// spend takes one request from the lease.
func (s *keyState) spend(now time.Time) Result {
	s.left--
	return Result{Allowed: true, Remaining: s.res.Remaining + s.left, ResetAfter: max(0, s.res.ResetAfter-now.Sub(s.leaseAt))}
}

// refusal is Redis's last refusal, as it stands now.
func (s *keyState) refusal(now time.Time) Result {
	return Result{RetryAfter: s.deniedUntil.Sub(now), ResetAfter: max(0, s.denied.ResetAfter-now.Sub(s.deniedAt))}
}

// keep holds what Redis granted, of which this request takes one: a lease
// of granted-1 requests, or a refusal; any lease held before is dropped.
func (s *keyState) keep(res Result, granted int64, now time.Time, period time.Duration) Result {
	if granted == 0 {
		s.left = 0
		s.deniedAt, s.deniedUntil, s.denied = now, now.Add(res.RetryAfter), res
		return res
	}
	s.left, s.leaseAt, s.leaseEnd, s.res = granted-1, now, now.Add(period), res
	res.Remaining += s.left
	return res
}
