package limits

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func load(t testing.TB, text string) (*Policies, error) {
	t.Helper()
	return Load("limits", mustJSON(t, text))
}

func mustJSON(t testing.TB, text string) any {
	t.Helper()
	var tree any
	require.NoError(t, json.Unmarshal([]byte(text), &tree))
	return tree
}

func TestLoadReportsEveryProblemWithItsPath(t *testing.T) {
	_, err := load(t, `{
		"perClient": {"requests": 0, "per": "500ms", "burst": -1, "tokensPerDay": 0},
		"perOrg": {"request": 5},
		"clients": {"abc": {"requests": 1.5}, "two words": {"requests": 3}, "empty": {}},
		"orgs": {"acme": {"tokensPerDay": 10}, "org_1": {"burst": 3}},
		"extra": true
	}`)
	require.Error(t, err)
	for _, want := range []string{
		`limits: unknown key "extra"`,
		`limits.perClient.requests: want at least 1, got 0`,
		`limits.perClient.per: "500ms" is not a period: want whole seconds from 1s to 24h`,
		`limits.perClient.burst: want at least 1, got -1`,
		`limits.perClient.tokensPerDay: want at least 1, got 0`,
		`limits.perOrg: unknown key "request"; did you mean "requests"?`,
		`limits.clients.abc.requests: want a whole number, got the number 1.5`,
		`limits.clients.two words: "two words" is not a client ID`,
		`limits.clients.empty: sets no limit`,
		`limits.orgs.acme: "acme" is not an organization ID: want the token's org_id`,
	} {
		assert.Contains(t, err.Error(), want)
	}
	_, err = load(t, `{"perOrg": {"tokensPerDay": 10000000000000000}, "perClient": {"tokensPerDay": 9007199254740992}}`)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "limits.perOrg.tokensPerDay: want at most 9007199254740992 (2^53), got 10000000000000000")
	assert.NotContains(t, err.Error(), "perClient", "2^53 itself is a budget")
	// Checked once the values are right: a burst needs a rate, here or in the default.
	_, err = load(t, `{"orgs": {"org_1": {"burst": 3}}}`)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "limits.orgs.org_1: burst and per need requests (here or in the default)")
}

func TestOverridesReplaceTheDefaultKeyByKey(t *testing.T) {
	p, err := load(t, `{
		"perClient": {"requests": 10, "burst": 20, "tokensPerDay": 1000},
		"perOrg": {"requests": 100, "per": "1m"},
		"clients": {"big": {"requests": 50, "per": "1s"}},
		"orgs": {"org_acme": {"tokensPerDay": 5000}}
	}`)
	require.NoError(t, err)
	cases := []struct {
		name        string
		set         policySet
		rate        *Rate
		tokens      int64
		requestItem string
		tokensItem  string
	}{
		{"default client", p.forClient("someone"), &Rate{10, time.Second, 20}, 1000, `"per-client";q=10;w=1`, `"per-client-tokens";q=1000;qu="model-tokens";w=86400`},
		{"client override", p.forClient("big"), &Rate{50, time.Second, 20}, 1000, `"per-client";q=50;w=1`, `"per-client-tokens";q=1000;qu="model-tokens";w=86400`},
		{"default org", p.forOrg("org_other"), &Rate{100, time.Minute, 100}, 0, `"per-org";q=100;w=60`, ""},
		{"org override", p.forOrg("org_acme"), &Rate{100, time.Minute, 100}, 5000, `"per-org";q=100;w=60`, `"per-org-tokens";q=5000;qu="model-tokens";w=86400`},
		{"no org", p.forOrg(""), nil, 0, "", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if c.rate == nil {
				assert.Nil(t, c.set.requests)
			} else {
				require.NotNil(t, c.set.requests)
				assert.Equal(t, *c.rate, *c.set.requests.Rate)
				assert.Equal(t, c.requestItem, c.set.requests.Item)
			}
			if c.tokens == 0 {
				assert.Nil(t, c.set.tokens)
			} else {
				require.NotNil(t, c.set.tokens)
				assert.Equal(t, c.tokens, c.set.tokens.TokensPerDay)
				assert.Equal(t, c.tokensItem, c.set.tokens.Item)
			}
		})
	}
	assert.True(t, p.HasBudgets())
	p, err = load(t, `{"perClient": {"requests": 1}}`)
	require.NoError(t, err)
	assert.False(t, p.HasBudgets())
}

func TestNotAnObject(t *testing.T) {
	_, err := load(t, `["perClient"]`)
	require.Error(t, err)
	assert.True(t, strings.Contains(err.Error(), "limits: want an object with keys perClient, perOrg, perPerson, perModel, clients, orgs, people, models, got a list"), err.Error())
}
