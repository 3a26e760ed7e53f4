package proxy_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// personToken is a token a person got through app: Auth0 puts the app in
// azp and the person in sub; no gty.
func (s *stack) personToken(app, sub, org string) string {
	claims := map[string]any{"azp": app, "sub": sub, "gty": nil}
	if org != "" {
		claims["org_id"] = org
	}
	return s.iss.Token(claims)
}

// Two people logged in through the same web app each have their own
// budget, and one person in two organizations has two; an M2M token has
// none of a person's.
func TestEachPersonHasTheirOwnBudget(t *testing.T) {
	s := start(t, openAI(60), options{limits: `{"perPerson": {"tokensPerDay": 100}}`})
	chat := s.gw.URL + "/v1/chat/completions"
	alice, bob := s.personToken("webapp", "auth0|alice", "org_acme"), s.personToken("webapp", "auth0|bob", "org_acme")
	aliceElsewhere := s.personToken("webapp", "auth0|alice", "org_other")
	status := func(tok string) int {
		resp, _ := call(t, "POST", chat, tok, strings.NewReader(`{}`))
		return resp.StatusCode
	}
	assert.Equal(t, []int{200, 200, 429}, []int{status(alice), status(alice), status(alice)}, "60 + 60 spends 100")
	assert.Equal(t, 200, status(bob), "bob, through the same app, has his own budget")
	assert.Equal(t, 200, status(aliceElsewhere), "alice in another organization has another")
	assert.Equal(t, 200, status(s.personToken("cli", "auth0|alice", "org_other")), "another app: the same person's budget, not spent yet")
	assert.Equal(t, 429, status(s.personToken("cli", "auth0|alice", "org_acme")), "switching apps does not escape the budget")
	m2m := s.iss.Token(map[string]any{"azp": "batch", "sub": "batch@clients", "gty": "client-credentials", "org_id": "org_acme"})
	assert.Equal(t, []int{200, 200, 200}, []int{status(m2m), status(m2m), status(m2m)}, "M2M tokens count per client, which has no limit here")
}

// OpenAI's x-ratelimit-* headers on every limited response, with the
// RateLimit fields; a spent budget says insufficient_quota and x-should-retry
// false (the SDKs fail at once), a rate rate_limit_exceeded and true.
func TestOpenAIRateLimitHeadersAndRefusals(t *testing.T) {
	s := start(t, openAI(60), options{limits: `{"perPerson": {"requests": 1, "per": "1h", "burst": 3, "tokensPerDay": 100}}`})
	chat := s.gw.URL + "/v1/chat/completions"
	tok := s.personToken("webapp", "auth0|alice", "")
	resp, _ := call(t, "POST", chat, tok, strings.NewReader(`{}`))
	require.Equal(t, 200, resp.StatusCode)
	h := resp.Header
	assert.Equal(t, "3", h.Get("x-ratelimit-limit-requests"))
	assert.Equal(t, "2", h.Get("x-ratelimit-remaining-requests"))
	assert.Regexp(t, `^(59m\d+s|1h0m0s)$`, h.Get("x-ratelimit-reset-requests"), "the burst is whole again in an hour")
	assert.Equal(t, "100", h.Get("x-ratelimit-limit-tokens"))
	assert.Equal(t, "100", h.Get("x-ratelimit-remaining-tokens"))
	assert.Regexp(t, `^\d+h\d+m\d+s$|^\d+m\d+s$|^\d+s$`, h.Get("x-ratelimit-reset-tokens"))
	assert.Equal(t, `"per-person-tokens";q=100;qu="model-tokens";w=86400, "per-person";q=1;w=3600`, h.Get("RateLimit-Policy"))
	assert.Empty(t, h.Get("x-should-retry"), "only refusals say whether to retry")

	resp, _ = call(t, "POST", chat, tok, strings.NewReader(`{}`))
	require.Equal(t, 200, resp.StatusCode)
	assert.Equal(t, "40", resp.Header.Get("x-ratelimit-remaining-tokens"))
	resp, body := call(t, "POST", chat, tok, strings.NewReader(`{}`))
	require.Equal(t, 429, resp.StatusCode)
	e := decodeOpenAIError(t, body)
	assert.Equal(t, "insufficient_quota", e.Code)
	assert.Equal(t, "insufficient_quota", e.Type)
	assert.Equal(t, "false", resp.Header.Get("x-should-retry"), "hours away: the SDKs must not wait")
	assert.Equal(t, "0", resp.Header.Get("x-ratelimit-remaining-tokens"))
	assert.Regexp(t, `^"per-person-tokens";r=0;t=\d+$`, resp.Header.Get("RateLimit"))

	rate := start(t, openAI(1), options{limits: `{"perPerson": {"requests": 1, "per": "1h", "burst": 1}}`})
	tok = rate.personToken("webapp", "auth0|bob", "")
	resp, _ = call(t, "GET", rate.gw.URL+"/v1/models", tok, nil)
	require.Equal(t, 200, resp.StatusCode)
	resp, body = call(t, "GET", rate.gw.URL+"/v1/models", tok, nil)
	require.Equal(t, 429, resp.StatusCode)
	e = decodeOpenAIError(t, body)
	assert.Equal(t, "rate_limit_exceeded", e.Code)
	assert.Equal(t, "rate_limit_error", e.Type)
	assert.Equal(t, "true", resp.Header.Get("x-should-retry"))
	assert.Equal(t, "0", resp.Header.Get("x-ratelimit-remaining-requests"))
	assert.Regexp(t, `^(59m\d+s|1h0m0s)$`, resp.Header.Get("x-ratelimit-reset-requests"))
	assert.NotEmpty(t, resp.Header.Get("Retry-After"))
}

// A person's budget reaching 80%, then 100%, is one log line and one count
// each, not one per request.
func TestBudgetCrossingsLoggedAndCountedOnce(t *testing.T) {
	s := start(t, openAI(40), options{limits: `{"perPerson": {"tokensPerDay": 100}}`, metrics: true})
	tok := s.personToken("webapp", "auth0|alice", "org_acme")
	var statuses []int
	for range 6 {
		resp, _ := call(t, "POST", s.gw.URL+"/v1/chat/completions", tok, strings.NewReader(`{}`))
		statuses = append(statuses, resp.StatusCode)
	}
	s.settle(t, 6)
	assert.Equal(t, []int{200, 200, 200, 429, 429, 429}, statuses, "40 + 40 + 40 spends 100")
	at80 := s.logs.entries("budget at 80%: per-person-tokens allows 100 model tokens per day (UTC)")
	at100 := s.logs.entries("budget at 100%: per-person-tokens allows 100 model tokens per day (UTC)")
	require.Len(t, at80, 1)
	require.Len(t, at100, 1)
	assert.Equal(t, "person:org_acme:auth0|alice", at100[0]["key"])
	assert.Equal(t, 120.0, at100[0]["used"])
	for _, pct := range []string{"80", "100"} {
		assert.Equal(t, 1.0, counterValue(t, s.metrics, "gateway_budget_crossings_total", map[string]string{"policy": "per-person-tokens", "percent": pct}))
	}
}
