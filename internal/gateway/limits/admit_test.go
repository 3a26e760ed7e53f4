package limits_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/model-api-auth0/model-api-auth0/internal/gateway/limits"
	"github.com/model-api-auth0/model-api-auth0/internal/testing/redistest"
)

// An admission decides alike in memory, in Redis a policy at a time, and in
// Redis in one script call: budgets first (a request they refuse takes no
// request quota), then the client's rate, then the organization's (not
// charged when the client's rate refuses).
func TestAdmitDecidesAlikeInEveryStore(t *testing.T) {
	// Slow refills: only the bursts count during the test.
	p := policies(t, `{
		"perClient": {"requests": 1, "per": "1h", "burst": 2, "tokensPerDay": 100},
		"perOrg": {"requests": 1, "per": "1h", "burst": 3, "tokensPerDay": 1000}}`)
	c1, c2, c3 := limits.Caller{ClientID: "c1", OrgID: "org_a"}, limits.Caller{ClientID: "c2", OrgID: "org_a"}, limits.Caller{ClientID: "c3", OrgID: "org_a"}
	steps := []struct {
		caller limits.Caller
		record int64 // tokens counted after the admission
		// want is each outcome as policy=remaining, "!" after the one that
		// refused.
		want string
	}{
		{c1, 0, "per-client-tokens=100 per-org-tokens=1000 per-client=1 per-org=2"},
		{c1, 0, "per-client-tokens=100 per-org-tokens=1000 per-client=0 per-org=1"},
		// The organization is not checked, nor charged:
		{c1, 0, "per-client-tokens=100 per-org-tokens=1000 per-client=0!"},
		{c2, 0, "per-client-tokens=100 per-org-tokens=1000 per-client=1 per-org=0"},
		// The client is charged, the organization refuses:
		{c3, 0, "per-client-tokens=100 per-org-tokens=1000 per-client=1 per-org=0!"},
		{c3, 0, "per-client-tokens=100 per-org-tokens=1000 per-client=0 per-org=0!"},
		// A refused request counts no tokens; this is a response that did.
		{limits.Caller{ClientID: "c4", OrgID: "org_b"}, 120, "per-client-tokens=100 per-org-tokens=1000 per-client=1 per-org=2"},
		// Spent: both budgets are reported, and no rate is charged.
		{limits.Caller{ClientID: "c4", OrgID: "org_b"}, 0, "per-client-tokens=0! per-org-tokens=880"},
		{limits.Caller{ClientID: "c4"}, 0, "per-client-tokens=0!"},
		{limits.Caller{ClientID: "c5", OrgID: "org_b"}, 900, "per-client-tokens=100 per-org-tokens=880 per-client=1 per-org=1"},
		{limits.Caller{ClientID: "c6", OrgID: "org_b"}, 0, "per-client-tokens=100 per-org-tokens=0!"},
		// c6's refusal took nothing from its rate.
		{limits.Caller{ClientID: "c6"}, 0, "per-client-tokens=100 per-client=1"},
		{limits.Caller{ClientID: "c7", OrgID: "org_c"}, 0, "per-client-tokens=100 per-org-tokens=1000 per-client=1 per-org=2"},
	}
	day := time.Date(2030, 1, 1, 12, 0, 0, 0, time.UTC)
	clock := func() time.Time { return day }
	stores := map[string]func(t *testing.T) limits.Store{
		"memory": func(t *testing.T) limits.Store { return limits.NewMemory(clock) },
		"redis, a policy at a time": func(t *testing.T) limits.Store {
			return stepwiseOnly{limits.NewRedis(gatewayClient(t, redistest.Start(t)), 0)}
		},
		"redis, one script call": func(t *testing.T) limits.Store {
			return limits.NewRedis(gatewayClient(t, redistest.Start(t)), 0)
		},
	}
	for name, newStore := range stores {
		t.Run(name, func(t *testing.T) {
			e := limits.NewEnforcer(p, newStore(t), clock)
			ctx := context.Background()
			for i, s := range steps {
				v, err := e.Admit(ctx, s.caller)
				require.NoError(t, err)
				assert.Equal(t, s.want, summary(v), "step %d: %+v", i+1, s.caller)
				for _, o := range v.Outcomes {
					if !o.Allowed && o.Policy.Rate != nil {
						assert.InDelta(t, time.Hour.Seconds(), o.RetryAfter.Seconds(), 5, "step %d: one request comes back per hour", i+1)
					}
				}
				if s.record > 0 {
					require.NoError(t, e.Record(ctx, s.caller, s.record))
				}
			}
		})
	}
}

// summary says a verdict as policy=remaining, with "!" after the policy
// that refused.
func summary(v limits.Verdict) string {
	var parts []string
	for i := range v.Outcomes {
		o := &v.Outcomes[i]
		s := fmt.Sprintf("%s=%d", o.Policy.Name, o.Remaining)
		if o.Allowed == (v.Denied == o) {
			s += "?" // a refusal that is not the verdict's, or the reverse
		}
		if v.Denied == o {
			s += "!"
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, " ")
}
