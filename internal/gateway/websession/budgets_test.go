package websession_test

import (
	"context"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/model-api-auth0/model-api-auth0/internal/gateway/limits"
	"github.com/model-api-auth0/model-api-auth0/internal/gateway/proxy"
	"github.com/model-api-auth0/model-api-auth0/internal/gateway/redisurl"
	"github.com/model-api-auth0/model-api-auth0/internal/testing/redistest"
)

// budgetEnforcer counts a person's day in tokens and month in money, their
// organization's month in tokens, and everyone's day of echo-small in
// tokens, in store.
func budgetEnforcer(t *testing.T, store limits.Store) *limits.Enforcer {
	t.Helper()
	var tree any
	require.NoError(t, json.Unmarshal([]byte(`{"perPerson": {"tokensPerDay": 1000, "usdPerMonth": 2.5}, "perOrg": {"tokensPerMonth": 100000},
		"models": {"echo-small": {"tokensPerDay": 50000}}}`), &tree))
	p, err := limits.LoadEnv("limits", tree, limits.Env{Models: map[string]bool{"echo-small": true}})
	require.NoError(t, err)
	return limits.NewEnforcer(p, store, nil)
}

// bobsCaller is whom bob's session counts against, logged in to globex.
func bobsCaller(s *stack) limits.Caller {
	return limits.Caller{ClientID: s.dt.ClientID(s.dt.WebAppName()), OrgID: s.dt.OrgID("globex"), Person: s.dt.UserID(bob)}
}

// A logged-in person reads what is left of their own budgets, counted in
// Redis, with their session; not logged in, nothing.
func TestBudgetsAreThePersonsOwn(t *testing.T) {
	rdb, err := redisurl.Client(redistest.Start(t).URL)
	require.NoError(t, err)
	t.Cleanup(func() { rdb.Close() })
	e := budgetEnforcer(t, limits.NewRedis(rdb, 0))
	s := newStack(t, options{limits: e})
	ctx := context.Background()
	require.NoError(t, e.RecordSpend(ctx, bobsCaller(s), limits.Spend{Tokens: 300, Micros: 1_250_000}))
	other := bobsCaller(s)
	other.Person = s.dt.UserID(alice)
	require.NoError(t, e.RecordSpend(ctx, other, limits.Spend{Tokens: 999, Micros: 999}))

	b := s.browser(t)
	assert.Equal(t, http.StatusUnauthorized, b.get(s.url()+"/v1/usage/me/budgets").StatusCode, "not logged in")
	b.login(s.url(), bob, "globex")
	r := b.get(s.url() + "/v1/usage/me/budgets")
	require.Equal(t, http.StatusOK, r.StatusCode, r.message())
	var got proxy.BudgetsAnswer
	require.NoError(t, json.Unmarshal([]byte(r.body), &got))
	require.Len(t, got.Budgets, 3)
	now := time.Now().UTC()
	want := []struct {
		policy, scope, unit, period string
		limit, used, remaining      float64
	}{
		{"per-person-tokens", "person", "tokens", "day", 1000, 300, 700},
		{"per-person-usd-month", "person", "usd", "month", 2.5, 1.25, 1.25},
		{"per-org-tokens-month", "org", "tokens", "month", 100000, 1299, 98701}, // bob's and alice's, both in globex here
	}
	for i, w := range want {
		g := got.Budgets[i]
		assert.Equal(t, [4]string{w.policy, w.scope, w.unit, w.period}, [4]string{g.Policy, g.Scope, g.Unit, g.Period})
		assert.Equal(t, [3]float64{w.limit, w.used, w.remaining}, [3]float64{g.Limit, g.Used, g.Remaining}, w.policy)
		assert.True(t, g.ResetsAt.After(now), "renews later: %s", g.ResetsAt)
	}
	assert.Equal(t, time.Date(now.Year(), now.Month(), now.Day()+1, 0, 0, 0, 0, time.UTC), got.Budgets[0].ResetsAt.UTC())
	assert.Equal(t, time.Date(now.Year(), now.Month()+1, 1, 0, 0, 0, 0, time.UTC), got.Budgets[1].ResetsAt.UTC())
}

// In a real browser, the page shows each of the person's budgets: what is
// used and left, and when it renews; and those of the models they may call.
func TestBrowserBudgets(t *testing.T) {
	ctx := chromium(t)
	e := budgetEnforcer(t, limits.NewMemory(nil))
	s := newStack(t, options{idsOnly: true, organizations: true, limits: e, models: []string{"echo-small", "echo-large"}})
	require.NoError(t, e.RecordSpend(context.Background(), bobsCaller(s), limits.Spend{Tokens: 1200, Micros: 1_250_000}))
	require.NoError(t, e.RecordSpend(context.Background(), limits.Caller{ClientID: "batch", Model: "echo-small"}, limits.Spend{Tokens: 4000}))
	require.NoError(t, uiLogin(ctx, s, bob, "globex"))
	require.NoError(t, chromedp.Do(ctx, chromedp.WaitVisible(css(`#budgets tr[data-policy="per-person-tokens"]`))))
	text := func(sel string) string {
		t.Helper()
		v, err := chromedp.Run(ctx, chromedp.Text(css(sel)))
		require.NoError(t, err)
		return v
	}
	row := func(policy string) string { return text(`#budgets tr[data-policy="` + policy + `"]`) }
	tokens := row("per-person-tokens")
	assert.Contains(t, tokens, "Yours, per day")
	assert.Contains(t, tokens, "1,200 tokens of 1,000 tokens")
	assert.Equal(t, "0 tokens", text(`#budgets tr[data-policy="per-person-tokens"] td:nth-child(3)`), "none left")
	assert.Equal(t, "$1.25", text(`#budgets tr[data-policy="per-person-usd-month"] td:nth-child(3)`))
	assert.Regexp(t, `\d{4}-\d\d-\d\d 00:00 UTC`, tokens)
	money := row("per-person-usd-month")
	assert.Contains(t, money, "Yours, per month")
	assert.Contains(t, money, "$1.25 of $2.50")
	assert.Regexp(t, `\d{4}-\d\d-01 00:00 UTC`, money)
	assert.Contains(t, row("per-org-tokens-month"), "Your organization's, per month")
	model := row("per-model-tokens")
	assert.Contains(t, model, "echo-small (everyone's), per day", "bob's role grants echo-small")
	assert.Contains(t, model, "4,000 tokens of 50,000 tokens")
	class, err := chromedp.Run(ctx, chromedp.AttributeValue(css(`#budgets tr[data-policy="per-person-tokens"]`), "class"))
	require.NoError(t, err)
	assert.Equal(t, "spent", class.Value)
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(artifacts(t), "budgets.png"), png, 0o644))
}
