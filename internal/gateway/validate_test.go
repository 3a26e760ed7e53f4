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
