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
	if rate != nil {
		h[limitRequestsField] = []string{strconv.Itoa(rate.Policy.Rate.Burst)}
		h[remainingRequestsField] = []string{strconv.FormatInt(rate.Remaining, 10)}
		h[resetRequestsField] = []string{openAIDuration(untilWhole(rate))}
	}
	if budget != nil {
		h[limitTokensField] = []string{strconv.FormatInt(budget.Policy.TokensPerDay, 10)}
		h[remainingTokensField] = []string{strconv.FormatInt(budget.Remaining, 10)}
		h[resetTokensField] = []string{openAIDuration(untilWhole(budget))}
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
