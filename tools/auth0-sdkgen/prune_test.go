package main

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// testSchema is a small package schema: resource A references type T1,
// which references T2; B references T3; the provider has a method.
func testSchema() map[string]any {
	ref := func(token string) map[string]any { return map[string]any{"$ref": "#/types/" + token} }
	return map[string]any{
		"name":     "auth0",
		"language": map[string]any{"go": map[string]any{"importBasePath": "x"}},
		"config":   map[string]any{"variables": map[string]any{"domain": map[string]any{"type": "string"}}},
		"provider": map[string]any{"methods": map[string]any{"terraformConfig": "pulumi:providers:auth0/terraformConfig"}},
		"resources": map[string]any{
			"auth0:index/a:A": map[string]any{"inputProperties": map[string]any{"t": ref("auth0:index/T1:T1")}},
			"auth0:index/b:B": map[string]any{"inputProperties": map[string]any{"t": ref("auth0:index/T3:T3")}},
		},
		"types": map[string]any{
			"auth0:index/T1:T1": map[string]any{"properties": map[string]any{"items": map[string]any{"type": "array", "items": ref("auth0:index/T2:T2")}}},
			"auth0:index/T2:T2": map[string]any{"properties": map[string]any{}},
			"auth0:index/T3:T3": map[string]any{"properties": map[string]any{}},
		},
		"functions": map[string]any{
			"pulumi:providers:auth0/terraformConfig": map[string]any{"inputs": map[string]any{"properties": map[string]any{"__self__": map[string]any{"$ref": "#/provider"}}}},
			"auth0:index/getB:getB":                  map[string]any{},
		},
	}
}

func TestPruneKeepsWhatTheResourcesNeed(t *testing.T) {
	full := testSchema()
	pruned, err := Prune(full, []string{"auth0:index/a:A"}, "3.49.0")
	require.NoError(t, err)
	assert.Equal(t, "3.49.0", pruned["version"])
	assert.Equal(t, full["language"], pruned["language"], "top-level settings are kept")
	assert.Equal(t, full["config"], pruned["config"])
	assert.Equal(t, full["provider"], pruned["provider"])
	assert.ElementsMatch(t, []string{"auth0:index/a:A"}, keys(pruned["resources"]))
	assert.ElementsMatch(t, []string{"auth0:index/T1:T1", "auth0:index/T2:T2"}, keys(pruned["types"]), "types referenced transitively")
	assert.ElementsMatch(t, []string{"pulumi:providers:auth0/terraformConfig"}, keys(pruned["functions"]), "the provider's method")
	assert.Nil(t, full["version"], "the input is not modified")
	assert.Len(t, keys(full["types"]), 3, "the input is not modified")
}

func TestPruneReportsEveryMissingDefinition(t *testing.T) {
	full := testSchema()
	full["types"].(map[string]any)["auth0:index/T1:T1"] = map[string]any{"properties": map[string]any{
		"gone":  map[string]any{"$ref": "#/types/auth0:index/Gone:Gone"},
		"other": map[string]any{"$ref": "#/resources/auth0:index/b:B"},
	}}
	_, err := Prune(full, []string{"auth0:index/a:A", "auth0:index/nope:Nope"}, "3.49.0")
	require.ErrorIs(t, err, ErrNotInSchema)
	for _, want := range []string{"resource auth0:index/nope:Nope", "type auth0:index/Gone:Gone", "resource auth0:index/b:B (referenced by a kept definition; add it to Resources)"} {
		assert.Contains(t, err.Error(), want)
	}
}

func TestPruneRefusesWhatIsNotASchema(t *testing.T) {
	_, err := Prune(map[string]any{"name": "auth0"}, nil, "3.49.0")
	assert.ErrorContains(t, err, `the schema has no "resources" object`)
}

func keys(v any) []string {
	var out []string
	for k := range v.(map[string]any) {
		out = append(out, k)
	}
	return out
}
