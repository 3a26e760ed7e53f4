package limits

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// heard collects the crossings an enforcer reports.
type heard struct {
	mu  sync.Mutex
	got []Crossing
}

func (h *heard) listen(e *Enforcer) { e.OnCrossing(h.add) }

func (h *heard) add(c Crossing) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.got = append(h.got, c)
}

// take returns the crossings heard since the last take, as percents.
func (h *heard) take() []int {
	h.mu.Lock()
	defer h.mu.Unlock()
	var out []int
	for _, c := range h.got {
		out = append(out, c.Percent)
	}
	h.got = nil
	return out
}

// 80% and 100% of a budget are each reported once per period, by the count
// that crosses them, whatever the requests in between; a new day reports
// them again.
func TestCrossingsAreReportedOncePerPeriod(t *testing.T) {
	e, c := enforcer(t, `{"perPerson": {"tokensPerDay": 100}}`)
	var h heard
	h.listen(e)
	ctx := context.Background()
	alice := Caller{ClientID: "webapp", OrgID: "org_acme", Person: "auth0|alice"}
	record := func(n int64) []int {
		t.Helper()
		_, err := e.Admit(ctx, alice)
		require.NoError(t, err)
		require.NoError(t, e.Record(ctx, alice, n))
		return h.take()
	}
	assert.Empty(t, record(79), "79%")
	assert.Equal(t, []int{80}, record(1))
	assert.Empty(t, record(1), "once")
	assert.Equal(t, []int{100}, record(30))
	assert.Empty(t, record(30), "once, past the end")

	c.t = c.t.Add(2 * time.Hour) // the next day
	assert.Equal(t, []int{80, 100}, record(100), "both at once, in a new day")
}

// The crossing names its budget, key and period; money crosses by its cost.
func TestCrossingOfAMoneyBudget(t *testing.T) {
	p, err := LoadEnv("limits", mustJSON(t, `{"perOrg": {"usdPerMonth": 1}}`), Env{Models: map[string]bool{"m": true}})
	require.NoError(t, err)
	c := &clock{time.Date(2030, 1, 31, 23, 0, 0, 0, time.UTC)}
	e := NewEnforcer(p, NewMemory(c.now), c.now)
	var h heard
	h.listen(e)
	who := Caller{ClientID: "c", OrgID: "org_acme", Model: "m"}
	require.NoError(t, e.RecordSpend(context.Background(), who, Spend{Tokens: 5_000_000, Micros: 799_999}))
	assert.Empty(t, h.got, "tokens are no money")
	require.NoError(t, e.RecordSpend(context.Background(), who, Spend{Tokens: 1, Micros: 1}))
	require.Len(t, h.got, 1)
	x := h.got[0]
	assert.Equal(t, "per-org-usd-month", x.Policy.Name)
	assert.Equal(t, "month:usd:org:org_acme", x.Key)
	assert.Equal(t, "2030-01", x.Period)
	assert.Equal(t, 80, x.Percent)
	assert.Equal(t, int64(800_000), x.Used)
}

func TestCrossedPercents(t *testing.T) {
	for _, c := range []struct {
		before, after int64
		want          []int
	}{
		{0, 79, nil}, {79, 80, []int{80}}, {80, 99, nil}, {99, 100, []int{100}},
		{0, 100, []int{80, 100}}, {100, 200, nil}, {0, 1000, []int{80, 100}}, {81, 81, nil},
	} {
		assert.Equal(t, c.want, crossedPercents(100, c.before, c.after), "%d to %d", c.before, c.after)
	}
	// Quotas that do not divide by 5: 80% of 7 is 5.6, crossed at 6.
	assert.Nil(t, crossedPercents(7, 0, 5))
	assert.Equal(t, []int{80}, crossedPercents(7, 5, 6))
}
