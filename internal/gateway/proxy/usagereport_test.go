package proxy_test

import (
	"context"
	"encoding/json"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/model-api-auth0/model-api-auth0/internal/gateway/ledger"
	"github.com/model-api-auth0/model-api-auth0/internal/gateway/proxy"
	"github.com/model-api-auth0/model-api-auth0/internal/gateway/proxy/proxytest"
	"github.com/model-api-auth0/model-api-auth0/internal/testing/testissuer"
)

// querier is a ledger that keeps the filter of the last report.
type querier struct {
	mu   sync.Mutex
	last *ledger.Filter
}

func (q *querier) Usage(_ context.Context, f ledger.Filter, _ []ledger.Dimension) ([]ledger.Total, error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.last = &f
	return nil, nil
}

func (q *querier) take() *ledger.Filter {
	q.mu.Lock()
	defer q.mu.Unlock()
	f := q.last
	q.last = nil
	return f
}

func TestUsageReportsAreScopedByTheToken(t *testing.T) {
	iss := testissuer.New(t)
	q := &querier{}
	up := newUpstream(t, "up")
	h, err := proxy.New(proxytest.Validator(t, iss), proxy.Config{Upstream: up.url(), Routes: proxy.DefaultRoutes(), Logger: proxytest.Quiet, Usage: q})
	require.NoError(t, err)
	gw := serve(t, h)
	const period = "/v1/usage?from=2026-11-01&to=2026-12-01"
	orgAdmin := iss.Token(map[string]any{"org_id": "org_1", "permissions": []string{"read:usage"}})
	platform := iss.Token(map[string]any{"permissions": []string{"read:usage:all"}})
	for _, c := range []struct {
		name, token, query string
		status             int
		org                string // the report's organization
	}{
		{"no permission", iss.Token(map[string]any{"org_id": "org_1", "scope": "invoke:models"}), "", 403, ""},
		{"org admin: their org", orgAdmin, "", 200, "org_1"},
		{"org admin: their org, named", orgAdmin, "&org=org_1", 200, "org_1"},
		{"org admin: a forged org", orgAdmin, "&org=org_2", 403, ""},
		{"org admin: the param twice", orgAdmin, "&org=org_1&org=org_2", 400, ""},
		{"read:usage without an org", iss.Token(map[string]any{"permissions": []string{"read:usage"}}), "", 403, ""},
		{"platform admin: all", platform, "", 200, ""},
		{"platform admin: one org", platform, "&org=org_2", 200, "org_2"},
	} {
		t.Run(c.name, func(t *testing.T) {
			resp, text := call(t, "GET", gw+period+c.query, c.token, nil)
			require.Equal(t, c.status, resp.StatusCode, text)
			f := q.take()
			if c.status != 200 {
				assert.Nil(t, f, "the ledger is not read")
				return
			}
			require.NotNil(t, f)
			assert.Equal(t, c.org, f.Org)
		})
	}
	hits, _ := up.seen()
	assert.Zero(t, hits, "reports never reach the model server")
}

func TestPersonUsageIsTheirOwn(t *testing.T) {
	iss := testissuer.New(t)
	q := &querier{}
	h, err := proxy.New(proxytest.Validator(t, iss), proxy.Config{Upstream: newUpstream(t, "up").url(), Routes: proxy.DefaultRoutes(), Logger: proxytest.Quiet, Usage: q})
	require.NoError(t, err)
	gw := serve(t, h)
	resp, text := call(t, "GET", gw+"/v1/usage/me", iss.Token(map[string]any{"sub": "auth0|ann"}), nil)
	require.Equal(t, 200, resp.StatusCode, text)
	var s ledger.PersonSummary
	require.NoError(t, json.Unmarshal([]byte(text), &s))
	assert.Equal(t, "auth0|ann", s.Person)
	assert.Len(t, s.Days, ledger.SummaryDays)
	assert.Equal(t, "auth0|ann", q.take().Person)

	resp, text = call(t, "GET", gw+"/v1/usage/me?person=auth0|bob", iss.Token(map[string]any{"sub": "auth0|ann"}), nil)
	require.Equal(t, 200, resp.StatusCode, text)
	assert.Equal(t, "auth0|ann", q.take().Person, "no parameter names another person")

	resp, text = call(t, "GET", gw+"/v1/usage/me", iss.Token(map[string]any{"sub": "svc@clients"}), nil)
	require.Equal(t, 403, resp.StatusCode, text)
	assert.Nil(t, q.take())
}

// A routes file cannot take the usage routes.
func TestUsageRoutesAreTheGateways(t *testing.T) {
	_, err := proxy.New(proxytest.Validator(t, testissuer.New(t)), proxy.Config{
		Upstream: newUpstream(t, "up").url(), Logger: proxytest.Quiet, Usage: &querier{},
		Routes: append(proxy.DefaultRoutes(), proxy.Route{Pattern: "GET /v1/usage", AllOf: []string{"invoke:models"}}),
	})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "taken by the usage reports")
}
