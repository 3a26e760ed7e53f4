package gateway

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/model-api-auth0/model-api-auth0/internal/gateway/ledger"
	"github.com/model-api-auth0/model-api-auth0/internal/testing/pgtest"
	"github.com/model-api-auth0/model-api-auth0/internal/testing/testissuer"
)

// ledgerGateway is the options of a gateway serving the model m (priced
// 1 USD and 2 USD per million tokens) on a model server reporting 10
// prompt and 20 completion tokens per call, recording into dsn.
func ledgerGateway(t *testing.T, iss *testissuer.Issuer, dsn string) Options {
	model := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"choices":[],"usage":{"prompt_tokens":10,"completion_tokens":20,"total_tokens":30}}`)
	}))
	t.Cleanup(model.Close)
	o := issuerOptions(iss, "", io.Discard)
	o.Routes.File = writeFile(t, "routes.yaml", fmt.Sprintf("routes:\n  - pattern: POST /v1/chat/completions\n    allOf: [invoke:models]\n"+
		"models:\n  - {name: m, servers: [%s], price: {input: 1, output: 2}}\n", model.URL))
	o.Ledger = dsn
	return o
}

// calls makes n model calls through the gateway at addr.
func calls(t *testing.T, addr, token string, n int) {
	t.Helper()
	for range n {
		req, _ := http.NewRequest("POST", "http://"+addr+"/v1/chat/completions", strings.NewReader(`{"model":"m"}`))
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		require.Equal(t, 200, resp.StatusCode)
	}
}

// readLedger is the ledger's totals of model m by organization.
func readLedger(t *testing.T, dsn string) []ledger.Total {
	t.Helper()
	db, err := ledger.OpenReports(context.Background(), dsn)
	require.NoError(t, err)
	defer db.Close()
	now := time.Now()
	totals, err := db.Usage(context.Background(), ledger.Filter{From: now.Add(-time.Hour), To: now.Add(time.Hour), Model: "m"}, []ledger.Dimension{ledger.ByOrg, ledger.ByPerson})
	require.NoError(t, err)
	return totals
}

// A call through the real gateway is a row of the SQLite ledger once the
// gateway has shut down (Close writes what is held).
func TestLedgerSQLiteEndToEnd(t *testing.T) {
	iss := testissuer.New(t)
	dsn := "sqlite:" + filepath.Join(t.TempDir(), "ledger.db")
	addr, stop := start(t, ledgerGateway(t, iss, dsn))
	calls(t, addr, iss.Token(map[string]any{"sub": "auth0|ann", "org_id": "org_1", "scope": "invoke:models model:m"}), 2)
	stop()
	assert.Equal(t, []ledger.Total{{Org: "org_1", Person: "auth0|ann", Calls: 2, InputTokens: 20, OutputTokens: 40, CostMicros: 2 * (10 + 40)}}, readLedger(t, dsn))
}

// Two gateways sharing PostgreSQL: the ledger holds every call of both,
// once.
func TestLedgerTwoGatewaysOnePostgres(t *testing.T) {
	iss := testissuer.New(t)
	dsn := pgtest.Start(t).DSN
	token := iss.Token(map[string]any{"sub": "svc@clients", "azp": "svc", "scope": "invoke:models model:m"})
	addrA, stopA := start(t, ledgerGateway(t, iss, dsn))
	addrB, stopB := start(t, ledgerGateway(t, iss, dsn))
	for range 25 {
		calls(t, addrA, token, 1)
		calls(t, addrB, token, 1)
	}
	stopA()
	stopB()
	assert.Equal(t, []ledger.Total{{Calls: 50, InputTokens: 500, OutputTokens: 1000, CostMicros: 50 * 50}}, readLedger(t, dsn))
}

func TestLedgerOption(t *testing.T) {
	for _, dsn := range []string{"", "sqlite:/tmp/x.db", "postgres://u@h/db", "postgresql://u@h/db"} {
		assert.NoError(t, checkLedger(dsn, 0), dsn)
		assert.NoError(t, checkLedger(dsn, 1_000_000), dsn)
	}
	for _, dsn := range []string{"sqlite:", "ledger.db", "mysql://u:secret@h/db"} {
		err := checkLedger(dsn, 0)
		require.Error(t, err, dsn)
		assert.Contains(t, err.Error(), "-ledger")
		assert.NotContains(t, err.Error(), "secret", "no password in a message")
	}
	err := checkLedger("postgres://u@h/db", -1)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "-ledger-buffer -1: want the rows held")
}
