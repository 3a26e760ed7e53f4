package limits_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/model-api-auth0/model-api-auth0/internal/gateway/limits"
	"github.com/model-api-auth0/model-api-auth0/internal/testing/redistest"
)

type fakeClock struct{ t time.Time }

func (c *fakeClock) now() time.Time { return c.t }

// A day's budget renews at midnight UTC and a month's at the month's end,
// in each kind of Store, with a clock the test moves.
func TestDayAndMonthBudgetsRenew(t *testing.T) {
	stores := map[string]func(t *testing.T, now func() time.Time) limits.Store{
		"memory": func(t *testing.T, now func() time.Time) limits.Store { return limits.NewMemory(now) },
		"redis": func(t *testing.T, now func() time.Time) limits.Store {
			return limits.NewRedis(redistest.Start(t).Client(t), 0)
		},
		"redis with leases": func(t *testing.T, now func() time.Time) limits.Store {
			return limits.NewLeases(limits.NewRedis(redistest.Start(t).Client(t), 0), 10*time.Millisecond, now)
		},
	}
	for name, newStore := range stores {
		t.Run(name, func(t *testing.T) {
			c := &fakeClock{time.Date(2030, 1, 31, 23, 0, 0, 0, time.UTC)}
			e := limits.NewEnforcer(policies(t, `{"perPerson": {"tokensPerDay": 100, "tokensPerMonth": 250}}`), newStore(t, c.now), c.now)
			ctx := context.Background()
			alice := limits.Caller{ClientID: "webapp", OrgID: "org_acme", Person: "auth0|alice"}
			denied := func() string {
				v, err := e.Admit(ctx, alice)
				require.NoError(t, err)
				if v.Denied == nil {
					return ""
				}
				return v.Denied.Policy.Name
			}
			spend := func(n int64) {
				require.NoError(t, e.Record(ctx, alice, n))
				c.t = c.t.Add(time.Second) // past the lease period's budget cache
			}
			v, err := e.Admit(ctx, alice)
			require.NoError(t, err)
			require.Len(t, v.Outcomes, 2)
			assert.Equal(t, time.Hour, v.Outcomes[0].ResetAfter, "the day's budget renews at midnight")
			assert.Equal(t, time.Hour, v.Outcomes[1].ResetAfter, "so does January's, at its end")
			spend(100)
			assert.Equal(t, "per-person-tokens", denied())
			c.t = time.Date(2030, 2, 1, 0, 0, 1, 0, time.UTC)
			assert.Equal(t, "", denied(), "a new day and a new month")
			spend(100)
			c.t = time.Date(2030, 2, 2, 0, 0, 1, 0, time.UTC)
			spend(100)
			c.t = time.Date(2030, 2, 3, 0, 0, 1, 0, time.UTC)
			spend(60)
			assert.Equal(t, "per-person-tokens-month", denied(), "February's 250 spent, though the day's 100 is not")
			c.t = time.Date(2030, 3, 1, 0, 0, 1, 0, time.UTC)
			assert.Equal(t, "", denied(), "March")
		})
	}
}
