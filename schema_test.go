package tenant_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"

	"github.com/model-api-auth0/model-api-auth0/internal/auth0"
	"github.com/model-api-auth0/model-api-auth0/internal/plan"
)

// providerSchema is the part of a Pulumi package schema the checks read.
type providerSchema struct {
	Resources map[string]struct {
		InputProperties map[string]schemaProperty `json:"inputProperties"`
		RequiredInputs  []string                  `json:"requiredInputs"`
		Properties      map[string]schemaProperty `json:"properties"`
	} `json:"resources"`
	Types map[string]struct {
		Type       string                    `json:"type"`
		Properties map[string]schemaProperty `json:"properties"`
		Required   []string                  `json:"required"`
	} `json:"types"`
}

type schemaProperty struct {
	Type                 string          `json:"type"`
	Ref                  string          `json:"$ref"`
	Items                *schemaProperty `json:"items"`
	AdditionalProperties *schemaProperty `json:"additionalProperties"`
	Description          string          `json:"description"`
}

func loadSchema(t *testing.T) *providerSchema {
	t.Helper()
	path := schemaPath(t)
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		if os.Getenv("REQUIRE_AUTH0_SCHEMA") != "" {
			t.Fatalf("REQUIRE_AUTH0_SCHEMA is set but there is no schema at %s", path)
		}
		t.Skipf("no provider schema at %s: produce it with `pulumi package get-schema auth0@%s > schema.json` and point AUTH0_SCHEMA at it",
			path, auth0.ProviderVersion)
	}
	if err != nil {
		t.Fatal(err)
	}
	var s providerSchema
	if err := json.Unmarshal(b, &s); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	if len(s.Resources) == 0 {
		t.Fatalf("%s declares no resources", path)
	}
	return &s
}

// Every resource the program registers, in every stack, conforms to the
// provider schema: type token, input names and types, required inputs.
func TestSchemaConformance(t *testing.T) {
	s := loadSchema(t)
	plans := map[string]*plan.Plan{"base": evaluate(t, "test", baseConfig())}
	for _, stack := range stacks {
		plans[stack] = evaluate(t, stack, stackConfig(t, stack))
	}
	checked := map[string]bool{}
	for stack, p := range plans {
		for _, r := range p.Resources {
			for _, problem := range s.checkResource(r.Type, r.Inputs) {
				t.Errorf("%s: %s (%s): %s", stack, r.Name, r.Type, problem)
			}
			checked[r.Type] = true
		}
	}
	for _, token := range auth0.Tokens {
		if !checked[token] {
			t.Errorf("%s is never registered by any stack, so its inputs are not checked", token)
		}
	}
}

// The outputs the typed layer reads exist in the schema.
func TestSchemaOutputs(t *testing.T) {
	s := loadSchema(t)
	for typ, token := range auth0.Tokens {
		res, ok := s.Resources[token]
		if !ok {
			t.Errorf("%s: no such resource in the schema", token)
			continue
		}
		for i := range typ.NumField() {
			name := typ.Field(i).Tag.Get("pulumi")
			if _, ok := res.Properties[name]; name != "" && !ok {
				t.Errorf("%s reads output %q, which the schema does not declare", token, name)
			}
		}
	}
}

// The checker itself must catch what it is there to catch.
func TestSchemaCheckerCatchesMistakes(t *testing.T) {
	s := loadSchema(t)
	token := "auth0:index/resourceServer:ResourceServer"
	cases := map[string]resource.PropertyMap{
		`unknown input "identifer"`:              {"identifer": resource.NewProperty("x")},
		`tokenLifetime: want integer`:            {"identifier": resource.NewProperty("x"), "tokenLifetime": resource.NewProperty("60")},
		`tokenLifetime: want integer, got 1.5`:   {"identifier": resource.NewProperty("x"), "tokenLifetime": resource.NewProperty(1.5)},
		`required input "identifier" is missing`: {"name": resource.NewProperty("x")},
		`tokenDialect: "accessTokenAuthz" is the SDK's camelCase rendering; Auth0 takes "access_token_authz"`: {
			"identifier": resource.NewProperty("x"), "tokenDialect": resource.NewProperty("accessTokenAuthz")},
	}
	for want, inputs := range cases {
		if got := strings.Join(s.checkResource(token, inputs), "; "); !strings.Contains(got, want) {
			t.Errorf("inputs %v: problems %q, want %q", inputs, got, want)
		}
	}
	scopes := resource.PropertyMap{"resourceServerIdentifier": resource.NewProperty("x"), "scopes": resource.NewProperty([]resource.PropertyValue{
		resource.NewProperty(resource.PropertyMap{"nme": resource.NewProperty("a")})})}
	if got := strings.Join(s.checkResource("auth0:index/resourceServerScopes:ResourceServerScopes", scopes), "; "); !strings.Contains(got, `scopes[0]: unknown property "nme"`) ||
		!strings.Contains(got, `scopes[0]: required property "name" is missing`) {
		t.Errorf("nested object problems not found: %q", got)
	}
	if got := s.checkResource("auth0:index/nope:Nope", nil); len(got) == 0 {
		t.Error("an unknown type token passes")
	}
}

func (s *providerSchema) checkResource(token string, inputs resource.PropertyMap) []string {
	res, ok := s.Resources[token]
	if !ok {
		return []string{"type token not in the provider schema"}
	}
	var problems []string
	for _, key := range inputs.StableKeys() {
		prop, ok := res.InputProperties[string(key)]
		if !ok {
			problems = append(problems, fmt.Sprintf("unknown input %q", key))
			continue
		}
		problems = append(problems, s.checkValue(string(key), inputs[key], prop)...)
	}
	for _, req := range res.RequiredInputs {
		if _, ok := inputs[resource.PropertyKey(req)]; !ok {
			problems = append(problems, fmt.Sprintf("required input %q is missing", req))
		}
	}
	return problems
}

func (s *providerSchema) checkValue(path string, v resource.PropertyValue, prop schemaProperty) []string {
	for v.IsSecret() || v.IsOutput() {
		if v.IsSecret() {
			v = v.SecretValue().Element
		} else if o := v.OutputValue(); o.Known {
			v = o.Element
		} else {
			return nil // unknown until the provider runs
		}
	}
	if v.IsNull() {
		return nil
	}
	if strings.HasPrefix(prop.Ref, "#/types/") {
		typ, ok := s.Types[strings.TrimPrefix(prop.Ref, "#/types/")]
		if !ok {
			return []string{path + ": schema type " + prop.Ref + " not found"}
		}
		if !v.IsObject() {
			return []string{path + ": want an object (" + prop.Ref + ")"}
		}
		var problems []string
		obj := v.ObjectValue()
		for _, key := range obj.StableKeys() {
			p, ok := typ.Properties[string(key)]
			if !ok {
				problems = append(problems, fmt.Sprintf("%s: unknown property %q", path, key))
				continue
			}
			problems = append(problems, s.checkValue(path+"."+string(key), obj[key], p)...)
		}
		for _, req := range typ.Required {
			if _, ok := obj[resource.PropertyKey(req)]; !ok {
				problems = append(problems, fmt.Sprintf("%s: required property %q is missing", path, req))
			}
		}
		return problems
	}
	switch prop.Type {
	case "string":
		if !v.IsString() {
			return []string{path + ": want string, got " + v.TypeString()}
		}
		return enumTrap(path, v.StringValue(), prop.Description)
	case "integer":
		if !v.IsNumber() || v.NumberValue() != math.Trunc(v.NumberValue()) {
			return []string{fmt.Sprintf("%s: want integer, got %v", path, v.V)}
		}
	case "number":
		if !v.IsNumber() {
			return []string{path + ": want number, got " + v.TypeString()}
		}
	case "boolean":
		if !v.IsBool() {
			return []string{path + ": want boolean, got " + v.TypeString()}
		}
	case "array":
		if !v.IsArray() {
			return []string{path + ": want array, got " + v.TypeString()}
		}
		var problems []string
		for i, e := range v.ArrayValue() {
			problems = append(problems, s.checkValue(fmt.Sprintf("%s[%d]", path, i), e, *prop.Items)...)
		}
		return problems
	case "object":
		if !v.IsObject() {
			return []string{path + ": want object, got " + v.TypeString()}
		}
		if prop.AdditionalProperties != nil {
			var problems []string
			for k, e := range v.ObjectValue() {
				problems = append(problems, s.checkValue(path+"."+string(k), e, *prop.AdditionalProperties)...)
			}
			return problems
		}
	}
	return nil
}

// spanPattern finds the per-language renderings of a value in a schema
// description: the Go one is camelCase, the HCL one is what Auth0 accepts.
var spanPattern = regexp.MustCompile("pulumi-lang-go=\"`([^`]*)`\"[^>]*pulumi-lang-hcl=\"`([^`]*)`\"")

// enumTrap reports a value written as the description's camelCase rendering
// of an enum value instead of the snake_case value Auth0 takes.
func enumTrap(path, value, description string) []string {
	for _, m := range spanPattern.FindAllStringSubmatch(description, -1) {
		if goForm, apiForm := m[1], m[2]; value == goForm && goForm != apiForm {
			return []string{fmt.Sprintf("%s: %q is the SDK's camelCase rendering; Auth0 takes %q", path, value, apiForm)}
		}
	}
	return nil
}

func TestEnumValuesAreAuth0s(t *testing.T) {
	p := evaluate(t, "test", baseConfig())
	allowed := map[string][]string{
		"appType": {"non_interactive"}, "tokenDialect": {"access_token", "access_token_authz", "rfc9068_profile", "rfc9068_profile_authz"},
		"authenticationMethod": {"none", "client_secret_post", "client_secret_basic"}, "organizationUsage": {"deny", "allow", "require"},
		"strategy": {"auth0"}, "signingAlg": {"RS256", "PS256"},
	}
	seen := 0
	for _, r := range p.Resources {
		for key, values := range allowed {
			if v, ok := r.Inputs[resource.PropertyKey(key)]; ok {
				seen++
				if !slices.Contains(values, v.StringValue()) {
					t.Errorf("%s.%s = %q, want one of %v", r.Name, key, v.StringValue(), values)
				}
			}
		}
	}
	if seen < len(allowed) {
		t.Errorf("only %d enum inputs seen", seen)
	}
}

// The gate's list of properties that force replacement is the schema's.
func TestReplaceOnChangeMatchesSchema(t *testing.T) {
	path := schemaPath(t)
	loadSchema(t) // skips, or fails under REQUIRE_AUTH0_SCHEMA, without the file
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var raw struct {
		Resources map[string]struct {
			InputProperties map[string]struct {
				WillReplaceOnChanges bool `json:"willReplaceOnChanges"`
			} `json:"inputProperties"`
		} `json:"resources"`
	}
	if err := json.Unmarshal(b, &raw); err != nil {
		t.Fatal(err)
	}
	for _, token := range auth0.Tokens {
		var want []string
		for name, p := range raw.Resources[token].InputProperties {
			if p.WillReplaceOnChanges {
				want = append(want, name)
			}
		}
		slices.Sort(want)
		if got := plan.ReplaceOnChange[token]; !slices.Equal(got, want) {
			t.Errorf("%s: plan.ReplaceOnChange has %v, the schema marks %v", token, got, want)
		}
	}
}
