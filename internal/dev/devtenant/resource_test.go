package devtenant_test

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/model-api-auth0/model-api-auth0/internal/dev/devtenant"
	"github.com/model-api-auth0/model-api-auth0/internal/dev/devtenant/devtenanttest"
	"github.com/model-api-auth0/model-api-auth0/internal/tenant/stackconfig"
)

// MCP clients send RFC 8707's resource and no audience: the tenant takes
// it as the audience only with resourceParameterProfile compatibility, as
// Auth0 does, and audience wins when both are sent.
func TestResourceParameter(t *testing.T) {
	for _, tc := range []struct {
		name    string
		profile string
		params  []string
		status  int
	}{
		{"compatibility: resource alone names the API", "compatibility", []string{"audience", "", "resource", "API"}, http.StatusOK},
		{"compatibility: audience wins over resource", "compatibility", []string{"resource", "https://evil.example.com/"}, http.StatusOK},
		{"compatibility: a resource that is no API", "compatibility", []string{"audience", "", "resource", "https://evil.example.com/"}, http.StatusForbidden},
		{"audience profile: resource is ignored", "audience", []string{"audience", "", "resource", "API"}, http.StatusForbidden},
		{"no profile: resource is ignored", "", []string{"audience", "", "resource", "API"}, http.StatusForbidden},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := testStack(t)
			if tc.profile != "" {
				cfg.Tenant = &stackconfig.TenantConfig{ResourceParameterProfile: tc.profile}
			} else {
				cfg.Tenant = nil
			}
			tn := devtenanttest.Start(t, cfg, devtenant.Options{})
			params := append([]string(nil), tc.params...)
			for i := range params {
				if params[i] == "API" {
					params[i] = tn.Audience()
				}
			}
			tr := postToken(t, tn, m2mForm(tn, "batch-scorer", params...))
			assert.Equal(t, tc.status, tr.Status, "%s %s", tr.Error, tr.Description)
			if tr.Status == http.StatusOK {
				verify(t, tn, tr.AccessToken, tn.Audience())
			}
		})
	}
}
