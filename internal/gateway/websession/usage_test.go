package websession_test

import (
	"context"
	"encoding/json"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/model-api-auth0/model-api-auth0/internal/gateway/ledger"
)

// A logged-in person's page reads their own usage with the session: the
// summary of the ledger's rows with their subject, and no one else's.
func TestPageUsageIsThePersonsOwn(t *testing.T) {
	db := usageLedger(t)
	s := newStack(t, options{usage: db})
	now := time.Now()
	require.NoError(t, db.WriteRows(context.Background(), []ledger.Row{
		{RequestID: "1", Time: now, Person: s.dt.UserID(bob), Model: "m", InputTokens: 10, OutputTokens: 20, Status: 200},
		{RequestID: "2", Time: now, Person: s.dt.UserID(alice), Model: "m", InputTokens: 999, OutputTokens: 999, Status: 200},
	}))

	b := s.browser(t)
	assert.Equal(t, http.StatusUnauthorized, b.get(s.url()+"/v1/usage/me").StatusCode, "not logged in")
	b.login(s.url(), bob, "globex")
	r := b.get(s.url() + "/v1/usage/me")
	require.Equal(t, http.StatusOK, r.StatusCode, r.message())
	var sum ledger.PersonSummary
	require.NoError(t, json.Unmarshal([]byte(r.body), &sum))
	assert.Equal(t, s.dt.UserID(bob), sum.Person)
	require.Len(t, sum.Models, 1)
	assert.Equal(t, int64(10), sum.Models[0].InputTokens[ledger.SummaryDays-1], "today's")
	assert.Equal(t, int64(20), sum.Models[0].OutputTokens[ledger.SummaryDays-1])

	page := b.get(s.url() + "/")
	assert.Contains(t, page.body, `<section class="card" id="usage" hidden>`)
	assert.True(t, strings.Contains(page.body, `src="/static/usage.js"`))
	assert.Equal(t, http.StatusOK, b.get(s.url()+"/static/usage.js").StatusCode)
}

// usageLedger is an empty SQLite ledger of the test's own.
func usageLedger(t *testing.T) *ledger.DB {
	db, err := ledger.Open(context.Background(), "sqlite:"+filepath.Join(t.TempDir(), "ledger.db"))
	require.NoError(t, err)
	t.Cleanup(func() { db.Close() })
	return db
}
