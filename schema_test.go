package main

import (
	"encoding/json"
	"errors"
	"io/fs"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/model-api-auth0/model-api-auth0/internal/plan"
	"github.com/model-api-auth0/model-api-auth0/internal/tenant/stackconfig"
)

// providerVersion is the Auth0 provider the program is written against (the
// design card's pin); tools/auth0-sdkgen generates the SDK for it.
const providerVersion = "3.49.0"

// sdkSchemaPath is the pruned provider schema the SDK is generated from,
// committed with it: the conformance checks read it, so they always run.
var sdkSchemaPath = filepath.Join("sdk", "schema.json")

// generatedSDK reports whether the SDK is the one generated into sdk/ (and
// not the published module, see the README).
func generatedSDK() bool {
	_, err := os.Stat(sdkSchemaPath)
	return err == nil
}

// loadSchema returns the schema the conformance checks read: the pruned
// schema of the generated SDK, or with the published SDK the full one.
func loadSchema(t testing.TB) *providerSchema {
	t.Helper()
	if generatedSDK() {
		return readSchema(t, sdkSchemaPath)
	}
	return readSchema(t, fullSchemaPath(t))
}

// fullSchemaPath is the provider's whole schema, $AUTH0_SCHEMA or
// ../shared/auth0/schema.json; tests that need it skip without it, unless
// REQUIRE_AUTH0_SCHEMA is set.
func fullSchemaPath(t testing.TB) string {
	t.Helper()
	path := os.Getenv("AUTH0_SCHEMA")
	if path == "" {
		path = filepath.Join("..", "shared", "auth0", "schema.json")
	}
	_, err := os.Stat(path)
	if errors.Is(err, fs.ErrNotExist) {
		require.Empty(t, os.Getenv("REQUIRE_AUTH0_SCHEMA"), "REQUIRE_AUTH0_SCHEMA is set but there is no schema at %s", path)
		t.Skipf("no provider schema at %s: produce it with `pulumi package get-schema auth0@%s > schema.json` and point AUTH0_SCHEMA at it",
			path, providerVersion)
	}
	require.NoError(t, err)
	return path
}

// Every resource the program registers, in every stack, conforms to the
// provider schema: type token, input names and types, required inputs.
func TestSchemaConformance(t *testing.T) {
	s := loadSchema(t)
	plans := map[string]*plan.Plan{"base": evaluate(t, "test", baseConfig()), "agents": evaluate(t, "test", agentsConfig())}
	for _, stack := range stacks {
		plans[stack] = evaluate(t, stack, stackConfig(t, stack))
	}
	for stack, p := range plans {
		require.NotEmpty(t, p.Resources, stack)
		for _, r := range p.Resources {
			assert.Empty(t, s.checkResource(r.Type, r.Inputs), "%s: %s (%s)", stack, r.Name, r.Type)
		}
	}
}

// The checker itself must catch what it is there to catch.
func TestSchemaCheckerCatchesMistakes(t *testing.T) {
	s := loadSchema(t)
	x := resource.NewProperty("x")
	cases := []struct {
		token  string
		inputs resource.PropertyMap
		want   []string
	}{
		{"auth0:index/resourceServer:ResourceServer", resource.PropertyMap{"identifer": x},
			[]string{`unknown input "identifer"`, `required input "identifier" is missing`}},
		{"auth0:index/resourceServer:ResourceServer", resource.PropertyMap{"identifier": x, "tokenLifetime": resource.NewProperty("60")},
			[]string{`tokenLifetime: want integer, got 60`}},
		{"auth0:index/resourceServer:ResourceServer", resource.PropertyMap{"identifier": x, "tokenLifetime": resource.NewProperty(1.5)},
			[]string{`tokenLifetime: want integer, got 1.5`}},
		{"auth0:index/resourceServer:ResourceServer", resource.PropertyMap{"identifier": x, "tokenDialect": resource.NewProperty("accessTokenAuthz")},
			[]string{`tokenDialect: "accessTokenAuthz" is the SDK's camelCase rendering; Auth0 takes "access_token_authz"`}},
		{"auth0:index/resourceServerScopes:ResourceServerScopes", resource.PropertyMap{"resourceServerIdentifier": x,
			"scopes": resource.NewProperty([]resource.PropertyValue{resource.NewProperty(resource.PropertyMap{"nme": resource.NewProperty("a")})})},
			[]string{`scopes[0]: unknown property "nme"`, `scopes[0]: required property "name" is missing`}},
		{"auth0:index/nope:Nope", nil, []string{"type token not in the provider schema"}},
	}
	for _, c := range cases {
		assert.Equal(t, c.want, s.checkResource(c.token, c.inputs), "%s %v", c.token, c.inputs)
	}
}

func TestEnumValuesAreAuth0s(t *testing.T) {
	raw := baseConfig()
	raw[stackconfig.KeyClients] = `[{"name":"acme-batch","scopes":["read:models"],"organizationUsage":"require","organizations":["acme"]}]`
	p := evaluate(t, "test", raw)
	// The values the provider schema's descriptions list, in Auth0's
	// spelling; nested properties by their path.
	allowed := map[string][]string{
		"appType": {"non_interactive", "regular_web", "native"}, "tokenDialect": {"access_token", "access_token_authz", "rfc9068_profile", "rfc9068_profile_authz"},
		"authenticationMethod": {"none", "client_secret_post", "client_secret_basic"}, "organizationUsage": {"deny", "allow", "require"},
		"strategy": {"auth0"}, "signingAlg": {"RS256", "PS256"},
		"organizationRequireBehavior":            {"no_prompt", "pre_login_prompt", "post_login_prompt"},
		"subjectType":                            {"client", "user"},
		"subjectTypeAuthorization.user.policy":   {"allow_all", "deny_all", "require_client_grant"},
		"subjectTypeAuthorization.client.policy": {"deny_all", "require_client_grant"},
		"refreshToken.rotationType":              {"rotating", "non-rotating"},
		"refreshToken.expirationType":            {"expiring", "non-expiring"},
		"jwtConfiguration.alg":                   {"HS256", "RS256", "PS256"},
		"resourceParameterProfile":               {"audience", "compatibility"},
	}
	seen := map[string]bool{}
	for _, r := range p.Resources {
		for key, values := range allowed {
			if v, ok := lookupPath(r.Inputs, key); ok {
				seen[key] = true
				assert.Contains(t, values, v.StringValue(), "%s.%s", r.Name, key)
			}
		}
	}
	assert.ElementsMatch(t, slices.Collect(maps.Keys(allowed)), slices.Collect(maps.Keys(seen)), "enum inputs seen")
}

// lookupPath finds a nested input by its dotted path.
func lookupPath(m resource.PropertyMap, path string) (resource.PropertyValue, bool) {
	first, rest, nested := strings.Cut(path, ".")
	v, ok := m[resource.PropertyKey(first)]
	switch {
	case !ok:
		return v, false
	case !nested:
		return v, true
	case !v.IsObject():
		return v, false
	}
	return lookupPath(v.ObjectValue(), rest)
}

// The gate's list of properties that force replacement is the schema's, for
// every resource the generated SDK has (with the published SDK, for every
// resource the gate or a stack names).
func TestReplaceOnChangeMatchesSchema(t *testing.T) {
	s := loadSchema(t)
	tokens := slices.Collect(maps.Keys(plan.ReplaceOnChange))
	if generatedSDK() {
		tokens = append(tokens, slices.Collect(maps.Keys(s.Resources))...)
	} else {
		for _, stack := range stacks {
			for _, r := range evaluate(t, stack, stackConfig(t, stack)).Resources {
				tokens = append(tokens, r.Type)
			}
		}
	}
	slices.Sort(tokens)
	for _, token := range slices.Compact(tokens) {
		res, ok := s.Resources[token]
		if !assert.True(t, ok, "%s is not in the schema", token) {
			continue
		}
		var want []string
		for name, p := range res.InputProperties {
			if p.WillReplaceOnChanges {
				want = append(want, name)
			}
		}
		slices.Sort(want)
		assert.Equal(t, want, plan.ReplaceOnChange[token], "plan.ReplaceOnChange[%q]", token)
	}
}

// The committed pruned schema is the provider's: every resource and type in
// it is the provider schema's, unchanged, and the version is the pinned one.
func TestSDKSchemaIsTheProviders(t *testing.T) {
	type sections struct {
		Version   string                     `json:"version"`
		Resources map[string]json.RawMessage `json:"resources"`
		Types     map[string]json.RawMessage `json:"types"`
	}
	read := func(path string) sections {
		b, err := os.ReadFile(path)
		require.NoError(t, err)
		var s sections
		require.NoError(t, json.Unmarshal(b, &s), path)
		return s
	}
	if !generatedSDK() {
		t.Skip("no sdk/: the program uses the published SDK")
	}
	full, pruned := read(fullSchemaPath(t)), read(sdkSchemaPath)
	assert.Equal(t, providerVersion, pruned.Version)
	for _, part := range []struct {
		name         string
		full, pruned map[string]json.RawMessage
	}{{"resource", full.Resources, pruned.Resources}, {"type", full.Types, pruned.Types}} {
		for token, def := range part.pruned {
			if assert.Contains(t, part.full, token, "%s %s", part.name, token) {
				assert.JSONEq(t, string(part.full[token]), string(def), "%s %s differs from the provider schema; run go generate", part.name, token)
			}
		}
	}
}

// The SDK asks the engine for the auth0 plugin at the pinned version. Before
// a run, Pulumi's Go language host finds the plugin the way this test does:
// the directory `go list -m` gives for each required module, then
// pulumi-plugin.json in it, in go/ or in go/*/.
func TestSDKPinsTheProvider(t *testing.T) {
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "github.com/pulumi/pulumi-auth0/sdk/v3").Output()
	require.NoError(t, err, "go list -m github.com/pulumi/pulumi-auth0/sdk/v3")
	found, err := filepath.Glob(filepath.Join(strings.TrimSpace(string(out)), "go", "*", "pulumi-plugin.json"))
	require.NoError(t, err)
	require.Len(t, found, 1, "pulumi-plugin.json files of the SDK")
	b, err := os.ReadFile(found[0])
	require.NoError(t, err)
	var plugin struct {
		Resource bool   `json:"resource"`
		Name     string `json:"name"`
		Version  string `json:"version"`
	}
	require.NoError(t, json.Unmarshal(b, &plugin))
	assert.True(t, plugin.Resource, "a resource plugin")
	assert.Equal(t, "auth0", plugin.Name)
	assert.Equal(t, providerVersion, plugin.Version)
}
