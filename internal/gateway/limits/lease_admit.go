package limits

import (
	"context"
	"errors"
	"fmt"
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
	var keysBuf [4]string
	sizes, keys := l.plan(a, sizesBuf[:0], keysBuf[:0])
	if len(keys) == 0 {
		return l.redis.Admit(ctx, a)
	}
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
		if s == nil || s.day != b.period(a) || !now.Before(s.budgetEnd) {
			fresh = false
			continue
		}
		got.Used[i] = s.used
	}
	if fresh && spent(a.Budgets, got.Used) {
		return got, nil
	}
	// Each rate, in order, is answered by its lease, by the refusal the
	// process holds (the rates after it are not checked), or by Redis: one
	// call for all of those, with the budgets when they are not held.
	var fromBuf [4]source
	from := fromBuf[:0]
	var ask Admission
	var costs []int64
	for i, r := range a.Rates {
		s := state(r.Key)
		switch {
		case s == nil || sizes[i] == 1:
			from = append(from, fromRedis)
		case now.Before(s.deniedUntil):
			from = append(from, fromRefusal)
		case s.left > 0 && now.Before(s.leaseEnd):
			from = append(from, fromLease)
		default:
			from = append(from, fromRedis)
		}
		if from[i] == fromRefusal {
			break
		}
		if from[i] == fromRedis {
			ask.Rates = append(ask.Rates, r)
			costs = append(costs, sizes[i])
		}
	}
	var remote Admitted
	if !fresh || len(ask.Rates) > 0 {
		if !fresh {
			ask.Day, ask.Budgets = a.Day, a.Budgets
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
	got.Rates = make([]Result, 0, len(from))
	next := 0 // in remote.Rates
	for i, f := range from {
		s := state(a.Rates[i].Key)
		var res Result
		switch f {
		case fromLease:
			res = s.spend(now)
		case fromRefusal:
			res = s.refusal(now)
		case fromRedis:
			if next == len(remote.Rates) { // it stops at a refusal, which ends this loop first
				return Admitted{}, storeError(fmt.Errorf("admission script: %d rates answered, want %d", len(remote.Rates), len(ask.Rates)))
			}
			res = remote.Rates[next]
			if s != nil && sizes[i] > 1 {
				res = s.keep(res, remote.granted[next], now, l.period)
			}
			next++
		}
		got.Rates = append(got.Rates, res)
		if !res.Allowed {
			break
		}
	}
	return got, nil
}

// source is what answers a rate.
type source uint8

const (
	fromRedis   source = iota
	fromLease          // the requests leased
	fromRefusal        // a refusal from Redis, until its RetryAfter
)

// plan appends each rate's lease size to sizes and the keys the process
// keeps state for to keys, sorted (one order of locking for every request:
// no deadlock). A budget is kept for keys with a leased rate, and for keys
// with no rate; with a rate that is not leased, each request goes to Redis
// for the rate, and reads the budget on the way.
func (l *Leases) plan(a Admission, sizes []int64, keys []string) ([]int64, []string) {
	for _, r := range a.Rates {
		n := leaseSize(r.Rate, l.period)
		sizes = append(sizes, n)
		if n > 1 {
			keys = append(keys, r.Key)
		}
	}
	for _, b := range a.Budgets {
		if !slices.ContainsFunc(a.Rates, func(r KeyRate) bool { return r.Key == b.Key }) {
			keys = append(keys, b.Key)
		}
	}
	slices.Sort(keys)
	return sizes, slices.Compact(keys)
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
		used[i] += l.pending[budgetRef{b.period(a), b.Key}]
		if s := state(b.Key); s != nil {
			s.day, s.used, s.budgetEnd = b.period(a), used[i], now.Add(l.period)
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
