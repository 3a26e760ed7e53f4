package main

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
)

// ErrNotInSchema is returned when a kept resource, or something a kept
// definition references, is not in the provider schema.
var ErrNotInSchema = errors.New("not in the provider schema")

// Prune returns the part of a provider schema (decoded JSON) that the SDK is
// generated from: the resources named in keep, the provider with its config
// and its methods, the functions those methods are, and every object type any
// of them references, with the package version set. Everything else of the
// schema's top level (name, language options, ...) is kept as it is. Every
// missing definition is reported at once.
func Prune(full map[string]any, keep []string, version string) (map[string]any, error) {
	resources, err := section(full, "resources")
	if err != nil {
		return nil, err
	}
	types, err := section(full, "types")
	if err != nil {
		return nil, err
	}
	functions, err := section(full, "functions")
	if err != nil {
		return nil, err
	}

	out := maps.Clone(full)
	out["version"] = version
	keptResources, keptTypes, keptFunctions := map[string]any{}, map[string]any{}, map[string]any{}
	var missing []string
	for _, token := range keep {
		r, ok := resources[token]
		if !ok {
			missing = append(missing, "resource "+token)
			continue
		}
		keptResources[token] = r
	}

	// The provider's methods (terraformConfig) are functions the provider
	// resource binds to; resources may have methods too.
	roots := []any{full["provider"], full["config"]}
	for _, r := range keptResources {
		roots = append(roots, r)
	}
	for _, owner := range roots {
		obj, _ := owner.(map[string]any)
		methods, _ := obj["methods"].(map[string]any)
		for _, fn := range methods {
			token, _ := fn.(string)
			f, ok := functions[token]
			if !ok {
				missing = append(missing, "function "+token)
				continue
			}
			keptFunctions[token] = f
			roots = append(roots, f)
		}
	}

	// Every object type reachable from what is kept, transitively.
	queue := slices.Clone(roots)
	for len(queue) > 0 {
		v := queue[0]
		queue = queue[1:]
		for _, ref := range refs(v) {
			switch {
			case strings.HasPrefix(ref, "#/types/"):
				token := strings.TrimPrefix(ref, "#/types/")
				if _, done := keptTypes[token]; done {
					continue
				}
				t, ok := types[token]
				if !ok {
					missing = append(missing, "type "+token)
					continue
				}
				keptTypes[token] = t
				queue = append(queue, t)
			case strings.HasPrefix(ref, "#/resources/"):
				if token := strings.TrimPrefix(ref, "#/resources/"); keptResources[token] == nil {
					missing = append(missing, "resource "+token+" (referenced by a kept definition; add it to Resources)")
				}
			}
		}
	}
	if len(missing) > 0 {
		slices.Sort(missing)
		missing = slices.Compact(missing)
		return nil, fmt.Errorf("%w: %s", ErrNotInSchema, strings.Join(missing, ", "))
	}
	out["resources"], out["types"], out["functions"] = keptResources, keptTypes, keptFunctions
	return out, nil
}

// section returns a top-level map of the schema.
func section(full map[string]any, name string) (map[string]any, error) {
	m, ok := full[name].(map[string]any)
	if !ok {
		return nil, fmt.Errorf("the schema has no %q object: is it a Pulumi package schema?", name)
	}
	return m, nil
}

// refs returns every "$ref" inside a decoded JSON value.
func refs(v any) []string {
	var out []string
	var walk func(any)
	walk = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			if ref, ok := v["$ref"].(string); ok {
				out = append(out, ref)
			}
			for _, e := range v {
				walk(e)
			}
		case []any:
			for _, e := range v {
				walk(e)
			}
		}
	}
	walk(v)
	return out
}
