package limits_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/model-api-auth0/model-api-auth0/internal/gateway/limits"
	"github.com/model-api-auth0/model-api-auth0/internal/testing/redistest"
)

// The web app's azp is every person's who logs in through it: each person
// has a budget and a rate of their own, and one person in two organizations
// has two. Checked in memory and in Redis, with and without leases.
func TestEachPersonCountsOnTheirOwn(t *testing.T) {
	const config = `{"perClient": {"tokensPerDay": 1000}, "perPerson": {"requests": 1, "per": "1h", "burst": 2, "tokensPerDay": 100},
		"people": {"auth0|boss": {"tokensPerDay": 300}}}`
	stores := stores(t)
	stores["redis with leases"] = func(t *testing.T) limits.Store {
		return limits.NewLeases(limits.NewRedis(redistest.Start(t).Client(t), 0), 10*time.Millisecond, nil)
	}
	for name, newStore := range stores {
		t.Run(name, func(t *testing.T) {
			e := limits.NewEnforcer(policies(t, config), newStore(t), nil)
			ctx := context.Background()
			alice := limits.Caller{ClientID: "webapp", OrgID: "org_acme", Person: "auth0|alice"}
			bob := limits.Caller{ClientID: "webapp", OrgID: "org_acme", Person: "auth0|bob"}
			aliceElsewhere := limits.Caller{ClientID: "webapp", OrgID: "org_other", Person: "auth0|alice"}
			denied := func(c limits.Caller) string {
				v, err := e.Admit(ctx, c)
				require.NoError(t, err)
				if v.Denied == nil {
					return ""
				}
				return v.Denied.Policy.Name
			}
			assert.Equal(t, "", denied(alice))
			require.NoError(t, e.Record(ctx, alice, 150))
			assert.Equal(t, "per-person-tokens", denied(alice), "alice spent her budget in org_acme")
			assert.Equal(t, "", denied(bob), "bob, through the same app, has his own")
			assert.Equal(t, "", denied(aliceElsewhere), "alice in another organization has another budget")
			assert.Equal(t, "", denied(aliceElsewhere))
			assert.Equal(t, "per-person", denied(aliceElsewhere), "and a rate of her own there: a burst of 2")

			boss := limits.Caller{ClientID: "cli", OrgID: "org_acme", Person: "auth0|boss"}
			require.NoError(t, e.Record(ctx, boss, 150))
			assert.Equal(t, "", denied(boss), "an override by sub: 300 tokens")

			m2m := limits.Caller{ClientID: "batch", OrgID: "org_acme"}
			require.NoError(t, e.Record(ctx, m2m, 900))
			assert.Equal(t, "", denied(m2m), "an M2M client has no person budget, only its client's")
			require.NoError(t, e.Record(ctx, m2m, 100))
			assert.Equal(t, "per-client-tokens", denied(m2m))
		})
	}
}

// A person's admission, all their policies with their client's and
// organization's, is still one round trip, and so is counting a response; two gateway processes sharing
// Redis hold one person to one budget.
func TestPersonBudgetInOneRoundTripSharedByProcesses(t *testing.T) {
	srv := redistest.Start(t)
	rdb := gatewayClient(t, srv)
	hook := &redistest.RoundTrips{}
	rdb.AddHook(hook)
	config := `{"perClient": {"requests": 100, "tokensPerDay": 100000}, "perOrg": {"requests": 100, "tokensPerDay": 100000},
		"perPerson": {"requests": 100, "tokensPerDay": 100, "tokensPerMonth": 1000}}`
	one := limits.NewEnforcer(policies(t, config), limits.NewRedis(rdb, 0), nil)
	two := limits.NewEnforcer(policies(t, config), limits.NewRedis(gatewayClient(t, srv), 0), nil)
	ctx := context.Background()
	alice := limits.Caller{ClientID: "webapp", OrgID: "org_acme", Person: "auth0|alice"}
	_, err := one.Admit(ctx, alice) // loads the script
	require.NoError(t, err)
	hook.Reset()
	v, err := one.Admit(ctx, alice)
	require.NoError(t, err)
	require.Nil(t, v.Denied)
	assert.Len(t, v.Outcomes, 7, "four budgets (the person's day and month) and three rates")
	assert.Equal(t, int64(1), hook.Count(), "one script call")
	hook.Reset()
	require.NoError(t, one.Record(ctx, alice, 100))
	assert.Equal(t, int64(1), hook.Count(), "the day's and the month's counts in one pipeline")
	v, err = two.Admit(ctx, alice)
	require.NoError(t, err)
	require.NotNil(t, v.Denied, "the other process sees what the first counted")
	assert.Equal(t, "per-person-tokens", v.Denied.Policy.Name)
}

func TestPeopleConfigProblems(t *testing.T) {
	var tree any = map[string]any{
		"perPerson": map[string]any{"tokensPerDay": 0},
		"people": map[string]any{
			"batch@clients": map[string]any{"requests": 1},
			" ":             map[string]any{"requests": 1},
		},
	}
	_, err := limits.Load("limits", tree)
	require.Error(t, err)
	for _, want := range []string{
		"limits.perPerson.tokensPerDay: want at least 1, got 0",
		`limits.people.batch@clients: "batch@clients" is an M2M client's sub, which counts per client: move it to clients.batch`,
		`limits.people. : " " is not a person`,
	} {
		assert.True(t, strings.Contains(err.Error(), want), "want %q in:\n%s", want, err)
	}
}
