package limits_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/model-api-auth0/model-api-auth0/internal/gateway/limits"
	"github.com/model-api-auth0/model-api-auth0/internal/testing/redistest"
)

// A person's request in the deployed shape (issue 16) is checked against
// nine policies at once, the rate and the day's and the month's budgets of
// the person, of their client and of their organization, in one round trip
// to Redis whatever refuses it; counting a response's tokens into the six
// budgets is one more.
func TestRedisAdmitsEveryBudgetInOneRoundTrip(t *testing.T) {
	srv := redistest.Start(t)
	rdb := gatewayClient(t, srv)
	hook := &redistest.RoundTrips{}
	rdb.AddHook(hook)
	// Slow refills: only the bursts count during the test. Each budget is
	// the smallest in one period, so that each can be the one to refuse.
	e := limits.NewEnforcer(policies(t, `{
		"perPerson": {"requests": 1, "per": "1h", "burst": 100, "tokensPerDay": 100, "tokensPerMonth": 1000},
		"perClient": {"requests": 1, "per": "1h", "burst": 100, "tokensPerDay": 1000, "tokensPerMonth": 150},
		"perOrg": {"requests": 1, "per": "1h", "burst": 100, "tokensPerDay": 10000, "tokensPerMonth": 100000}}`),
		limits.NewRedis(rdb, 0), nil)
	// Money and per-model budgets: TestRedisAdmitsMoneyAndModelsInOneRoundTrip.
	ctx := context.Background()
	alice := limits.Caller{ClientID: "app", OrgID: "org_a", Person: "auth0|alice"}
	bob := limits.Caller{ClientID: "app", OrgID: "org_a", Person: "auth0|bob"}
	carol := limits.Caller{ClientID: "app2", OrgID: "org_a", Person: "auth0|carol"}
	steps := []struct {
		name     string
		caller   limits.Caller
		record   int64 // tokens to count after the admission
		policies int   // outcomes of an admitted request
		denied   string
	}{
		{"admitted: nine policies", alice, 120, 9, ""},
		{"the person's day budget refuses", alice, 0, 0, "per-person-tokens"},
		{"another person of the client", bob, 40, 9, ""},
		{"the client's month budget refuses", bob, 0, 0, "per-client-tokens-month"},
		{"another client of the organization", carol, 0, 9, ""},
	}
	warm := limits.Caller{ClientID: "warm-up", OrgID: "org_warm", Person: "auth0|warm"}
	_, err := e.Admit(ctx, warm)
	require.NoError(t, err)
	require.NoError(t, e.Record(ctx, warm, 1))
	for _, s := range steps {
		hook.Reset()
		v, err := e.Admit(ctx, s.caller)
		require.NoError(t, err, s.name)
		denied := ""
		if v.Denied != nil {
			denied = v.Denied.Policy.Name
		} else {
			assert.Len(t, v.Outcomes, s.policies, s.name)
		}
		assert.Equal(t, s.denied, denied, s.name)
		assert.Equal(t, int64(1), hook.Count(), "round trips to admit: %s", s.name)
		if s.record > 0 {
			hook.Reset()
			require.NoError(t, e.Record(ctx, s.caller, s.record))
			assert.Equal(t, int64(1), hook.Count(), "round trips to count tokens: %s", s.name)
		}
	}
}
