package main

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/stretchr/testify/require"
)

// providerSchema is the part of a Pulumi package schema the checks read.
type providerSchema struct {
	Version   string `json:"version"`
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
	WillReplaceOnChanges bool            `json:"willReplaceOnChanges"`
}

// readSchema decodes the schema at path, which must exist.
func readSchema(t testing.TB, path string) *providerSchema {
	t.Helper()
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	var s providerSchema
	require.NoError(t, json.Unmarshal(b, &s), path)
	require.NotEmpty(t, s.Resources, "%s declares no resources", path)
	return &s
}

// checkResource lists what is wrong with the inputs of a resource of the
// given type: unknown names, wrong types, missing required inputs.
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
		return s.checkObject(path, v, prop.Ref)
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

// checkObject checks a value against an object type of the schema.
func (s *providerSchema) checkObject(path string, v resource.PropertyValue, ref string) []string {
	typ, ok := s.Types[strings.TrimPrefix(ref, "#/types/")]
	if !ok {
		return []string{path + ": schema type " + ref + " not found"}
	}
	if !v.IsObject() {
		return []string{path + ": want an object (" + ref + ")"}
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
