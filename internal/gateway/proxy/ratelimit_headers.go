package proxy

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/model-api-auth0/model-api-auth0/guard"
	"github.com/model-api-auth0/model-api-auth0/internal/gateway/limits"
)

// callerOf is whom a request counts against. A person's token carries the
// app they logged in with as azp, which every person of that app shares:
// the person is its sub, counted within the token's organization. An M2M
// token (Auth0's gty client-credentials, or sub CLIENT_ID@clients) is no
// person: its client counts it. Every value comes from the verified token,
// never from a header, so no caller can name someone else's count.
func callerOf(id *guard.Identity) limits.Caller {
	if id == nil {
		return limits.Caller{}
	}
	c := limits.Caller{ClientID: id.ClientID, OrgID: id.OrgID}
	if c.ClientID == "" {
		c.ClientID = id.Subject
	}
	m2m := id.GrantType == "client-credentials" || strings.HasSuffix(id.Subject, "@clients")
	if !m2m {
		c.Person = id.Subject
	}
	return c
}

// OpenAI's rate-limit headers, which its SDKs expose (.withResponse()) and
// dashboards built on them read, in http.Header's canonical form.
var (
	limitRequestsField     = http.CanonicalHeaderKey("x-ratelimit-limit-requests")
	remainingRequestsField = http.CanonicalHeaderKey("x-ratelimit-remaining-requests")
	resetRequestsField     = http.CanonicalHeaderKey("x-ratelimit-reset-requests")
	limitTokensField       = http.CanonicalHeaderKey("x-ratelimit-limit-tokens")
	remainingTokensField   = http.CanonicalHeaderKey("x-ratelimit-remaining-tokens")
	resetTokensField       = http.CanonicalHeaderKey("x-ratelimit-reset-tokens")
	shouldRetryField       = http.CanonicalHeaderKey("x-should-retry")
)

// setOpenAIRateLimitFields writes OpenAI's x-ratelimit-* headers. They name
// one limit each for requests and for tokens, where the gateway may apply
// several: each says the one with the least left, the one a caller runs
// into first. The RateLimit field still lists them all.
func setOpenAIRateLimitFields(h http.Header, outcomes []limits.Outcome) {
	var rate, budget *limits.Outcome
	for i := range outcomes {
		o := &outcomes[i]
		switch {
		case o.Policy.Rate != nil && (rate == nil || o.Remaining < rate.Remaining):
			rate = o
		case o.Policy.Rate == nil && !o.Policy.Money && (budget == nil || o.Remaining < budget.Remaining):
			budget = o
		}
	}
	// Built on the stack and copied once, as setRateLimitFields does: one
	// string and one slice of values for the six fields, not twelve.
	var room [128]byte
	buf := room[:0]
	var end [6]int
	n := 0
	if rate != nil {
		buf = strconv.AppendInt(buf, int64(rate.Policy.Rate.Burst), 10)
		end[0] = len(buf)
		buf = strconv.AppendInt(buf, rate.Remaining, 10)
		end[1] = len(buf)
		buf = appendOpenAIDuration(buf, untilWhole(rate))
		end[2] = len(buf)
		n = 3
	}
	if budget != nil {
		buf = strconv.AppendInt(buf, budget.Policy.TokensPerDay, 10)
		end[n] = len(buf)
		buf = strconv.AppendInt(buf, budget.Remaining, 10)
		end[n+1] = len(buf)
		buf = appendOpenAIDuration(buf, untilWhole(budget))
		end[n+2] = len(buf)
		n += 3
	}
	if n == 0 {
		return
	}
	all := string(buf)
	values := make([]string, n)
	for i := range n {
		start := 0
		if i > 0 {
			start = end[i-1]
		}
		values[i] = all[start:end[i]]
	}
	fields := values
	if rate != nil {
		h[limitRequestsField] = fields[0:1:1]
		h[remainingRequestsField] = fields[1:2:2]
		h[resetRequestsField] = fields[2:3:3]
		fields = fields[3:]
	}
	if budget != nil {
		h[limitTokensField] = fields[0:1:1]
		h[remainingTokensField] = fields[1:2:2]
		h[resetTokensField] = fields[2:3:3]
	}
}

// untilWhole is the RateLimit field's t: when a refused request may come
// back, or when an admitted one's quota is whole again.
func untilWhole(o *limits.Outcome) time.Duration {
	if !o.Allowed {
		return o.RetryAfter
	}
	return o.ResetAfter
}

// openAIDuration says d as OpenAI does ("1s", "6m0s"), in whole seconds
// rounded up.
func openAIDuration(d time.Duration) string {
	return ((d + time.Second - 1) / time.Second * time.Second).String()
}

// appendOpenAIDuration appends openAIDuration(d) without a string of its
// own: whole seconds say themselves as time.Duration's String does ("0s",
// "59s", "6m0s", "1h0m0s"); TestAppendOpenAIDuration holds the two to one
// answer.
func appendOpenAIDuration(b []byte, d time.Duration) []byte {
	if d < 0 || d > 1<<62 {
		return append(b, openAIDuration(d)...) // no such reset; as before
	}
	s := int64((d + time.Second - 1) / time.Second)
	h, m := s/3600, s/60%60
	if h > 0 {
		b = strconv.AppendInt(b, h, 10)
		b = append(b, 'h')
	}
	if h > 0 || m > 0 {
		b = strconv.AppendInt(b, m, 10)
		b = append(b, 'm')
	}
	b = strconv.AppendInt(b, s%60, 10)
	return append(b, 's')
}

// refuseLimited answers 429 for the limit that refused a request. OpenAI's
// SDKs retry a 429 after Retry-After, silently, unless x-should-retry is
// false: a spent budget renews in hours, so its caller must fail at once
// (insufficient_quota, as OpenAI says of a spent quota); a rate frees a
// request in seconds, which a retry waits out (rate_limit_exceeded).
func refuseLimited(w http.ResponseWriter, r *http.Request, info *requestInfo, budget bool, msg string) {
	if !budget {
		w.Header()[shouldRetryField] = []string{"true"}
		guard.WriteJSONError(w, http.StatusTooManyRequests, msg)
		return
	}
	w.Header()[shouldRetryField] = []string{"false"}
	guard.CloseUnreadBody(w, r)
	if info.openAIErrors {
		writeOpenAIError(w, http.StatusTooManyRequests, "insufficient_quota", "insufficient_quota", msg)
		return
	}
	guard.WriteJSONError(w, http.StatusTooManyRequests, msg)
}
