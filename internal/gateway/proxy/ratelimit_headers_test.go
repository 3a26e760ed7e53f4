package proxy

import (
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/model-api-auth0/model-api-auth0/internal/gateway/limits"
)

// appendOpenAIDuration says every duration as openAIDuration does (whole
// seconds rounded up, in time.Duration's String form).
func TestAppendOpenAIDuration(t *testing.T) {
	for _, d := range []time.Duration{
		0, 1, time.Millisecond, time.Second - 1, time.Second, time.Second + 1, 59 * time.Second,
		time.Minute, time.Minute + time.Second, time.Hour - 1, time.Hour, time.Hour + time.Second,
		25*time.Hour + 3*time.Minute + 7*time.Second, 31 * 24 * time.Hour, -time.Second, -1,
		1<<63 - 1, -1 << 63,
	} {
		got := string(appendOpenAIDuration([]byte("x"), d))
		if want := "x" + openAIDuration(d); got != want {
			t.Errorf("appendOpenAIDuration(%d) = %q, want %q", d, got, want)
		}
	}
	for s := range int64(2 * 3600) {
		d := time.Duration(s)*time.Second + time.Duration(s%3)*time.Millisecond
		if got, want := string(appendOpenAIDuration(nil, d)), openAIDuration(d); got != want {
			t.Fatalf("appendOpenAIDuration(%v) = %q, want %q", d, got, want)
		}
	}
}

func TestSetOpenAIRateLimitFields(t *testing.T) {
	rate := limits.Outcome{Policy: &limits.Policy{Rate: &limits.Rate{Requests: 3, Per: time.Hour, Burst: 3}},
		Result: limits.Result{Allowed: true, Remaining: 2, ResetAfter: 20*time.Minute + 1}}
	tight := limits.Outcome{Policy: &limits.Policy{Rate: &limits.Rate{Requests: 10, Per: time.Second, Burst: 10}},
		Result: limits.Result{Remaining: 0, RetryAfter: 1500 * time.Millisecond}}
	budget := limits.Outcome{Policy: &limits.Policy{TokensPerDay: 1000},
		Result: limits.Result{Allowed: true, Remaining: 400, ResetAfter: 5*time.Hour + 2*time.Second}}
	money := limits.Outcome{Policy: &limits.Policy{TokensPerDay: 5, Money: true}, Result: limits.Result{Allowed: true, Remaining: 1}}
	rateFields := map[string]string{"X-Ratelimit-Limit-Requests": "3", "X-Ratelimit-Remaining-Requests": "2", "X-Ratelimit-Reset-Requests": "20m1s"}
	budgetFields := map[string]string{"X-Ratelimit-Limit-Tokens": "1000", "X-Ratelimit-Remaining-Tokens": "400", "X-Ratelimit-Reset-Tokens": "5h0m2s"}
	both := map[string]string{}
	for k, v := range rateFields {
		both[k] = v
	}
	for k, v := range budgetFields {
		both[k] = v
	}
	for _, c := range []struct {
		name     string
		outcomes []limits.Outcome
		want     map[string]string
	}{
		{"none", nil, map[string]string{}},
		{"a rate", []limits.Outcome{rate}, rateFields},
		{"a budget", []limits.Outcome{budget, money}, budgetFields},
		{"both", []limits.Outcome{money, budget, rate}, both},
		{"the rate with least left", []limits.Outcome{rate, tight}, map[string]string{
			"X-Ratelimit-Limit-Requests": "10", "X-Ratelimit-Remaining-Requests": "0", "X-Ratelimit-Reset-Requests": "2s"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			h := http.Header{}
			setOpenAIRateLimitFields(h, c.outcomes)
			got := map[string]string{}
			for k, v := range h {
				if len(v) != 1 {
					t.Fatalf("%s: %q", k, v)
				}
				got[k] = v[0]
			}
			assert.Equal(t, c.want, got)
			// Each field's value is its own: adding to one leaves the others.
			for k := range h {
				h.Add(k, "more")
			}
			for k, v := range h {
				assert.Equal(t, []string{c.want[k], "more"}, v, k)
			}
		})
	}
}

func BenchmarkSetOpenAIRateLimitFields(b *testing.B) {
	outcomes := []limits.Outcome{
		{Policy: &limits.Policy{Rate: &limits.Rate{Requests: 3, Per: time.Hour, Burst: 3}}, Result: limits.Result{Allowed: true, Remaining: 2, ResetAfter: time.Minute}},
		{Policy: &limits.Policy{TokensPerDay: 1000000}, Result: limits.Result{Allowed: true, Remaining: 999000, ResetAfter: 5 * time.Hour}},
	}
	b.ReportAllocs()
	for b.Loop() {
		setOpenAIRateLimitFields(http.Header{}, outcomes)
	}
}

// The RateLimit fields of the deployed shape of bench/gateway.sh: twelve
// policies (a rate and three budgets for each of person, client and
// organization), set on every response: one string and one slice.
func BenchmarkSetRateLimitFields(b *testing.B) {
	var outcomes []limits.Outcome
	for _, level := range []string{"person", "client", "org"} {
		outcomes = append(outcomes,
			limits.Outcome{Policy: &limits.Policy{Name: level + "-requests", Item: `"` + level + `-requests";q=10000000;w=1`, Rate: &limits.Rate{Requests: 10000000, Per: time.Second, Burst: 10000000}}, Result: limits.Result{Allowed: true, Remaining: 9999999, ResetAfter: time.Second}})
		for _, kind := range []string{"tokens-day", "tokens-month", "usd-day"} {
			outcomes = append(outcomes, limits.Outcome{Policy: &limits.Policy{Name: level + "-" + kind, Item: `"` + level + "-" + kind + `";q=1000000000000;w=86400`, TokensPerDay: 1000000000000}, Result: limits.Result{Allowed: true, Remaining: 999999999000, ResetAfter: 5 * time.Hour}})
		}
	}
	h := http.Header{}
	b.ReportAllocs()
	for b.Loop() {
		setRateLimitFields(h, outcomes)
	}
}
