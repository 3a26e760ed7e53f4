package devtenant_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/model-api-auth0/model-api-auth0/internal/dev/devtenant"
)

// The tenant answers only at its issuer's address. A page elsewhere whose
// name an attacker resolves to 127.0.0.1 (DNS rebinding) reaches the
// tenant's port with its own Host, and gets nothing the tenant serves: not
// its login form, not its token endpoint.
func TestTenantAnswersOnlyAtItsIssuer(t *testing.T) {
	tn := startTest(t, devtenant.Options{})
	issuer, err := url.Parse(tn.Issuer())
	require.NoError(t, err)
	requests := []struct{ method, path, body string }{
		{"GET", ".well-known/openid-configuration", ""},
		{"GET", "authorize?" + authParams(tn).Encode(), ""},
		{"POST", "oauth/token", m2mForm(tn, "batch-scorer").Encode()},
	}
	for _, c := range requests {
		for host, want := range map[string]int{
			"rebound.example:" + issuer.Port(): http.StatusMisdirectedRequest,
			"localhost:" + issuer.Port():       http.StatusMisdirectedRequest,
			issuer.Host:                        http.StatusOK,
		} {
			req, err := http.NewRequest(c.method, tn.Issuer()+c.path, strings.NewReader(c.body))
			require.NoError(t, err)
			req.Host = host
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			resp, err := http.DefaultClient.Do(req)
			require.NoError(t, err)
			resp.Body.Close()
			assert.Equal(t, want, resp.StatusCode, "%s %s with Host %s", c.method, strings.SplitN(c.path, "?", 2)[0], host)
		}
	}
}
