package limits

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The stack outputs of the tests: two organizations, a client and the web
// app.
var testStack = &Stack{
	Organizations: map[string]string{"acme": "org_acme1", "globex": "org_globex2"},
	Clients:       map[string]string{"batch-scorer": "cid_batch", "web": "cid_web"},
}

// Clients and organizations are named in the stack outputs, or by ID;
// models must be the routes file's, priced for money budgets. Each problem
// comes with its path and a hint, all at once.
func TestLoadEnvResolvesAndChecks(t *testing.T) {
	priced := map[string]bool{"llama-8b": true, "llama-70b": true}
	cases := []struct {
		name     string
		config   string
		env      Env
		problems []string
		check    func(t *testing.T, p *Policies)
	}{
		{
			name:   "names and IDs resolve",
			config: `{"orgs": {"acme": {"tokensPerDay": 5}, "org_globex2": {"tokensPerDay": 6}}, "clients": {"batch-scorer": {"requests": 1}, "cid_web": {"requests": 2}}}`,
			env:    Env{Stack: testStack},
			check: func(t *testing.T, p *Policies) {
				assert.Equal(t, int64(5), p.forOrg("org_acme1").tokens.TokensPerDay)
				assert.Equal(t, int64(6), p.forOrg("org_globex2").tokens.TokensPerDay)
				assert.Equal(t, 1, p.forClient("cid_batch").requests.Rate.Requests)
				assert.Equal(t, 2, p.forClient("cid_web").requests.Rate.Requests)
				assert.Nil(t, p.forClient("batch-scorer").requests, "a name is no client ID once resolved")
			},
		},
		{
			name:   "unknown names",
			config: `{"orgs": {"acmee": {"tokensPerDay": 5}, "org_nope": {"tokensPerDay": 5}}, "clients": {"batch-scorrer": {"requests": 1}}}`,
			env:    Env{Stack: testStack},
			problems: []string{
				`limits.orgs.acmee: a budget for an unknown organization "acmee": the stack outputs have no organization of that name or ID; did you mean "acme"?`,
				`limits.orgs.org_nope: a budget for an unknown organization "org_nope": the stack outputs have no organization of that name or ID (it has: acme, globex)`,
				`limits.clients.batch-scorrer: a budget for an unknown client "batch-scorrer": the stack outputs have no client of that name or ID; did you mean "batch-scorer"?`,
			},
		},
		{
			name:   "a name and an ID of the same organization",
			config: `{"orgs": {"acme": {"tokensPerDay": 5}, "org_acme1": {"tokensPerDay": 6}}}`,
			env:    Env{Stack: testStack},
			problems: []string{
				`limits.orgs.org_acme1: the same organization as orgs.acme (org_acme1): give each organization once`,
			},
		},
		{
			name:   "names without stack outputs",
			config: `{"orgs": {"acme": {"tokensPerDay": 5}, "org_acme1": {"tokensPerDay": 5}}}`,
			problems: []string{
				`limits.orgs.acme: "acme" is not an organization ID: want the token's org_id, such as org_4x6L2vBb0pq9; to name organizations, give the gateway the stack outputs (-stack-outputs / STACK_OUTPUTS)`,
			},
		},
		{
			name:   "money and per-model limits",
			config: `{"perPerson": {"usdPerDay": 1.5, "usdPerMonth": 20}, "perModel": {"requests": 100}, "models": {"llama-70b": {"usdPerDay": 0.000125}}}`,
			env:    Env{Models: priced},
			check: func(t *testing.T, p *Policies) {
				s := p.forPerson("auth0|a")
				assert.Equal(t, int64(1_500_000), s.money.TokensPerDay)
				assert.Equal(t, int64(20_000_000), s.monthMoney.TokensPerDay)
				assert.True(t, s.monthMoney.Monthly && s.monthMoney.Money)
				assert.Equal(t, `"per-person-usd";q=1500000;qu="usd-micros";w=86400`, s.money.Item)
				assert.Equal(t, int64(125), p.forModel("llama-70b").money.TokensPerDay)
				assert.Equal(t, 100, p.forModel("llama-70b").requests.Rate.Requests, "the default's requests, kept")
				assert.Equal(t, 100, p.forModel("llama-8b").requests.Rate.Requests)
				assert.Equal(t, policySet{}, p.forModel(""), "no model named: no model's limits")
				assert.True(t, p.HasBudgets())
			},
		},
		{
			name:   "bad money and models",
			config: `{"perOrg": {"usdPerDay": 0}, "perClient": {"usdPerMonth": -1}, "people": {"auth0|a": {"usdPerDay": 1e12}}, "models": {"llama-7b": {"requests": 1}, "gpt": {"requests": 1}}, "perModel": {"usdPerDay": "lots"}}`,
			env:    Env{Models: priced},
			problems: []string{
				`limits.perOrg.usdPerDay: want more than 0 USD, got 0; leave it out for no budget`,
				`limits.perClient.usdPerMonth: want more than 0 USD, got -1; leave it out for no budget`,
				`limits.people.auth0|a.usdPerDay: want at most 9.007199254740992e+09 USD (2^53 micro-dollars), got 1e+12; leave it out for no budget`,
				`limits.models.llama-7b: a limit for a model the routes file's models: does not declare; did you mean "llama-70b"?`,
				`limits.models.gpt: a limit for a model the routes file's models: does not declare (it has: llama-70b, llama-8b)`,
				`limits.perModel.usdPerDay: want a number, got the string "lots"`,
			},
		},
		{
			name:   "money with an unpriced model",
			config: `{"perPerson": {"usdPerDay": 1}}`,
			env:    Env{Models: map[string]bool{"llama-8b": true, "bge-m3": false}},
			problems: []string{
				`limits.perPerson.usdPerDay: a money budget, while model "bge-m3" has no price: give it models[].price: {input, output} (USD per million tokens; 0 is free)`,
			},
		},
		{
			name:   "money and per-model limits without models",
			config: `{"perOrg": {"usdPerMonth": 1}, "perModel": {"requests": 1}}`,
			problems: []string{
				`limits.perOrg.usdPerMonth: a money budget needs the models' prices: the routes file declares no models: (models[].price: {input, output} in USD per million tokens)`,
				`limits.perModel: the routes file declares no models: (per-model limits count the calls that name one)`,
			},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p, err := LoadEnv("limits", mustJSON(t, c.config), c.env)
			if len(c.problems) == 0 {
				require.NoError(t, err)
				c.check(t, p)
				return
			}
			require.Error(t, err)
			for _, want := range c.problems {
				assert.Contains(t, err.Error(), want)
			}
			assert.Contains(t, err.Error(), "problem(s) in the limits")
		})
	}
}

func TestCallerKeys(t *testing.T) {
	for _, c := range []Caller{
		{ClientID: "client-a", OrgID: "org_acme", Person: "auth0|alice", Model: "llama"},
		{ClientID: "client-a"},
		{Person: "auth0|bob"},
		{},
	} {
		k := c.keys([4]uint8{15, 15, 15, 15})
		for _, level := range []struct {
			got *keyVariants
			key string
		}{{&k.person, "person:" + c.OrgID + ":" + c.Person}, {&k.client, "client:" + c.ClientID}, {&k.org, "org:" + c.OrgID}, {&k.model, "model:" + c.Model}} {
			for _, p := range []*Policy{{}, {Money: true}, {Monthly: true}, {Money: true, Monthly: true}} {
				if got, want := level.got[variant(p)], budgetKeyOf(p, level.key); got != want {
					t.Errorf("%+v.keys(): %q for a policy of money %v, monthly %v; want %q", c, got, p.Money, p.Monthly, want)
				}
			}
		}
	}
	c := Caller{ClientID: "client-a", OrgID: "org_acme", Person: "auth0|alice"}
	// Only the variants asked for are cut: a month's money key for the
	// person only.
	k := c.keys([4]uint8{1 | 1<<variant(&Policy{Money: true, Monthly: true}), 1, 0, 0})
	want := callerKeys{person: keyVariants{"person:org_acme:auth0|alice", "", "", "month:usd:person:org_acme:auth0|alice"}, client: keyVariants{"client:client-a"}}
	if k != want {
		t.Errorf("keys for a month's money of the person: %+v, want %+v", k, want)
	}
	if n := testing.AllocsPerRun(100, func() { _ = c.keys([4]uint8{1, 3, 5, 15}) }); n != 1 {
		t.Errorf("keys() allocates %v times, want 1", n)
	}
}
