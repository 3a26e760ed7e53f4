package devtenant_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/model-api-auth0/model-api-auth0/internal/dev/devtenant"
)

// With OrganizationIDsOnly, the organization parameter takes IDs only and
// tokens carry org_id alone, as on an Auth0 tenant that does not allow
// organization names in the Authentication API; without it, names work
// and tokens carry org_name too, as with that setting on.
func TestOrganizationNames(t *testing.T) {
	modes := []struct {
		name    string
		idsOnly bool
	}{{"names allowed", false}, {"IDs only", true}}
	for _, mode := range modes {
		tn := startTest(t, devtenant.Options{OrganizationIDsOnly: mode.idsOnly})
		acme := tn.OrgID("acme")
		const mustBeID = "parameter organization must be an organization id"
		tests := []struct {
			name, flow, org string
			refused         string // error_description, in both modes
			refusedIDsOnly  string // error_description, with IDs only
		}{
			{name: "login by ID", flow: "login", org: acme},
			{name: "login by name", flow: "login", org: "acme", refusedIDsOnly: mustBeID},
			{name: "login by an unknown ID", flow: "login", org: "org_0000000000000000", refused: "no organization with the name or ID"},
			{name: "client credentials by ID", flow: "m2m", org: acme},
			{name: "client credentials by name", flow: "m2m", org: "acme", refusedIDsOnly: mustBeID},
			{name: "client credentials by an unknown ID", flow: "m2m", org: "org_0000000000000000", refused: "no organization with the name or ID"},
		}
		for _, tt := range tests {
			t.Run(mode.name+"/"+tt.name, func(t *testing.T) {
				refused := tt.refused
				if mode.idsOnly && refused == "" {
					refused = tt.refusedIDsOnly
				}
				var tr tokenResponse
				switch tt.flow {
				case "login":
					cb, err := login(t, tn, nil, devtenant.Credentials{Email: "alice@acme.example.com"}, "organization", tt.org)
					require.NoError(t, err)
					if refused != "" {
						assert.Equal(t, "invalid_request", cb.Query().Get("error"))
						assert.Contains(t, cb.Query().Get("error_description"), refused)
						assert.Empty(t, cb.Query().Get("code"))
						return
					}
					require.Empty(t, cb.Query().Get("error"), cb.Query().Get("error_description"))
					tr = exchange(t, tn, cb.Query().Get("code"))
				case "m2m":
					tr = postToken(t, tn, m2mForm(tn, "any-org", "organization", tt.org))
					if refused != "" {
						assert.Equal(t, 400, tr.Status)
						assert.Equal(t, "invalid_request", tr.Error)
						assert.Contains(t, tr.Description, refused)
						assert.Empty(t, tr.AccessToken)
						return
					}
				}
				require.Equal(t, 200, tr.Status, tr.Description)
				tokens := map[string]string{"access token": tr.AccessToken}
				if tr.IDToken != "" {
					tokens["ID token"] = tr.IDToken
				}
				for what, tok := range tokens {
					aud := tn.Audience()
					if what == "ID token" {
						aud = tn.ClientID("gateway")
					}
					c := verify(t, tn, tok, aud)
					assert.Equal(t, acme, c["org_id"], what)
					if mode.idsOnly {
						assert.NotContains(t, c, "org_name", "%s: Auth0 adds org_name only when names are allowed", what)
					} else {
						assert.Equal(t, "acme", c["org_name"], what)
					}
				}
			})
		}
	}
}
