package auth0double

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// ErrNoSchema is returned by FindSchema when no provider schema is found.
var ErrNoSchema = errors.New("no Auth0 provider schema")

// Schema is the part of the provider's Pulumi package schema the double
// enforces: resources, the object types they use, and the provider config.
type Schema struct {
	Config    map[string]*Property     `json:"-"`
	Resources map[string]*ResourceType `json:"resources"`
	Types     map[string]*Object       `json:"types"`
}

// ResourceType is a resource type of the schema.
type ResourceType struct {
	Inputs         map[string]*Property `json:"inputProperties"`
	RequiredInputs []string             `json:"requiredInputs"`
	Outputs        map[string]*Property `json:"properties"`
}

// Object is an object type (#/types/...).
type Object struct {
	Properties map[string]*Property `json:"properties"`
	Required   []string             `json:"required"`
}

// Property is the type of an input, an output or an object field.
type Property struct {
	Type                 string    `json:"type"`
	Ref                  string    `json:"$ref"`
	Items                *Property `json:"items"`
	AdditionalProperties *Property `json:"additionalProperties"`
	Secret               bool      `json:"secret"`
	WillReplaceOnChanges bool      `json:"willReplaceOnChanges"`
	Description          string    `json:"description"`
}

// LoadSchema reads a Pulumi package schema (the provider's full schema, or
// a pruned copy with the same shape).
func LoadSchema(path string) (*Schema, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var doc struct {
		Schema
		ConfigSection struct {
			Variables map[string]*Property `json:"variables"`
		} `json:"config"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if len(doc.Resources) == 0 {
		return nil, fmt.Errorf("%s declares no resources: not a provider schema", path)
	}
	s := doc.Schema
	s.Config = doc.ConfigSection.Variables
	return &s, nil
}

// FindSchema returns the provider schema to use for the project at root:
// the pruned copy committed at sdk/schema.json (so that tests never lack
// it), else $AUTH0_SCHEMA, else ../shared/auth0/schema.json next to the
// project. The error wraps ErrNoSchema and says how to get one.
func FindSchema(root string) (string, error) {
	candidates := []string{filepath.Join(root, "sdk", "schema.json")}
	if env := os.Getenv("AUTH0_SCHEMA"); env != "" {
		candidates = append(candidates, env)
	}
	candidates = append(candidates, filepath.Join(root, "..", "shared", "auth0", "schema.json"))
	for _, p := range candidates {
		if _, err := os.Stat(p); err == nil {
			return p, nil
		} else if !errors.Is(err, fs.ErrNotExist) {
			return "", err
		}
	}
	return "", fmt.Errorf("%w at %s: produce it with `pulumi package get-schema auth0@%s > schema.json` and point AUTH0_SCHEMA at it",
		ErrNoSchema, strings.Join(candidates, ", "), ProviderVersion)
}

// object returns the object type a $ref names, or nil for a reference to
// Pulumi's built-in types (pulumi.json#/Any, assets), which hold anything.
func (s *Schema) object(ref string) (*Object, bool) {
	name, ok := strings.CutPrefix(ref, "#/types/")
	if !ok {
		return nil, strings.HasPrefix(ref, "pulumi.json#/")
	}
	o, ok := s.Types[name]
	return o, ok
}
