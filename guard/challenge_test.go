package guard_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/model-api-auth0/model-api-auth0/guard"
)

// challenge is one WWW-Authenticate challenge: its scheme and parameters.
type challenge struct {
	scheme string
	params map[string]string
}

var challengeParam = regexp.MustCompile(`(\w+)="((?:[^"\\]|\\.)*)"`)

// parseChallenges reads the challenges guard writes: one per header line.
func parseChallenges(t *testing.T, lines []string) map[string]challenge {
	t.Helper()
	got := map[string]challenge{}
	for _, line := range lines {
		scheme, rest, _ := strings.Cut(line, " ")
		c := challenge{scheme: scheme, params: map[string]string{}}
		for _, m := range challengeParam.FindAllStringSubmatch(rest, -1) {
			_, dup := c.params[m[1]]
			require.False(t, dup, "parameter %s twice in %q", m[1], line)
			c.params[m[1]] = m[2]
		}
		got[scheme] = c
	}
	return got
}

// Every challenge names the scopes the route needs, on a 401 as on a 403
// (RFC 6750 section 3; MCP clients ask the tenant for them), all of them
// in one scope (the route's, not only those the token lacks: the client
// asks for a new token with exactly these), under both schemes; the error
// goes on the challenge of the scheme the request used.
func TestChallengesNameTheRouteScopes(t *testing.T) {
	const metadata = "https://models.example.com/.well-known/oauth-protected-resource"
	s := newDPoPSetup(t, func(c *guard.Config) { c.ResourceMetadataURL = metadata })
	bearerOnly := newValidator(t, s.iss, func(c *guard.Config) { c.ResourceMetadataURL = metadata })
	route := guard.Requirement{AllOf: []string{"invoke:models", "model:echo"}, AnyOf: []string{"read:models", "invoke:models"}}
	const all = "invoke:models model:echo read:models"
	withScope := func(scope string) string { return "Bearer " + s.iss.Token(map[string]any{"scope": scope}) }
	boundWithScope := func(scope string) string {
		return s.iss.Token(map[string]any{"scope": scope, "cnf": map[string]string{"jkt": s.key.Thumbprint()}})
	}
	for _, c := range []struct {
		name   string
		v      *guard.Validator // nil: s.v, which takes Bearer and DPoP
		req    guard.Requirement
		auth   string
		proof  bool // a valid proof for auth's DPoP token
		status int
		// want: per scheme, the error and scope parameters ("-": absent);
		// no entry: no such challenge.
		want map[string][2]string
	}{
		{"bearer only, no token", bearerOnly, route, "", false, 401, map[string][2]string{"Bearer": {"-", all}}},
		{"bearer only, bad token", bearerOnly, route, withScope(all) + "x", false, 401, map[string][2]string{"Bearer": {"invalid_token", all}}},
		{"bearer only, one scope of three", bearerOnly, route, withScope("invoke:models"), false, 403, map[string][2]string{"Bearer": {"insufficient_scope", all}}},
		{"bearer only, route without scopes", bearerOnly, guard.Requirement{}, "", false, 401, map[string][2]string{"Bearer": {"-", "-"}}},
		{"both, no token", nil, route, "", false, 401, map[string][2]string{"Bearer": {"-", all}, "DPoP": {"-", all}}},
		{"both, bearer missing a scope", nil, route, withScope("invoke:models read:models"), false, 403,
			map[string][2]string{"Bearer": {"insufficient_scope", all}, "DPoP": {"-", all}}},
		{"both, DPoP missing a scope", nil, route, "DPoP " + boundWithScope("read:models"), true, 403,
			map[string][2]string{"Bearer": {"-", all}, "DPoP": {"insufficient_scope", all}}},
		{"both, DPoP without its proof", nil, route, "DPoP " + boundWithScope(all), false, 401,
			map[string][2]string{"Bearer": {"-", all}, "DPoP": {"invalid_dpop_proof", all}}},
		{"DPoP route, bearer", nil, guard.Requirement{AllOf: []string{"invoke:models"}, DPoP: true}, withScope("invoke:models"), false, 401,
			map[string][2]string{"DPoP": {"invalid_token", "invoke:models"}}},
	} {
		t.Run(c.name, func(t *testing.T) {
			v := c.v
			if v == nil {
				v = s.v
			}
			h := v.Require(c.req)(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
			r := httptest.NewRequest("GET", "/v1/models", nil)
			if c.auth != "" {
				r.Header.Set("Authorization", c.auth)
			}
			if c.proof {
				_, token, _ := strings.Cut(c.auth, " ")
				r.Header.Set("DPoP", must(s.key.Proof("GET", publicURL+"/v1/models", token, "")))
			}
			w := httptest.NewRecorder()
			h.ServeHTTP(w, r)
			require.Equal(t, c.status, w.Code, w.Body.String())
			got := parseChallenges(t, w.Header().Values("WWW-Authenticate"))
			require.Len(t, got, len(c.want), "challenges %q", w.Header().Values("WWW-Authenticate"))
			for scheme, want := range c.want {
				ch, ok := got[scheme]
				require.True(t, ok, "no %s challenge in %q", scheme, w.Header().Values("WWW-Authenticate"))
				for i, name := range []string{"error", "scope"} {
					value, has := ch.params[name]
					if want[i] == "-" {
						assert.False(t, has, "%s challenge has %s=%q", scheme, name, value)
						continue
					}
					assert.Equal(t, want[i], value, "%s challenge's %s", scheme, name)
				}
				assert.Equal(t, metadata, ch.params["resource_metadata"], scheme)
			}
		})
	}
}

// A handler behind Require that finds the operation needs more (a model's
// permission, once the body is read) challenges with everything the
// operation needs, in the shape Require uses; a 503's error gets none.
func TestChallengeForAnOperation(t *testing.T) {
	s := newDPoPSetup(t, nil)
	op := guard.Requirement{AllOf: []string{"invoke:models", "model:secret"}}
	for _, c := range []struct {
		name   string
		err    error
		want   []string
		scheme string
	}{
		{"insufficient scope, bearer", fmt.Errorf("%w: needs model:secret", guard.ErrInsufficientScope),
			[]string{`Bearer realm="` + s.iss.Audience + `", error="insufficient_scope", error_description="insufficient scope: needs model:secret", scope="invoke:models model:secret"`,
				`DPoP algs=`}, "Bearer"},
		{"insufficient scope, DPoP", fmt.Errorf("%w: needs model:secret", guard.ErrInsufficientScope),
			[]string{`Bearer realm="` + s.iss.Audience + `", scope="invoke:models model:secret"`,
				`DPoP algs=`}, "DPoP"},
		{"keys unavailable", guard.ErrKeysUnavailable, nil, "Bearer"},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := httptest.NewRequest("POST", "/v1/chat/completions", nil)
			r.Header.Set("Authorization", c.scheme+" token")
			w := httptest.NewRecorder()
			s.v.Challenge(w, r, op, c.err)
			got := w.Header().Values("WWW-Authenticate")
			require.Len(t, got, len(c.want), "%q", got)
			for i, want := range c.want {
				assert.True(t, strings.HasPrefix(got[i], want), "%q\nwant prefix %q", got[i], want)
				assert.Contains(t, got[i], `scope="invoke:models model:secret"`)
			}
			if c.scheme == "DPoP" && len(got) == 2 {
				assert.Contains(t, got[1], `error="insufficient_scope"`)
			}
			assert.Empty(t, w.Body.String(), "Challenge writes no body")
		})
	}
}

// Scopes lists each scope once, AllOf's first.
func TestRequirementScopes(t *testing.T) {
	for _, c := range []struct {
		req  guard.Requirement
		want []string
	}{
		{guard.Requirement{}, nil},
		{guard.Requirement{AllOf: []string{"b", "a"}}, []string{"b", "a"}},
		{guard.Requirement{AllOf: []string{"a"}, AnyOf: []string{"c", "a", "d"}}, []string{"a", "c", "d"}},
		{guard.Requirement{AnyOf: []string{"x", "x"}, RequireOrg: true}, []string{"x"}},
	} {
		assert.Equal(t, c.want, c.req.Scopes(), "%+v", c.req)
	}
}
