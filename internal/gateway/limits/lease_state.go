package limits

import (
	"context"
	"maps"
	"time"

	"github.com/redis/go-redis/v9"
)

// sweepEvery is how often, at most, the state of quiet keys is dropped.
const sweepEvery = time.Second

// states returns the state of each key, made when missing; now marks them
// used. Now and then it drops the keys nobody used for a period: their
// leases and budgets have run out.
func (l *Leases) states(keys []string, now time.Time, out []*keyState) []*keyState {
	l.mu.Lock()
	defer l.mu.Unlock()
	if !now.Before(l.nextSweep) {
		l.sweep(now)
		l.nextSweep = now.Add(max(l.period, sweepEvery))
	}
	for _, k := range keys {
		s := l.keys[k]
		if s == nil {
			s = &keyState{lock: make(chan struct{}, 1)}
			l.keys[k] = s
		}
		s.lastUsed = now // a sweep reads it under l.mu
		out = append(out, s)
	}
	return out
}

// sweep drops the state of the keys not used for a period. A request that
// still holds one goes on with it: at worst, it takes a lease that nobody
// spends.
func (l *Leases) sweep(now time.Time) {
	for k, s := range l.keys {
		if now.Sub(s.lastUsed) >= l.period {
			delete(l.keys, k)
		}
	}
}

// lockAll locks states, in order. A request that finds one locked (another
// request of the key waits for Redis) waits at most the Redis timeout, in
// all: the returned context ends then, for the call to Redis it may make
// itself; cancel, when not nil, releases it.
func (l *Leases) lockAll(ctx context.Context, states []*keyState) (context.Context, context.CancelFunc, error) {
	var cancel context.CancelFunc
	for i, s := range states {
		select {
		case s.lock <- struct{}{}:
			continue
		default:
		}
		if cancel == nil {
			ctx, cancel = context.WithTimeout(ctx, l.redis.timeout)
		}
		select {
		case s.lock <- struct{}{}:
		case <-ctx.Done():
			for _, held := range states[:i] {
				held.unlock()
			}
			return ctx, cancel, storeError(errLeaseWait)
		}
	}
	return ctx, cancel, nil
}

func (s *keyState) unlock() { <-s.lock }

// Add implements Store: the tokens count at once in the budgets this
// process holds, and go to Redis at the end of the period, with every
// other count of the period, in one round trip (see Flush). The error is
// that of the last flush, when it failed: the counts it could not send
// wait for the next.
func (l *Leases) Add(_ context.Context, day string, n int64, keys ...string) error {
	incs := make([]increment, len(keys))
	for i, k := range keys {
		incs[i] = increment{period: day, key: k, n: n}
	}
	return l.add(incs, nil)
}

// count implements counter as Add does, each increment by its own amount:
// counted hears of each count after it when Flush sends it to Redis.
func (l *Leases) count(_ context.Context, incs []increment, counted func(increment, int64)) error {
	return l.add(incs, counted)
}

func (l *Leases) add(incs []increment, counted func(increment, int64)) error {
	l.pendingMu.Lock()
	err := l.flushErr
	l.flushErr = nil
	l.pendingMu.Unlock()
	// The states of the keys, looked up at once (a sweep may drop one
	// meanwhile: the count still goes to Redis, and a new state reads it).
	var statesBuf [16]*keyState
	states := statesBuf[:0]
	l.mu.Lock()
	for _, inc := range incs {
		states = append(states, l.keys[inc.key])
	}
	l.mu.Unlock()
	schedule := false
	for i, inc := range incs {
		s := states[i]
		if s != nil {
			s.lock <- struct{}{} // waits for a refill at most a Redis timeout
		}
		ref := budgetRef{inc.period, inc.key}
		l.pendingMu.Lock()
		l.pending[ref] += inc.n
		if counted != nil && inc.policy != nil {
			l.counted[ref] = pendingBudget{inc.policy, counted}
		}
		schedule = schedule || !l.flushing
		l.flushing = true
		l.pendingMu.Unlock()
		if s != nil {
			if s.day == inc.period {
				s.used += inc.n
			}
			s.unlock()
		}
	}
	if schedule {
		time.AfterFunc(l.period, l.flushLater)
	}
	return err
}

// flushLater is a Flush at the end of a period; Add reports its error.
func (l *Leases) flushLater() {
	if err := l.Flush(context.Background()); err != nil {
		l.pendingMu.Lock()
		l.flushErr = err
		l.pendingMu.Unlock()
	}
}

// Flush sends to Redis the tokens counted and not sent yet, in one round
// trip. What it could not send stays for the next flush, at the end of
// the next period. A process calls it before it stops.
func (l *Leases) Flush(ctx context.Context) error {
	l.pendingMu.Lock()
	batch, budgets := l.pending, l.counted
	l.pending, l.counted, l.flushing = map[budgetRef]int64{}, map[budgetRef]pendingBudget{}, false
	l.pendingMu.Unlock()
	if len(batch) == 0 {
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, l.redis.timeout)
	defer cancel()
	refs := make([]budgetRef, 0, len(batch))
	for ref := range maps.Keys(batch) {
		refs = append(refs, ref)
	}
	cmds := make([]*redis.IntCmd, len(refs))
	_, err := l.redis.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		for i, ref := range refs {
			k := budgetKey(ref.day, ref.key)
			cmds[i] = p.IncrBy(ctx, k, batch[ref])
			p.Expire(ctx, k, periodTTL(ref.day))
		}
		return nil
	})
	now := l.now()
	for i, ref := range refs {
		if cmds[i].Err() != nil {
			continue
		}
		// INCRBY ordered this batch among every process's: the one that
		// crossed a threshold is this one, or another's, never both.
		if b, ok := budgets[ref]; ok {
			b.counted(increment{period: ref.day, key: ref.key, n: batch[ref], policy: b.policy}, cmds[i].Val())
			delete(budgets, ref)
		}
		delete(batch, ref)
		l.mu.Lock()
		s := l.keys[ref.key]
		l.mu.Unlock()
		if s == nil {
			continue
		}
		s.lock <- struct{}{}
		if s.day <= ref.day {
			l.pendingMu.Lock()
			s.day, s.used, s.budgetEnd = ref.day, cmds[i].Val()+l.pending[ref], now.Add(l.period)
			l.pendingMu.Unlock()
		}
		s.unlock()
	}
	if len(batch) == 0 {
		return nil
	}
	l.pendingMu.Lock()
	for ref, n := range batch {
		l.pending[ref] += n
		if b, ok := budgets[ref]; ok {
			l.counted[ref] = b
		}
	}
	schedule := !l.flushing
	l.flushing = true
	l.pendingMu.Unlock()
	if schedule {
		time.AfterFunc(l.period, l.flushLater)
	}
	return storeError(err)
}
