package auth0double

import (
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func loadSchema(t *testing.T) *Schema {
	t.Helper()
	path, err := FindSchema(filepath.Join("..", "..", ".."))
	if errors.Is(err, ErrNoSchema) && os.Getenv("REQUIRE_AUTH0_SCHEMA") == "" {
		t.Skip(err)
	}
	require.NoError(t, err)
	s, err := LoadSchema(path)
	require.NoError(t, err)
	return s
}

const (
	resourceServer = "auth0:index/resourceServer:ResourceServer"
	scopes         = "auth0:index/resourceServerScopes:ResourceServerScopes"
	connection     = "auth0:index/connection:Connection"
	client         = "auth0:index/client:Client"
	credentials    = "auth0:index/clientCredentials:ClientCredentials"
	grant          = "auth0:index/clientGrant:ClientGrant"
)

func props(m map[string]any) resource.PropertyMap { return resource.NewPropertyMapFromMap(m) }

func TestCheckInputs(t *testing.T) {
	s := loadSchema(t)
	api := func(extra map[string]any) resource.PropertyMap {
		m := map[string]any{"identifier": "https://api.example.com/", "name": "API", "signingAlg": "RS256",
			"tokenLifetime": 3600, "tokenDialect": "access_token_authz", "enforcePolicies": true}
		for k, v := range extra {
			m[k] = v
		}
		return props(m)
	}
	cases := []struct {
		name   string
		token  string
		inputs resource.PropertyMap
		want   []string // failures, "property: reason" substrings, in order
	}{
		{"valid", resourceServer, api(nil), nil},
		{"unknown property", resourceServer, api(map[string]any{"signingAlgo": "RS256"}),
			[]string{`signingAlgo: unknown property "signingAlgo" of auth0:index/resourceServer:ResourceServer; did you mean "signingAlg"?`}},
		{"wrong type", resourceServer, api(map[string]any{"tokenLifetime": "3600"}),
			[]string{`tokenLifetime: want an integer, got the string "3600"`}},
		{"not a whole number", resourceServer, api(map[string]any{"tokenLifetime": 1.5}),
			[]string{`tokenLifetime: want an integer, got the number 1.5`}},
		{"missing required", resourceServer, props(map[string]any{"name": "API"}),
			[]string{`identifier: missing required property "identifier"`}},
		{"refused value", resourceServer, api(map[string]any{"signingAlg": "HS512"}),
			[]string{`signingAlg: expected signingAlg to be one of [HS256, RS256, PS256], got "HS512"`}},
		// The schema's descriptions show camelCase; the provider wants snake_case.
		{"camelCase enum value", resourceServer, api(map[string]any{"tokenDialect": "accessTokenAuthz"}),
			[]string{`tokenDialect: expected tokenDialect to be one of [access_token, `}},
		{"secret checked by what it holds", resourceServer,
			resource.PropertyMap{"identifier": resource.MakeSecret(resource.NewProperty(5.0))},
			[]string{`identifier: want a string, got the number 5`}},
		{"unknown values pass", resourceServer,
			resource.PropertyMap{"identifier": resource.MakeComputed(resource.NewProperty(""))}, nil},
		{"nested object", connection, props(map[string]any{"name": "users", "strategy": "auth0",
			"options": map[string]any{"passwordPolicy": "strong", "disableSignup": "yes", "bruteForce": true}}),
			[]string{
				`options.bruteForce: unknown property "bruteForce" of auth0:index/ConnectionOptions:ConnectionOptions; did you mean "bruteForceProtection"?`,
				`options.disableSignup: want a boolean, got the string "yes"`,
				`options.passwordPolicy: expected passwordPolicy to be one of [none, low, fair, good, excellent], got "strong"`,
			}},
		{"strategy", connection, props(map[string]any{"name": "users", "strategy": "database"}),
			[]string{`strategy: expected strategy to be one of [ad, `}},
		{"list of objects", scopes, props(map[string]any{"resourceServerIdentifier": "https://api.example.com/",
			"scopes": []any{map[string]any{"name": "read:models"}, map[string]any{"description": "no name"}}}),
			[]string{`scopes[1].name: missing required property "name"`}},
		{"list of strings", grant, props(map[string]any{"audience": "a", "clientId": "c", "scopes": []any{"read", 5},
			"organizationUsage": "sometimes"}),
			[]string{`organizationUsage: expected organizationUsage to be one of [deny, allow, require], got "sometimes"`,
				`scopes[1]: want a string, got the number 5`}},
		{"client", client, props(map[string]any{"name": "c", "appType": "nonInteractive", "grantTypes": []any{"client_credentials"}}),
			[]string{`appType: expected appType to be one of [native, `}},
		{"credentials", credentials, props(map[string]any{"clientId": "c", "authenticationMethod": "client_secret_post"}), nil},
		{"unknown resource type", "auth0:index/tenant:Tenantt", props(nil), []string{`unknown resource type "auth0:index/tenant:Tenantt"`}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			failures := s.CheckInputs(c.token, c.inputs)
			require.Len(t, failures, len(c.want), "failures: %v", failures)
			for i, w := range c.want {
				assert.Contains(t, failures[i].String(), w)
			}
		})
	}
}

func TestCheckConfig(t *testing.T) {
	s := loadSchema(t)
	assert.Empty(t, s.CheckConfig(props(map[string]any{"domain": "t.us.auth0.com", "version": "3.49.0"})))
	failures := s.CheckConfig(props(map[string]any{"domian": "t.us.auth0.com"}))
	require.Len(t, failures, 1)
	assert.Contains(t, failures[0].String(), `did you mean "domain"?`)
}

// Every allowed-values entry names a string property of the schema, and
// every value is the snake_case form of one its description names (where the
// description lists them): the table cannot drift from the provider.
func TestAllowedMatchesSchema(t *testing.T) {
	s := loadSchema(t)
	notListed := map[string]bool{ // descriptions that name no values
		connection + ".strategy":     true,
		grant + ".organizationUsage": true,
	}
	for owner, properties := range Allowed {
		for name, values := range properties {
			var p *Property
			if r, ok := s.Resources[owner]; ok {
				p = r.Inputs[name]
			} else if o, ok := s.Types[owner]; ok {
				p = o.Properties[name]
			}
			require.NotNil(t, p, "%s has no input %q", owner, name)
			assert.Equal(t, "string", p.Type, "%s.%s", owner, name)
			if notListed[owner+"."+name] {
				continue
			}
			for _, v := range values {
				assert.NotRegexp(t, `[a-z][A-Z]`, v, "%s.%s: %q is camelCase; the provider wants the snake_case API value", owner, name, v)
				assert.Contains(t, p.Description, "`"+camel(v)+"`", "%s.%s: %q is not among the values its description names", owner, name, v)
			}
		}
	}
}

var snake = regexp.MustCompile(`_([a-z0-9])`)

// camel is how the schema's descriptions render a snake_case API value.
func camel(v string) string {
	return snake.ReplaceAllStringFunc(v, func(m string) string { return strings.ToUpper(m[1:]) })
}
