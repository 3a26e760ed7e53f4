package proxy_test

import (
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/model-api-auth0/model-api-auth0/internal/gateway/limits"
	"github.com/model-api-auth0/model-api-auth0/internal/gateway/proxy"
	"github.com/model-api-auth0/model-api-auth0/internal/gateway/proxy/proxytest"
	"github.com/model-api-auth0/model-api-auth0/internal/gateway/redisurl"
	"github.com/model-api-auth0/model-api-auth0/internal/testing/redistest"
	"github.com/model-api-auth0/model-api-auth0/internal/testing/testissuer"
)

// priced answers every call with 1000 input and 2000 output tokens.
func priced() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"choices":[],"usage":{"prompt_tokens":1000,"completion_tokens":2000,"total_tokens":3000}}`))
	})
}

// moneyGateway serves a routes file with two priced models and limits,
// counting in store.
func moneyGateway(t *testing.T, store limits.Store, limitsYAML string) (*testissuer.Issuer, string) {
	t.Helper()
	up := serve(t, priced())
	file := filepath.Join(t.TempDir(), "routes.yaml")
	require.NoError(t, os.WriteFile(file, []byte(`routes:
  - {pattern: POST /v1/chat/completions, allOf: [invoke:models]}
models:
  - {name: a, servers: [`+up+`], price: {input: 1, output: 2}}
  - {name: b, servers: [`+up+`], price: {input: 0.5, output: 0.5}}
limits:
`+limitsYAML), 0o600))
	rf, err := proxy.LoadRoutesFile(file)
	require.NoError(t, err)
	iss := testissuer.New(t)
	h, err := proxy.New(proxytest.Validator(t, iss), proxy.Config{
		Routes: rf.Routes, Models: rf.Models, Logger: proxytest.Quiet, Limits: limits.NewEnforcer(rf.Limits, store, nil),
	})
	require.NoError(t, err)
	return iss, serve(t, h)
}

// stores are the stores the money tests run on: memory, and a real Redis
// (which skips without redis-server unless REQUIRE_REDIS=1).
func stores(t *testing.T) map[string]func(t *testing.T) limits.Store {
	return map[string]func(t *testing.T) limits.Store{
		"memory": func(*testing.T) limits.Store { return limits.NewMemory(nil) },
		"redis": func(t *testing.T) limits.Store {
			rdb, err := redisurl.Client(redistest.Start(t).URL)
			require.NoError(t, err)
			t.Cleanup(func() { rdb.Close() })
			return limits.NewRedis(rdb, 0)
		},
	}
}

// A money budget counts each call's input and output tokens at its model's
// prices, and a spent one refuses as a spent token budget does: 429,
// insufficient_quota, no retry. What is left shows at /v1/usage/me/budgets.
func TestMoneyBudgetRefusesWhenSpent(t *testing.T) {
	for name, store := range stores(t) {
		t.Run(name, func(t *testing.T) {
			iss, gw := moneyGateway(t, store(t), "  perPerson: {usdPerDay: 0.012, tokensPerMonth: 1000000}\n")
			alice := iss.Token(map[string]any{"gty": nil, "azp": "web", "sub": "auth0|alice", "org_id": "org_acme", "scope": "invoke:models", "permissions": []string{"model:a", "model:b"}})
			bob := iss.Token(map[string]any{"gty": nil, "azp": "web", "sub": "auth0|bob", "org_id": "org_acme", "scope": "invoke:models", "permissions": []string{"model:a"}})
			chat := func(tok, model string) (*http.Response, string) {
				return call(t, "POST", gw+"/v1/chat/completions", tok, strings.NewReader(`{"model":"`+model+`"}`))
			}
			// a: 1000 x 1 + 2000 x 2 = 5000 micro-dollars a call; b: 1500.
			for i, model := range []string{"a", "a", "b"} { // 11500 of 12000
				resp, body := chat(alice, model)
				require.Equal(t, 200, resp.StatusCode, "call %d: %s", i, body)
			}
			resp, body := chat(alice, "b") // 1500 more is over, but admitted: 11500 < 12000
			require.Equal(t, 200, resp.StatusCode, body)
			resp, body = chat(alice, "b")
			require.Equal(t, 429, resp.StatusCode, resp.Header.Get("RateLimit"))
			e := decodeOpenAIError(t, body)
			assert.Equal(t, "insufficient_quota", e.Code)
			assert.Contains(t, e.Message, "money budget spent: per-person-usd allows 0.012 USD per day (UTC)")
			assert.Equal(t, "false", resp.Header.Get("x-should-retry"))
			assert.Contains(t, resp.Header.Get("RateLimit"), `"per-person-usd";r=0;`)
			assert.Equal(t, "988000", resp.Header.Get("x-ratelimit-remaining-tokens"), "the tokens' header tells tokens, not money")
			resp, body = chat(bob, "a")
			assert.Equal(t, 200, resp.StatusCode, "another person's budget: %s", body)

			resp, body = call(t, "GET", gw+"/v1/usage/me/budgets", alice, nil)
			require.Equal(t, 200, resp.StatusCode, body)
			var got proxy.BudgetsAnswer
			require.NoError(t, json.Unmarshal([]byte(body), &got))
			require.Len(t, got.Budgets, 2)
			tokens, money := got.Budgets[0], got.Budgets[1]
			assert.Equal(t, proxy.BudgetLeft{Policy: "per-person-tokens-month", Scope: "person", Unit: "tokens", Period: "month",
				Limit: 1_000_000, Used: 12_000, Remaining: 988_000, ResetsAt: tokens.ResetsAt}, tokens)
			assert.Equal(t, proxy.BudgetLeft{Policy: "per-person-usd", Scope: "person", Unit: "usd", Period: "day",
				Limit: 0.012, Used: 0.013, Remaining: 0, ResetsAt: money.ResetsAt}, money)
			assert.Zero(t, money.ResetsAt.Hour()+money.ResetsAt.Minute(), "midnight UTC")
			assert.Equal(t, 1, tokens.ResetsAt.Day(), "the 1st")
		})
	}
}

// A per-model limit counts every call to the model, whoever makes it; an
// override replaces the default for its model.
func TestPerModelLimitsCountEveryCaller(t *testing.T) {
	for name, store := range stores(t) {
		t.Run(name, func(t *testing.T) {
			iss, gw := moneyGateway(t, store(t), "  perModel: {requests: 3, per: 1h}\n  models:\n    b: {requests: 1, per: 1h, usdPerMonth: 100}\n")
			tok := func(sub string) string {
				return iss.Token(map[string]any{"gty": nil, "azp": "web", "sub": sub, "scope": "invoke:models", "permissions": []string{"model:a", "model:b"}})
			}
			chat := func(sub, model string) int {
				resp, _ := call(t, "POST", gw+"/v1/chat/completions", tok(sub), strings.NewReader(`{"model":"`+model+`"}`))
				return resp.StatusCode
			}
			assert.Equal(t, 200, chat("auth0|alice", "b"))
			assert.Equal(t, 429, chat("auth0|bob", "b"), "b's one request an hour is taken, by anyone")
			assert.Equal(t, []int{200, 200, 200, 429}, []int{chat("auth0|alice", "a"), chat("auth0|bob", "a"), chat("auth0|carol", "a"), chat("auth0|dave", "a")},
				"a has the default: 3 an hour")

			// The model's budget is everyone's: a caller whose token grants
			// the model sees what is left of it; one whose token does not,
			// nothing of it.
			budgets := func(tok string) []proxy.BudgetLeft {
				resp, body := call(t, "GET", gw+"/v1/usage/me/budgets", tok, nil)
				require.Equal(t, 200, resp.StatusCode, body)
				var got proxy.BudgetsAnswer
				require.NoError(t, json.Unmarshal([]byte(body), &got))
				return got.Budgets
			}
			left := budgets(tok("auth0|erin"))
			require.Len(t, left, 1, "%+v", left)
			assert.Equal(t, proxy.BudgetLeft{Policy: "per-model-usd-month", Scope: "model", Model: "b", Unit: "usd", Period: "month",
				Limit: 100, Used: 0.0015, Remaining: 99.9985, ResetsAt: left[0].ResetsAt}, left[0], "alice's one call to b: 1000 x 0.5 + 2000 x 0.5 micro-dollars")
			onlyA := iss.Token(map[string]any{"gty": nil, "azp": "web", "sub": "auth0|frank", "scope": "invoke:models", "permissions": []string{"model:a"}})
			assert.Empty(t, budgets(onlyA), "b's budget is not shown to a token without model:b")
		})
	}
}
