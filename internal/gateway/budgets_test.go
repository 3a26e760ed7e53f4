package gateway

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/model-api-auth0/model-api-auth0/internal/gateway/limits"
	"github.com/model-api-auth0/model-api-auth0/internal/tenant/stackoutputs"
)

// A routes file with every kind of mistake in its models and budgets stops
// the gateway at start with each listed, by its key, at once: a model
// without a server, a price that is not a number, budgets for an unknown
// organization and client, a money budget while a model has no price, a
// limit for a model that is not declared.
func TestBadModelsAndBudgetsAreListedAtStart(t *testing.T) {
	o := minimalOptions()
	o.Upstream = ""
	o.Limits.Names = StackNames(&stackoutputs.Outputs{
		Organizations: stackoutputs.Organizations{"acme": "org_acme1"},
		Clients:       map[string]stackoutputs.Client{"batch-scorer": {ClientID: "cid_batch"}},
		WebApp:        &stackoutputs.App{Name: "web", ClientID: "cid_web"},
	})
	o.Routes.File = writeFile(t, "routes.yaml", `routes:
  - pattern: POST /v1/chat/completions
models:
  - {name: small, price: {input: 0.1, output: 0.2}}
  - {name: big, servers: [http://10.0.0.2:8000], price: {input: cheap, output: 0.8}}
  - {name: embed, servers: [http://10.0.0.3:8000]}
limits:
  perPerson: {tokensPerDay: 100000, usdPerDay: 2}
  orgs:
    acme: {usdPerMonth: 100}
    umbrella: {tokensPerDay: 5}
  clients:
    web: {requests: 10}
    batch-scorrer: {requests: 5}
  models:
    bigg: {requests: 1}
`)
	_, err := New(t.Context(), o)
	require.Error(t, err)
	for _, want := range []string{
		`models[0] "small".servers: want at least one server base URL`,
		`models[1] "big".price.input: want a number of USD per million tokens, 0 or more, got the string "cheap"`,
		`limits.orgs.umbrella: a budget for an unknown organization "umbrella"`,
		`limits.clients.batch-scorrer: a budget for an unknown client "batch-scorrer": the stack outputs have no client of that name or ID; did you mean "batch-scorer"?`,
		`limits.perPerson.usdPerDay: a money budget, while model "embed" has no price`,
		`limits.orgs.acme.usdPerMonth: a money budget, while model "embed" has no price`,
		`limits.models.bigg: a limit for a model the routes file's models: does not declare; did you mean "big"?`,
	} {
		assert.Contains(t, err.Error(), want)
	}
	assert.Equal(t, err.Error(), o.Validate().Error(), "Validate says the same")

	// Without the stack outputs, an organization's name is a problem that
	// says how to name it.
	o.Limits.Names = nil
	assert.ErrorContains(t, o.Validate(), `limits.orgs.acme: "acme" is not an organization ID: want the token's org_id, such as org_4x6L2vBb0pq9; to name organizations, give the gateway the stack outputs (-stack-outputs / STACK_OUTPUTS)`)
}

// The stack outputs name the organizations, the M2M clients and both apps
// people log in through.
func TestStackNames(t *testing.T) {
	got := StackNames(&stackoutputs.Outputs{
		Organizations: stackoutputs.Organizations{"acme": "org_1"},
		Clients:       map[string]stackoutputs.Client{"scorer": {ClientID: "c1"}},
		WebApp:        &stackoutputs.App{Name: "web", ClientID: "c2"},
		CLIApp:        &stackoutputs.App{Name: "cli", ClientID: "c3"},
	})
	assert.Equal(t, &limits.Stack{Organizations: map[string]string{"acme": "org_1"}, Clients: map[string]string{"scorer": "c1", "web": "c2", "cli": "c3"}}, got)
}
