package limits

import (
	"context"
	_ "embed"
	"fmt"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"
)

// admitSource reads the budgets and runs redis_rate's GCRA for each rate,
// in one script call.
//
//go:embed admit.lua
var admitSource string

// admitScript is sent once per Redis (EVAL when EVALSHA finds it missing),
// then called by its digest.
var admitScript = redis.NewScript(admitSource)

// rateKeyPrefix is what github.com/go-redis/redis_rate puts before a key:
// the script keeps its keys, so that counts carry on across an upgrade.
const rateKeyPrefix = "rate:"

func rateKey(key string) string { return rateKeyPrefix + RedisPrefix + key }

// Admit implements Admitter with one script call: one round trip, and one
// atomic step, so that concurrent requests see each other's counts.
//
// The script names every key it touches, as a script must, but they belong
// to different callers: on a Redis Cluster they would need one hash tag
// ("{...}") to live on one node. Only single-node clients exist
// (internal/gateway/redisurl).
func (s *Redis) Admit(ctx context.Context, a Admission) (Admitted, error) {
	return s.admit(ctx, a, nil)
}

// admit is Admit taking costs[i] requests from rate i (nil: one each): a
// lease, all of it or, when the rate cannot give that much, one request.
// Admitted.granted says how many each rate gave.
func (s *Redis) admit(ctx context.Context, a Admission, costs []int64) (Admitted, error) {
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	keys := make([]string, 0, len(a.Budgets)+len(a.Rates))
	args := make([]any, 0, 1+len(a.Budgets)+4*len(a.Rates))
	args = append(args, len(a.Budgets))
	for _, b := range a.Budgets {
		keys = append(keys, budgetKey(b.period(a), b.Key))
		args = append(args, b.TokensPerDay)
	}
	for i, r := range a.Rates {
		cost := int64(1)
		if costs != nil {
			cost = costs[i]
		}
		// As redis_rate's AllowN passes them, so that the script computes
		// with the same numbers.
		keys = append(keys, rateKey(r.Key))
		args = append(args, r.Rate.Burst, r.Rate.Requests, r.Rate.Per.Seconds(), cost)
	}
	reply, err := admitScript.Run(ctx, s.rdb, keys, args...).Slice()
	if err != nil {
		return Admitted{}, storeError(err)
	}
	got, err := parseAdmitted(reply, len(a.Budgets), len(a.Rates))
	if err != nil {
		return Admitted{}, storeError(err)
	}
	return got, nil
}

// parseAdmitted reads the script's reply: the tokens each budget used, then
// four values per rate checked.
func parseAdmitted(reply []any, budgets, rates int) (Admitted, error) {
	checked := (len(reply) - budgets) / 4
	if len(reply) < budgets || (len(reply)-budgets)%4 != 0 || checked > rates {
		return Admitted{}, fmt.Errorf("admission script: %d values in the reply, want %d then 4 per rate", len(reply), budgets)
	}
	var got Admitted
	got.Used = make([]int64, budgets)
	for i := range budgets {
		s, _ := reply[i].(string)
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return Admitted{}, fmt.Errorf("admission script: tokens used %q: not a whole number", s)
		}
		got.Used[i] = n
	}
	got.Rates = make([]Result, checked)
	got.granted = make([]int64, checked)
	for i := range checked {
		v := reply[budgets+4*i:]
		allowed, ok1 := v[0].(int64)
		remaining, ok2 := v[1].(int64)
		retry, err1 := parseSeconds(v[2])
		reset, err2 := parseSeconds(v[3])
		if !ok1 || !ok2 || err1 != nil || err2 != nil {
			return Admitted{}, fmt.Errorf("admission script: rate %d: unexpected reply %v", i+1, v[:4])
		}
		got.Rates[i] = rateResult(allowed > 0, remaining, retry, reset)
		got.granted[i] = allowed
	}
	return got, nil
}

// parseSeconds reads a duration as redis_rate's script says it, in seconds
// (-1: none), and converts it as redis_rate does.
func parseSeconds(v any) (time.Duration, error) {
	s, ok := v.(string)
	if !ok {
		return 0, fmt.Errorf("%v is not a string", v)
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return 0, err
	}
	if f == -1 {
		return -1, nil
	}
	return time.Duration(f * float64(time.Second)), nil
}

// rateResult is a Result from what redis_rate reports.
func rateResult(allowed bool, remaining int64, retryAfter, resetAfter time.Duration) Result {
	r := Result{Allowed: allowed, Remaining: remaining, ResetAfter: max(0, resetAfter)}
	if !allowed {
		r.RetryAfter = max(0, retryAfter)
	}
	return r
}
