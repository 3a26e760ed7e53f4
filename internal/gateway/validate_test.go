package gateway

import (
	"log/slog"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The problems of the optional parts come together, each naming its flag
// and variable, and no password is repeated.
func TestOptionalPartsProblemsComeTogether(t *testing.T) {
	o := minimalOptions()
	o.Routes.File = writeFile(t, "routes.yaml", "routes:\n  - pattern: GET /v1/models\nlimits:\n  perClient: {requests: 0}\n")
	o.Limits = Limits{RedisURL: "redis://:hunter2@127.0.0.1:6379/x", FailMode: "sometimes", Lease: -time.Second}
	o.PublicURL = "http://models.example.com/api"
	err := o.Validate()
	require.Error(t, err)
	for _, want := range []string{
		`-limits-fail-mode / LIMITS_FAIL_MODE "sometimes": want "open"`,
		"-redis / REDIS_URL redis://:xxxxx@127.0.0.1:6379/x:",
		"limits.perClient.requests: want at least 1, got 0",
		`-limits-lease / LIMITS_LEASE "-1s": want a duration such as 10ms, or 0 (no leases)`,
		`-public-url / PUBLIC_URL: public URL "http://models.example.com/api": want the gateway's external base URL`,
	} {
		assert.Contains(t, err.Error(), want)
	}
	assert.NotContains(t, err.Error(), "hunter2", "a password reached an error message")

	o = minimalOptions()
	o.Limits.RedisURL = "http://127.0.0.1:6379"
	assert.ErrorContains(t, o.Validate(), "want redis://[:PASSWORD@]HOST:PORT[/DB]")
}

// New reports what Validate does: bad routes with every other problem.
func TestNewReportsWhatValidateReports(t *testing.T) {
	o := DefaultOptions()
	o.Routes.File = writeFile(t, "routes.yaml", "routes:\n  - pattern: /v1/models\n")
	_, err := New(t.Context(), o)
	require.Error(t, err)
	for _, want := range []string{"upstream", "domain", "audience is empty", `routes[0] "/v1/models": want METHOD /path`} {
		assert.Contains(t, err.Error(), want)
	}
	assert.Equal(t, err.Error(), o.Validate().Error())
}

// The routes file's requirements get -require-org and -orgs on top.
func TestRoutesGetTheGatewaysRequirements(t *testing.T) {
	o := minimalOptions()
	o.Routes = Routes{File: writeFile(t, "routes.yaml", "routes:\n  - {pattern: GET /v1/models, orgs: [org_a]}\n"), RequireOrg: true, Orgs: []string{"org_b"}}
	p, err := o.assemble(slog.New(slog.DiscardHandler))
	require.NoError(t, err)
	require.Len(t, p.routes, 1)
	assert.True(t, p.routes[0].RequireOrg)
	assert.Equal(t, []string{"org_a", "org_b"}, p.routes[0].Orgs)
	assert.Nil(t, p.limits, "no limits: section, no limits")
}

// The routes file's models make -upstream optional; their problems come
// with the others, naming the file and the key.
func TestModelsOptions(t *testing.T) {
	o := minimalOptions()
	o.Upstream = ""
	o.Routes.File = writeFile(t, "routes.yaml", "routes:\n  - pattern: POST /v1/chat/completions\nmodels:\n  - {name: m, servers: [http://10.0.0.1:8000]}\n")
	p, err := o.assemble(slog.New(slog.DiscardHandler))
	require.NoError(t, err, "models without a default upstream")
	assert.Nil(t, p.upstream)
	assert.Equal(t, "m", p.proxyConfig(nil, nil).Models[0].Name)

	o.Routes.File = writeFile(t, "routes.yaml", "routes:\n  - pattern: POST /v1/chat/completions\nmodels:\n  - {name: m, servers: [10.0.0.1]}\n")
	o.Routes.SetAside = -time.Second
	err = o.Validate()
	require.Error(t, err)
	for _, want := range []string{
		o.Routes.File + `: 1 problem(s) in the models:`, `models[0] "m".servers[0]: "10.0.0.1" is not a server base URL`,
		"-model-set-aside -1s: want how long a failing model server is left out",
		`upstream "": set -upstream or UPSTREAM_URL`, // the file's models could not be read
	} {
		assert.Contains(t, err.Error(), want)
	}

	o = minimalOptions()
	o.Upstream = "127.0.0.1:8000"
	assert.ErrorContains(t, o.Validate(), `upstream "127.0.0.1:8000": set -upstream`)
}
