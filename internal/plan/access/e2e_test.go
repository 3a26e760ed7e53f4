package access_test

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"

	"github.com/model-api-auth0/model-api-auth0/guard"
	"github.com/model-api-auth0/model-api-auth0/internal/dev/devtenant"
	"github.com/model-api-auth0/model-api-auth0/internal/dev/devtenant/devtenanttest"
	"github.com/model-api-auth0/model-api-auth0/internal/dev/echomodel"
	"github.com/model-api-auth0/model-api-auth0/internal/gateway/proxy"
	"github.com/model-api-auth0/model-api-auth0/internal/gateway/proxy/proxytest"
	"github.com/model-api-auth0/model-api-auth0/internal/plan/access"
	"github.com/model-api-auth0/model-api-auth0/internal/tenant/stackconfig"
)

// The dev stack's table, as `plan -access` prints it, holds for real tokens
// through the real gateway: every cell.
func TestDevTableMatchesTheGateway(t *testing.T) {
	cfg := devStack(t)
	table, err := access.Compute("dev", cfg, nil, "", nil)
	require.NoError(t, err)
	tn := devtenanttest.Start(t, withUsers(t, cfg, table.Principals), devtenant.Options{})
	table, err = access.Compute("dev", cfg, nil, "", organizations(t, tn))
	require.NoError(t, err)
	checkAgainstGateway(t, tn, table, proxy.DefaultRoutes(), echomodel.New(echomodel.Options{}))
}

// The test stack, with routes that need organizations (by ID, as the
// gateway takes them), clients for any organization and members without a
// role: every cell holds through the real proxy.
func TestOrganizationRulesMatchTheGateway(t *testing.T) {
	cfg := testStack(t)
	probe := devtenanttest.Start(t, testStack(t), devtenant.Options{}) // only for the organizations' IDs
	acme, globex := probe.OrgID("acme"), probe.OrgID("globex")
	routes := []proxy.Route{
		{Pattern: "GET /v1/models", AnyOf: []string{"read:models", "invoke:models"}},
		{Pattern: "POST /v1/chat/completions", AllOf: []string{"invoke:models"}},
		{Pattern: "POST /v1/fine-tunes", AllOf: []string{"train:models", "read:models"}, RequireOrg: true},
		{Pattern: "GET /v1/acme/{rest...}", AllOf: []string{"read:models"}, Orgs: []string{acme}},
		{Pattern: "POST /v1/partners/{id}", AnyOf: []string{"invoke:models", "train:models"}, Orgs: []string{acme, globex}},
		{Pattern: "GET /v1/orgs-only", RequireOrg: true},
	}
	table, err := access.Compute("access", cfg, routes, "test routes", nil)
	require.NoError(t, err)
	tn := devtenanttest.Start(t, withUsers(t, cfg, table.Principals), devtenant.Options{})
	table, err = access.Compute("access", cfg, routes, "test routes", organizations(t, tn))
	require.NoError(t, err)

	// The table is not trivial: each verdict and kind of reason appears.
	var verdicts []string
	for i := range table.Principals {
		for _, d := range table.Decisions[i] {
			verdicts = append(verdicts, string(d.Verdict)+": "+strings.SplitN(d.Reason, ":", 2)[0])
		}
	}
	for _, want := range []string{"allowed: ", "denied: insufficient scope", "denied: organization not allowed"} {
		assert.Contains(t, verdicts, want)
	}
	echo := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		json.NewEncoder(w).Encode(map[string]string{"path": r.URL.Path})
	})
	checkAgainstGateway(t, tn, table, routes, echo)
}

// checkAgainstGateway gets a real token for every principal of the table
// from tn, checks that the gateway sees the identity the table assumed,
// and calls every route through the gateway in front of upstream: 200
// where the table allows, 403 with the table's reason where it denies.
func checkAgainstGateway(t *testing.T, tn *devtenant.Tenant, table *access.Table, routes []proxy.Route, upstream http.Handler) {
	t.Helper()
	var proxied atomic.Int64
	echo := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		proxied.Add(1)
		assert.Empty(t, r.Header.Get("Authorization"), "the upstream got the token")
		assert.NotEmpty(t, r.Header.Get(proxy.HeaderSubject), "the upstream got no identity")
		upstream.ServeHTTP(w, r)
	}))
	t.Cleanup(echo.Close)
	upstreamURL, _ := url.Parse(echo.URL)
	v := devtenanttest.Validator(t, tn)
	h, err := proxy.New(v, proxy.Config{Upstream: upstreamURL, Routes: routes, Logger: proxytest.Quiet})
	require.NoError(t, err)
	gw := httptest.NewServer(h)
	t.Cleanup(gw.Close)
	models := modelGateway(t, v, table, routes)

	ctx := context.Background()
	users := emails(table.Principals)
	for i, p := range table.Principals {
		tok := principalToken(t, ctx, tn, p, users[p.Name])
		id, err := v.Validate(ctx, tok)
		require.NoError(t, err, p.Name)
		assert.Equal(t, p.OrganizationID, id.OrgID, "%s: organization of the token", p.Name)
		assert.Equal(t, p.Grants, apiGrants(id), "%s: what the token grants", p.Name)
		checkModelCells(t, table, p, id)
		if models != nil {
			checkModelRequests(t, models.URL, table, i, tok)
		}

		for j, r := range table.Routes {
			want := table.Decisions[i][j]
			require.NotEqual(t, access.Unknown, want.Verdict, "%s %s: the organizations' IDs were given", p.Name, r.Pattern)
			before := proxied.Load()
			status, message := call(t, gw.URL, r.Pattern, tok)
			cellName := fmt.Sprintf("%s calling %s", p.Name, r.Pattern)
			if want.Verdict == access.Allowed {
				assert.Equal(t, http.StatusOK, status, "%s: the table allows it; the gateway said %s", cellName, message)
				if !strings.HasPrefix(r.Pattern, "GET /api/messages/") {
					assert.Equal(t, before+1, proxied.Load(), "%s: not proxied", cellName)
				}
			} else {
				assert.Equal(t, http.StatusForbidden, status, "%s: the table denies it (%s)", cellName, want.Reason)
				assert.Equal(t, want.Reason, message, "%s: the gateway's reason", cellName)
				assert.Equal(t, before, proxied.Load(), "%s: reached the upstream", cellName)
			}
		}
	}
}

// requests are valid OpenAI-compatible bodies for the echo model's routes.
var requests = map[string]string{
	"POST /v1/chat/completions": `{"model":"echo","messages":[{"role":"user","content":"hello"}]}`,
	"POST /v1/completions":      `{"model":"echo","prompt":"hello"}`,
	"POST /v1/embeddings":       `{"model":"echo","input":"hello"}`,
	"POST /v1/responses":        `{"model":"echo","input":"hello"}`,
}

// call sends one request for a route pattern, with its wildcards filled
// in with the echo model's name, and returns the status and the JSON
// message of an error.
func call(t *testing.T, base, pattern, token string) (int, string) {
	t.Helper()
	method, path, _ := strings.Cut(pattern, " ")
	path = regexp.MustCompile(`\{[^}.$]+(\.\.\.)?\}`).ReplaceAllString(path, "echo")
	path = strings.ReplaceAll(path, "{$}", "")
	var body io.Reader
	if method == http.MethodPost {
		body = strings.NewReader(cmp.Or(requests[pattern], "{}"))
	}
	req, err := http.NewRequest(method, base+path, body)
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	// The gateway's own shape, or OpenAI's on OpenAI-compatible routes.
	var msg struct {
		Message string `json:"message"`
		Error   struct {
			Message string `json:"message"`
		} `json:"error"`
	}
	json.NewDecoder(resp.Body).Decode(&msg)
	return resp.StatusCode, cmp.Or(msg.Message, msg.Error.Message)
}

// principalToken gets a token the way the principal would: client
// credentials for a client (for an organization, with Auth0's
// organization parameter), a login for a person.
func principalToken(t *testing.T, ctx context.Context, tn *devtenant.Tenant, p access.Principal, email string) string {
	t.Helper()
	switch p.Kind {
	case access.Client:
		cc := clientcredentials.Config{ClientID: tn.ClientID(p.Client), ClientSecret: tn.ClientSecret(p.Client), TokenURL: tn.TokenURL(),
			EndpointParams: url.Values{"audience": {tn.Audience()}}, AuthStyle: oauth2.AuthStyleInParams}
		if p.Organization != "" {
			cc.EndpointParams.Set("organization", p.Organization)
		}
		tok, err := cc.Token(ctx)
		require.NoError(t, err, p.Name)
		return tok.AccessToken
	default:
		require.NotEmpty(t, email, "%s: no test user plays this principal", p.Name)
		tok, err := tn.Tokens(ctx, devtenant.UserLogin{Email: email, Organization: p.Organization})
		require.NoError(t, err, p.Name)
		return tok.AccessToken
	}
}

// apiGrants is what a token grants of the API: its scopes and
// permissions, without OpenID Connect's scopes.
func apiGrants(id *guard.Identity) []string {
	out := []string{}
	for _, s := range append(slices.Clone(id.Scopes), id.Permissions...) {
		if !slices.Contains([]string{"openid", "profile", "email", "offline_access"}, s) && !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	slices.Sort(out)
	return out
}

// withUsers adds a test user for every person of the table, so that each
// principal is played by a user who is exactly that: a member of the
// organization with only that role, a user of no organization (who joins
// one that assigns membership on login, or stays outside). Principals
// come from organizations, roles and clients only, so they are unchanged.
func withUsers(t *testing.T, cfg *stackconfig.Config, principals []access.Principal) *stackconfig.Config {
	t.Helper()
	users := emails(principals)
	for _, p := range principals {
		email := users[p.Name]
		if email == "" {
			continue
		}
		cfg.TestUsers = append(cfg.TestUsers, stackconfig.TestUserConfig{Email: email, Name: p.Name})
		if p.Kind != access.Member {
			continue
		}
		i := slices.IndexFunc(cfg.Organizations, func(o stackconfig.OrganizationConfig) bool { return o.Name == p.Organization })
		require.GreaterOrEqual(t, i, 0)
		cfg.Organizations[i].Members = append(cfg.Organizations[i].Members, stackconfig.MemberConfig{Email: email, Roles: []string{p.Role}})
	}
	return cfg
}

// emails names the test user of each person principal.
func emails(principals []access.Principal) map[string]string {
	out := map[string]string{}
	for i, p := range principals {
		if p.Kind != access.Client {
			out[p.Name] = fmt.Sprintf("principal-%d@access.example.com", i)
		}
	}
	return out
}

func organizations(t *testing.T, tn *devtenant.Tenant) map[string]string {
	t.Helper()
	out, err := tn.Outputs()
	require.NoError(t, err)
	return out.Organizations
}
