package limits

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

func enforcer(t *testing.T, config string) (*Enforcer, *clock) {
	t.Helper()
	p, err := load(t, config)
	require.NoError(t, err)
	c := &clock{time.Date(2030, 1, 1, 23, 0, 0, 0, time.UTC)}
	return NewEnforcer(p, NewMemory(c.now), c.now), c
}

func names(v Verdict) []string {
	var n []string
	for _, o := range v.Outcomes {
		n = append(n, o.Policy.Name)
	}
	return n
}

func TestAdmitChecksEveryPolicyThatApplies(t *testing.T) {
	e, _ := enforcer(t, `{"perClient": {"requests": 5, "tokensPerDay": 100}, "perOrg": {"requests": 50, "tokensPerDay": 1000}}`)
	ctx := context.Background()
	cases := []struct {
		caller Caller
		want   []string
	}{
		{Caller{ClientID: "c1", OrgID: "org_a"}, []string{"per-client-tokens", "per-org-tokens", "per-client", "per-org"}},
		{Caller{ClientID: "c1"}, []string{"per-client-tokens", "per-client"}},
	}
	for _, c := range cases {
		v, err := e.Admit(ctx, c.caller)
		require.NoError(t, err)
		assert.Nil(t, v.Denied)
		assert.Equal(t, c.want, names(v))
	}
	none, _ := enforcer(t, `{"perOrg": {"requests": 1}}`)
	v, err := none.Admit(ctx, Caller{ClientID: "c1"})
	require.NoError(t, err)
	assert.Empty(t, v.Outcomes, "no policy applies to a client outside organizations")
}

func TestClientAndOrgAreCountedApart(t *testing.T) {
	e, _ := enforcer(t, `{"perClient": {"requests": 1, "per": "1h", "burst": 2}, "perOrg": {"requests": 1, "per": "1h", "burst": 3}}`)
	ctx := context.Background()
	admit := func(c Caller) string {
		v, err := e.Admit(ctx, c)
		require.NoError(t, err)
		if v.Denied != nil {
			return v.Denied.Policy.Name
		}
		return "ok"
	}
	a1, a2 := Caller{ClientID: "c1", OrgID: "org_a"}, Caller{ClientID: "c2", OrgID: "org_a"}
	got := []string{admit(a1), admit(a1), admit(a1), admit(a2), admit(a2), admit(Caller{ClientID: "c3", OrgID: "org_b"})}
	// c1 spends its burst of 2; org_a's 3rd request is c2's first; org_b is apart.
	assert.Equal(t, []string{"ok", "ok", "per-client", "ok", "per-org", "ok"}, got)
}

func TestBudgetRefusesOnceSpentAndResetsAtMidnight(t *testing.T) {
	e, clk := enforcer(t, `{"perClient": {"requests": 100, "tokensPerDay": 100}, "orgs": {"org_a": {"tokensPerDay": 150}}}`)
	ctx := context.Background()
	c := Caller{ClientID: "c1", OrgID: "org_a"}
	v, err := e.Admit(ctx, c)
	require.NoError(t, err)
	require.Nil(t, v.Denied)
	require.NoError(t, e.Record(ctx, c, 120)) // one response may overrun the budget
	v, err = e.Admit(ctx, c)
	require.NoError(t, err)
	require.NotNil(t, v.Denied)
	assert.Equal(t, "per-client-tokens", v.Denied.Policy.Name)
	assert.Equal(t, int64(0), v.Denied.Remaining)
	assert.Equal(t, time.Hour, v.Denied.RetryAfter, "the budget comes back at 00:00 UTC")
	assert.Equal(t, []string{"per-client-tokens", "per-org-tokens"}, names(v), "budgets are checked before the rates")
	assert.Equal(t, int64(30), v.Outcomes[1].Remaining, "the organization was counted too")

	// The refusal took nothing from the rate: 100 requests are left after midnight.
	clk.t = clk.t.Add(time.Hour)
	v, err = e.Admit(ctx, c)
	require.NoError(t, err)
	require.Nil(t, v.Denied, "a new day")
	assert.Equal(t, int64(100), v.Outcomes[0].Remaining)
	assert.Equal(t, int64(99), v.Outcomes[2].Remaining, "only this request was taken from the rate")
}

func TestRecordIgnoresNothingToCount(t *testing.T) {
	e, _ := enforcer(t, `{"perClient": {"tokensPerDay": 10}}`)
	ctx := context.Background()
	c := Caller{ClientID: "c1"}
	require.NoError(t, e.Record(ctx, c, -5))
	require.NoError(t, e.Record(ctx, c, 0))
	v, err := e.Admit(ctx, c)
	require.NoError(t, err)
	assert.Equal(t, int64(10), v.Outcomes[0].Remaining)
}

// admitterFunc is an Admitter (with the Store methods of Memory).
type admitterFunc struct {
	*Memory
	admit func(Admission) (Admitted, error)
}

func (a admitterFunc) Admit(_ context.Context, adm Admission) (Admitted, error) { return a.admit(adm) }

// The Enforcer hands an Admitter the whole admission at once, in order, and
// takes an answer that does not match it for a failing store, never for a
// verdict.
func TestAdmitWithAnAdmitter(t *testing.T) {
	p, err := load(t, `{"perClient": {"requests": 5, "per": "1m", "burst": 7, "tokensPerDay": 100}, "perOrg": {"requests": 50, "tokensPerDay": 1000}}`)
	require.NoError(t, err)
	now := time.Date(2030, 1, 1, 23, 0, 0, 0, time.UTC)
	allowed := Result{Allowed: true, Remaining: 4}
	cases := []struct {
		name    string
		answer  Admitted
		want    []string
		denied  string
		failure bool
	}{
		{"admitted", Admitted{Used: []int64{10, 20}, Rates: []Result{allowed, allowed}},
			[]string{"per-client-tokens", "per-org-tokens", "per-client", "per-org"}, "", false},
		{"budget spent", Admitted{Used: []int64{10, 1000}},
			[]string{"per-client-tokens", "per-org-tokens"}, "per-org-tokens", false},
		{"client rate refuses", Admitted{Used: []int64{10, 20}, Rates: []Result{{RetryAfter: time.Second}}},
			[]string{"per-client-tokens", "per-org-tokens", "per-client"}, "per-client", false},
		{"a budget missing", Admitted{Used: []int64{10}, Rates: []Result{allowed, allowed}}, nil, "", true},
		{"a rate too many", Admitted{Used: []int64{10, 20}, Rates: []Result{allowed, allowed, allowed}}, nil, "", true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var got Admission
			s := admitterFunc{NewMemory(nil), func(a Admission) (Admitted, error) { got = a; return c.answer, nil }}
			e := NewEnforcer(p, s, func() time.Time { return now })
			v, err := e.Admit(context.Background(), Caller{ClientID: "c1", OrgID: "org_a"})
			assert.Equal(t, Admission{Day: "2030-01-01",
				Budgets: []Budget{{Key: "client:c1", TokensPerDay: 100}, {Key: "org:org_a", TokensPerDay: 1000}},
				Rates:   []KeyRate{{"client:c1", Rate{5, time.Minute, 7}}, {"org:org_a", Rate{50, time.Second, 50}}},
			}, got)
			if c.failure {
				assert.ErrorIs(t, err, ErrStore)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, c.want, names(v))
			denied := ""
			if v.Denied != nil {
				denied = v.Denied.Policy.Name
			}
			assert.Equal(t, c.denied, denied)
		})
	}
}
