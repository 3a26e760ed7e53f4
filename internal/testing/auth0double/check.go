package auth0double

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"

	"github.com/model-api-auth0/model-api-auth0/internal/strictjson"
)

// Failure is one input the provider refuses, as Check reports it.
type Failure struct {
	Property string // path: "options.passwordPolicy", "scopes[1].name"
	Reason   string
}

func (f Failure) String() string { return f.Property + ": " + f.Reason }

// CheckInputs validates a resource's inputs as the provider's Check does:
// an unknown resource type, unknown properties, values of the wrong type,
// missing required inputs, and string values outside Allowed are refused.
// Unknown values (outputs not yet known, in a preview) pass; secrets are
// checked by what they hold.
func (s *Schema) CheckInputs(token string, inputs resource.PropertyMap) []Failure {
	r, ok := s.Resources[token]
	if !ok {
		return []Failure{{Reason: fmt.Sprintf("unknown resource type %q in the auth0 provider schema", token)}}
	}
	var c checker
	c.schema = s
	c.object(token, "", r.Inputs, r.RequiredInputs, inputs)
	return c.failures
}

// CheckConfig validates the provider's configuration (the auth0:* stack
// config). The engine adds "version", the plugin version it asked for.
func (s *Schema) CheckConfig(config resource.PropertyMap) []Failure {
	var c checker
	c.schema = s
	vars := map[string]*Property{"version": {Type: "string"}}
	for k, v := range s.Config {
		vars[k] = v
	}
	c.object("auth0:config", "", vars, nil, config)
	return c.failures
}

type checker struct {
	schema   *Schema
	failures []Failure
}

func (c *checker) fail(path, format string, args ...any) {
	c.failures = append(c.failures, Failure{Property: path, Reason: fmt.Sprintf(format, args...)})
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// object checks the properties of an object whose fields are props.
func (c *checker) object(owner, path string, props map[string]*Property, required []string, value resource.PropertyMap) {
	for _, key := range value.StableKeys() {
		p, ok := props[string(key)]
		if !ok {
			c.fail(join(path, string(key)), "unknown property %q of %s%s", key, owner, strictjson.Suggest(string(key), sortedKeys(props)))
			continue
		}
		c.value(owner, string(key), join(path, string(key)), p, value[key])
	}
	for _, key := range required {
		if v, ok := value[resource.PropertyKey(key)]; !ok || v.IsNull() {
			c.fail(join(path, key), "missing required property %q of %s", key, owner)
		}
	}
}

// value checks one value against its declared type. owner and name find
// the property's allowed values.
func (c *checker) value(owner, name, path string, p *Property, v resource.PropertyValue) {
	for v.IsSecret() {
		v = v.SecretValue().Element
	}
	if v.IsComputed() || v.IsOutput() || v.IsNull() {
		return
	}
	if p.Ref != "" {
		obj, ok := c.schema.object(p.Ref)
		switch {
		case !ok:
			c.fail(path, "the schema has no type %s", p.Ref)
		case obj == nil: // pulumi.json#/Any
		case !v.IsObject():
			c.fail(path, "want an object (%s), got %s", p.Ref, kind(v))
		default:
			c.object(strings.TrimPrefix(p.Ref, "#/types/"), path, obj.Properties, obj.Required, v.ObjectValue())
		}
		return
	}
	switch p.Type {
	case "string":
		if !v.IsString() {
			c.fail(path, "want a string, got %s", kind(v))
			return
		}
		if allowed, ok := Allowed[owner][name]; ok && !slices.Contains(allowed, v.StringValue()) {
			c.fail(path, "expected %s to be one of [%s], got %q", name, strings.Join(allowed, ", "), v.StringValue())
		}
	case "integer":
		if !v.IsNumber() || v.NumberValue() != math.Trunc(v.NumberValue()) {
			c.fail(path, "want an integer, got %s", kind(v))
		}
	case "number":
		if !v.IsNumber() {
			c.fail(path, "want a number, got %s", kind(v))
		}
	case "boolean":
		if !v.IsBool() {
			c.fail(path, "want a boolean, got %s", kind(v))
		}
	case "array":
		if !v.IsArray() {
			c.fail(path, "want a list, got %s", kind(v))
			return
		}
		for i, e := range v.ArrayValue() {
			c.value(owner, name, fmt.Sprintf("%s[%d]", path, i), p.Items, e)
		}
	case "object":
		if !v.IsObject() {
			c.fail(path, "want an object, got %s", kind(v))
			return
		}
		if p.AdditionalProperties != nil {
			obj := v.ObjectValue()
			for _, k := range obj.StableKeys() {
				c.value(owner, name, join(path, string(k)), p.AdditionalProperties, obj[k])
			}
		}
	default:
		c.fail(path, "the schema declares an unsupported type %q", p.Type)
	}
}

func kind(v resource.PropertyValue) string {
	switch {
	case v.IsString():
		return fmt.Sprintf("the string %q", v.StringValue())
	case v.IsNumber():
		return fmt.Sprintf("the number %v", v.NumberValue())
	case v.IsBool():
		return fmt.Sprint(v.BoolValue())
	case v.IsArray():
		return "a list"
	case v.IsObject():
		return "an object"
	}
	return string(v.TypeString())
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
