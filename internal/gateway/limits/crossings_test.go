package limits

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// 80% and 100% of a budget are each reported once per period, whatever
// the requests in between; a new day reports them again.
func TestCrossingsAreReportedOncePerPeriod(t *testing.T) {
	e, c := enforcer(t, `{"perPerson": {"tokensPerDay": 100}}`)
	ctx := context.Background()
	alice := Caller{ClientID: "webapp", OrgID: "org_acme", Person: "auth0|alice"}
	crossed := func() []int {
		v, err := e.Admit(ctx, alice)
		require.NoError(t, err)
		var got []int
		for _, x := range v.Crossed {
			assert.Equal(t, "per-person-tokens", x.Policy.Name)
			assert.Equal(t, "person:org_acme:auth0|alice", x.Key)
			got = append(got, x.Percent)
		}
		return got
	}
	assert.Empty(t, crossed())
	require.NoError(t, e.Record(ctx, alice, 79))
	assert.Empty(t, crossed(), "79%")
	require.NoError(t, e.Record(ctx, alice, 1))
	assert.Equal(t, []int{80}, crossed())
	assert.Empty(t, crossed(), "once")
	require.NoError(t, e.Record(ctx, alice, 30))
	assert.Equal(t, []int{100}, crossed())
	assert.Empty(t, crossed(), "once, though every request is refused")

	c.t = c.t.Add(2 * time.Hour) // the next day
	require.NoError(t, e.Record(ctx, alice, 100))
	assert.Equal(t, []int{80, 100}, crossed(), "both at once, in a new day")
}
