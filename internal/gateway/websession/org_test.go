package websession_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/model-api-auth0/model-api-auth0/internal/gateway/proxy"
	"github.com/model-api-auth0/model-api-auth0/internal/gateway/websession"
)

// With the stack outputs, /login sends Auth0 the organization's ID, which
// is all a tenant takes by default; the ID token (which then has org_id and
// no org_name) is checked against that ID, and the page still names it.
func TestLoginResolvesOrganizationName(t *testing.T) {
	cases := []struct {
		name       string
		opts       options
		query      string // /login's query
		user, pick string // who logs in; the organization they would pick
		sent       string // the organization parameter sent to the tenant: a name, or "ID of <name>"
		refused    string // the callback's refusal; "" for a login
	}{
		{name: "name resolved to its ID", opts: options{idsOnly: true, organizations: true},
			query: "organization=globex", user: bob, sent: "ID of globex"},
		{name: "ID passes through", opts: options{idsOnly: true, organizations: true},
			query: "organization=ID of globex", user: bob, sent: "ID of globex"},
		{name: "default organization resolved", opts: options{idsOnly: true, organizations: true, defaultOrg: "acme"},
			user: alice, sent: "ID of acme"},
		{name: "a name is sent as given without outputs", opts: options{},
			query: "organization=globex", user: bob, sent: "globex"},
		{name: "a tenant that takes IDs only refuses a name sent as given", opts: options{idsOnly: true},
			query: "organization=globex", user: bob, sent: "globex",
			refused: "invalid_request: parameter organization must be an organization id (org_...), not \"globex\""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := newStack(t, c.opts)
			idOf := func(v string) string {
				if name, ok := strings.CutPrefix(v, "ID of "); ok {
					return s.dt.OrgID(name)
				}
				return v
			}
			b := s.browser(t)
			query := c.query
			if org, ok := strings.CutPrefix(query, "organization="); ok {
				query = "organization=" + url.QueryEscape(idOf(org))
			}
			authorize := b.startLogin(s.url(), query)
			assert.Equal(t, idOf(c.sent), authorize.Query().Get("organization"))
			r := b.get(b.authorize(authorize, c.user, "").String())
			if c.refused != "" {
				assert.Equal(t, http.StatusForbidden, r.StatusCode, r.message())
				assert.Contains(t, r.message(), c.refused)
				assert.Contains(t, r.message(), "-stack-outputs", "the refusal says how to fix the gateway")
				return
			}
			require.Equal(t, http.StatusSeeOther, r.StatusCode, r.message())
			org := "globex"
			if c.user == alice {
				org = "acme"
			}
			page := b.get(s.url() + "/")
			assert.Contains(t, page.body, ">"+org+" <code>"+s.dt.OrgID(org)+"</code>", "the page names the organization, from the outputs if the token does not")
			models := b.get(s.url() + "/v1/models")
			require.Equal(t, http.StatusOK, models.StatusCode, models.message())
			assert.Equal(t, s.dt.OrgID(org), s.upstream.last().Get(proxy.HeaderOrgID))
		})
	}
}

// /login refuses a name the stack outputs do not list, before sending the
// browser anywhere, and without listing the organizations to a stranger.
func TestLoginRefusesUnknownOrganization(t *testing.T) {
	s := newStack(t, options{idsOnly: true, organizations: true})
	b := s.browser(t)
	r := b.get(s.url() + "/login?organization=initech")
	assert.Equal(t, http.StatusBadRequest, r.StatusCode)
	assert.Contains(t, r.message(), `organization "initech": there is no organization of that name`)
	assert.NotContains(t, r.message(), "globex", "the organizations are not listed to anyone who asks")
	assert.Empty(t, r.Header.Get("Location"))

	// An ID is the tenant's to check: it passes through, listed or not.
	authorize := b.startLogin(s.url(), "organization=org_unlisted")
	assert.Equal(t, "org_unlisted", authorize.Query().Get("organization"))
}

// The ID token's organization is compared with the ID the login sent: an
// org_name that matches the name asked for does not make up for another
// org_id (a tenant that allows names adds org_name to every token).
func TestCallbackComparesOrganizationID(t *testing.T) {
	cases := []struct {
		name    string
		opts    options
		message string
	}{
		{name: "right name, other ID", opts: options{organizations: true, idToken: func(c map[string]any) { c["org_id"] = "org_other" }},
			message: `this login asked for organization globex (org_`},
		{name: "other ID, no name", opts: options{idsOnly: true, organizations: true, idToken: func(c map[string]any) { c["org_id"] = "org_other" }},
			message: `but the ID token is for org_other`},
		{name: "no organization", opts: options{idsOnly: true, organizations: true, idToken: func(c map[string]any) { delete(c, "org_id") }},
			message: `but the ID token is for no organization`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := newStack(t, c.opts)
			b := s.browser(t)
			r := loginReply(bob, "globex")(s, b)
			assert.Equal(t, http.StatusForbidden, r.StatusCode, r.message())
			assert.Contains(t, r.message(), c.message)
			assert.Contains(t, r.message(), "start again at /login?organization=globex")
			assert.Equal(t, http.StatusUnauthorized, b.get(s.url()+"/api/messages/protected").StatusCode, "no session")
		})
	}
}

// A default organization the stack outputs do not list stops the start,
// naming the setting and the organizations there are.
func TestDefaultOrganizationMustBeInTheOutputs(t *testing.T) {
	base := websession.Config{Issuer: "https://tenant.example.com/", Audience: "https://api/", ClientID: "web", ClientSecret: "s", PublicURL: "https://models.example.com"}
	cases := []struct {
		name, org string
		orgs      map[string]string
		err       string // "" for none
	}{
		{name: "listed name", org: "acme", orgs: map[string]string{"acme": "org_1"}},
		{name: "listed ID", org: "org_1", orgs: map[string]string{"acme": "org_1"}},
		{name: "unlisted ID", org: "org_2", orgs: map[string]string{"acme": "org_1"}},
		{name: "any name without outputs", org: "initech"},
		{name: "unknown name", org: "initech", orgs: map[string]string{"acme": "org_1", "globex": "org_2"},
			err: `login: default organization "initech" (-default-org or AUTH0_DEFAULT_ORG): no such organization in the stack outputs (it has: acme, globex)`},
		{name: "outputs without organizations", org: "initech", orgs: map[string]string{},
			err: `(it has none)`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cfg := base
			cfg.DefaultOrg, cfg.Organizations = c.org, c.orgs
			err := cfg.Validate()
			if c.err == "" {
				assert.NoError(t, err)
				return
			}
			require.Error(t, err)
			assert.Contains(t, err.Error(), c.err)
		})
	}
}
