package limits

// Crossing is a budget whose count reached 80% or 100% of its quota in its
// period: worth a metric and a log line, once, not one per request.
//
// A crossing is found where the count grows, by the one increment whose
// count before was below the threshold and after is not. Redis's INCRBY
// orders every gateway process's increments of a key, so exactly one of
// them crosses each threshold: each crossing is reported once per budget
// and period, overall. The in-memory store finds it likewise, once per
// process (its counts are the process's own). With leases, the increments
// reach Redis when a lease period ends, and their crossings are found then.
type Crossing struct {
	Policy  *Policy
	Key     string // whose budget: "person:ORG:SUB", "client:ID", "org:ID", "model:NAME" (with "usd:" and "month:" before)
	Period  string // the day or month
	Percent int    // 80 or 100
	Used    int64  // the count after the increment that crossed
}

// OnCrossing makes f hear of every crossing the enforcer's counts find
// (nil: none). f is called on the request's goroutine, or on the leases'
// flush: it must not block.
func (e *Enforcer) OnCrossing(f func(Crossing)) {
	if f == nil {
		e.crossed.Store(nil)
		return
	}
	e.crossed.Store(&f)
}

// counted hears that inc took its budget's count to after, and reports the
// thresholds that increment crossed.
func (e *Enforcer) counted(inc increment, after int64) {
	f := e.crossed.Load()
	if f == nil {
		return
	}
	for _, pct := range crossedPercents(inc.policy.TokensPerDay, after-inc.n, after) {
		(*f)(Crossing{Policy: inc.policy, Key: inc.key, Period: inc.period, Percent: pct, Used: after})
	}
}

// crossedPercents are the thresholds (80, 100) of quota that a count going
// from before to after crossed, lowest first: both, when one increment
// takes it from below 80% to 100% or more.
func crossedPercents(quota, before, after int64) []int {
	var out []int
	// 80% in integers: quota is at most 2^53, so quota*4 does not overflow.
	if before*5 < quota*4 && after*5 >= quota*4 {
		out = append(out, 80)
	}
	if before < quota && after >= quota {
		out = append(out, 100)
	}
	return out
}
