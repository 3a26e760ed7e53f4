package limits_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/model-api-auth0/model-api-auth0/internal/gateway/limits"
	"github.com/model-api-auth0/model-api-auth0/internal/gateway/redisurl"
	"github.com/model-api-auth0/model-api-auth0/internal/testing/redistest"
)

// policies compiles a `limits:` section written in JSON.
func policies(t testing.TB, config string) *limits.Policies {
	t.Helper()
	var tree any
	require.NoError(t, json.Unmarshal([]byte(config), &tree))
	p, err := limits.Load("limits", tree)
	require.NoError(t, err)
	return p
}

// gatewayClient is a client of srv as the gateway makes it (redisurl).
func gatewayClient(t testing.TB, srv *redistest.Server) *redis.Client {
	t.Helper()
	rdb, err := redisurl.Client(srv.URL)
	require.NoError(t, err)
	t.Cleanup(func() { rdb.Close() })
	return rdb
}

// Every admission, whatever it decides, is one round trip to Redis; so is
// counting a response's tokens. The first case has clients and
// organizations; the second, a person's request as the gateway deploys
// it, nine policies at once (the rate and the day's and the month's
// budgets of the person, of their client and of their organization), each
// budget the smallest in one period so that each can be the one to refuse.
// Money and per-model budgets: TestRedisAdmitsMoneyAndModelsInOneRoundTrip.
func TestRedisAdmitsInOneRoundTrip(t *testing.T) {
	type step struct {
		name     string
		caller   limits.Caller
		record   int64 // tokens to count after the admission
		policies int   // outcomes of an admitted request; 0: not checked
		denied   string
	}
	alice := limits.Caller{ClientID: "app", OrgID: "org_a", Person: "auth0|alice"}
	bob := limits.Caller{ClientID: "app", OrgID: "org_a", Person: "auth0|bob"}
	carol := limits.Caller{ClientID: "app2", OrgID: "org_a", Person: "auth0|carol"}
	for _, c := range []struct {
		name   string
		limits string // slow refills: only the bursts count during the test
		steps  []step
	}{
		{"clients and organizations", `{
			"perClient": {"requests": 1, "per": "1h", "burst": 2, "tokensPerDay": 100},
			"perOrg": {"requests": 1, "per": "1h", "burst": 3, "tokensPerDay": 1000}}`, []step{
			{"admitted, every policy", limits.Caller{ClientID: "c1", OrgID: "org_a"}, 0, 0, ""},
			{"admitted again", limits.Caller{ClientID: "c1", OrgID: "org_a"}, 0, 0, ""},
			{"client rate refuses", limits.Caller{ClientID: "c1", OrgID: "org_a"}, 0, 0, "per-client"},
			{"the organization was not charged for the refusal", limits.Caller{ClientID: "c2", OrgID: "org_a"}, 0, 0, ""},
			{"organization rate refuses", limits.Caller{ClientID: "c3", OrgID: "org_a"}, 0, 0, "per-org"},
			{"no organization", limits.Caller{ClientID: "c4"}, 120, 0, ""},
			{"budget refuses", limits.Caller{ClientID: "c4"}, 0, 0, "per-client-tokens"},
		}},
		{"a person: rates and day and month budgets at three levels", `{
			"perPerson": {"requests": 1, "per": "1h", "burst": 100, "tokensPerDay": 100, "tokensPerMonth": 1000},
			"perClient": {"requests": 1, "per": "1h", "burst": 100, "tokensPerDay": 1000, "tokensPerMonth": 150},
			"perOrg": {"requests": 1, "per": "1h", "burst": 100, "tokensPerDay": 10000, "tokensPerMonth": 100000}}`, []step{
			{"admitted: nine policies", alice, 120, 9, ""},
			{"the person's day budget refuses", alice, 0, 0, "per-person-tokens"},
			{"another person of the client", bob, 40, 9, ""},
			{"the client's month budget refuses", bob, 0, 0, "per-client-tokens-month"},
			{"another client of the organization", carol, 0, 9, ""},
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			rdb := gatewayClient(t, redistest.Start(t))
			hook := &redistest.RoundTrips{}
			rdb.AddHook(hook)
			e := limits.NewEnforcer(policies(t, c.limits), limits.NewRedis(rdb, 0), nil)
			ctx := context.Background()
			// A first admission and count open the connections (the hook
			// sees their HELLO and CLIENT commands) and give Redis the script.
			warm := limits.Caller{ClientID: "warm-up", OrgID: "org_warm", Person: "auth0|warm"}
			_, err := e.Admit(ctx, warm)
			require.NoError(t, err)
			require.NoError(t, e.Record(ctx, warm, 1))
			for _, s := range c.steps {
				hook.Reset()
				v, err := e.Admit(ctx, s.caller)
				require.NoError(t, err, s.name)
				denied := ""
				if v.Denied != nil {
					denied = v.Denied.Policy.Name
				} else if s.policies > 0 {
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
		})
	}
}

// A Redis that lost its scripts (SCRIPT FLUSH, a restart, a failover to a
// replica that never ran them) gets the script again with the request that
// finds it missing.
func TestRedisAdmitAfterScriptFlush(t *testing.T) {
	srv := redistest.Start(t)
	rdb := gatewayClient(t, srv)
	hook := &redistest.RoundTrips{}
	rdb.AddHook(hook)
	e := limits.NewEnforcer(policies(t, `{"perClient": {"requests": 1, "per": "1h", "burst": 3}}`), limits.NewRedis(rdb, 0), nil)
	ctx := context.Background()
	c := limits.Caller{ClientID: "c1"}
	v, err := e.Admit(ctx, c)
	require.NoError(t, err)
	require.Nil(t, v.Denied)
	require.NoError(t, rdb.ScriptFlush(ctx).Err())
	hook.Reset()
	v, err = e.Admit(ctx, c)
	require.NoError(t, err)
	require.Nil(t, v.Denied)
	require.Len(t, v.Outcomes, 1)
	assert.Equal(t, int64(1), v.Outcomes[0].Remaining, "the second request of the burst")
	assert.Greater(t, v.Outcomes[0].ResetAfter, 59*time.Minute)
	assert.Equal(t, int64(2), hook.Count(), "EVALSHA finds no script, EVAL runs it")
	hook.Reset()
	v, err = e.Admit(ctx, c)
	require.NoError(t, err)
	assert.Equal(t, int64(0), v.Outcomes[0].Remaining, "the third request of the burst")
	assert.Equal(t, int64(1), hook.Count(), "EVALSHA finds the script again")
}

// A caller with budgets in tokens and money, day and month, at every level
// and for the model, is still admitted in one round trip; counting a
// response's spend and reading what is left are one each too.
func TestRedisAdmitsMoneyAndModelsInOneRoundTrip(t *testing.T) {
	srv := redistest.Start(t)
	rdb := gatewayClient(t, srv)
	hook := &redistest.RoundTrips{}
	rdb.AddHook(hook)
	every := `{"requests": 100, "per": "1h", "tokensPerDay": 1000000, "tokensPerMonth": 1000000, "usdPerDay": 1, "usdPerMonth": 10}`
	p, err := limits.LoadEnv("limits", jsonTree(t, `{"perPerson": `+every+`, "perClient": `+every+`, "perOrg": `+every+`,
		"perModel": {"requests": 100, "per": "1h"}, "models": {"big": {"usdPerDay": 0.5}}}`),
		limits.Env{Models: map[string]bool{"big": true, "small": true}})
	require.NoError(t, err)
	e := limits.NewEnforcer(p, limits.NewRedis(rdb, 0), nil)
	ctx := context.Background()
	alice := limits.Caller{ClientID: "web", OrgID: "org_a", Person: "auth0|alice", Model: "big"}
	_, err = e.Admit(ctx, limits.Caller{ClientID: "warm-up", Model: "small"}) // connections, the script
	require.NoError(t, err)
	steps := []struct {
		name   string
		spend  limits.Spend
		denied string
	}{
		{"admitted", limits.Spend{Tokens: 1000, Micros: 300_000}, ""},
		{"admitted again", limits.Spend{Tokens: 1000, Micros: 300_000}, ""},
		{"the model's money budget refuses", limits.Spend{}, "per-model-usd"},
	}
	for _, s := range steps {
		hook.Reset()
		v, err := e.Admit(ctx, alice)
		require.NoError(t, err, s.name)
		assert.Equal(t, int64(1), hook.Count(), "round trips to admit: %s", s.name)
		denied := ""
		if v.Denied != nil {
			denied = v.Denied.Policy.Name
		} else {
			assert.Len(t, v.Outcomes, 4*3+1+4, "every budget, then every rate: %s", s.name)
		}
		assert.Equal(t, s.denied, denied, s.name)
		if s.spend != (limits.Spend{}) {
			hook.Reset()
			require.NoError(t, e.RecordSpend(ctx, alice, s.spend))
			assert.Equal(t, int64(1), hook.Count(), "round trips to count a spend: %s", s.name)
		}
	}
	hook.Reset()
	left, err := e.Budgets(ctx, alice)
	require.NoError(t, err)
	assert.Equal(t, int64(1), hook.Count(), "round trips to read the budgets")
	require.Len(t, left, 4*3+1)
	for _, l := range left {
		want := int64(2000)
		if l.Policy.Money {
			want = 600_000
		}
		assert.Equal(t, want, l.Used, l.Policy.Name)
	}
	assert.Equal(t, "per-model-usd", left[12].Policy.Name)
	assert.Equal(t, int64(0), left[12].Remaining, "0.6 of 0.5 USD")
}

// jsonTree decodes a JSON text for limits.LoadEnv.
func jsonTree(t testing.TB, text string) any {
	t.Helper()
	var tree any
	require.NoError(t, json.Unmarshal([]byte(text), &tree))
	return tree
}
