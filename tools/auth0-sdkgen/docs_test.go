package main

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestResolveDocs(t *testing.T) {
	span := "<span pulumi-lang-nodejs=\"`accessTokenAuthz`\" pulumi-lang-go=\"`accessTokenAuthz`\" pulumi-lang-hcl=\"`access_token_authz`\">`accessTokenAuthz`</span>"
	cases := []struct{ in, want string }{
		{"Options include " + span + ".", "Options include `access_token_authz`."},
		{span + " or " + span, "`access_token_authz` or `access_token_authz`"},
		{"<span pulumi-lang-go=\"`x`\">`inner`</span>", "`inner`"}, // no hcl rendering: the content
		{"Cannot include `<` or `>` characters.", "Cannot include `<` or `>` characters."},
		{"<span class=\"x\">kept</span>", "<span class=\"x\">kept</span>"}, // not the chooser
	}
	for _, c := range cases {
		schema := map[string]any{"resources": map[string]any{"r": map[string]any{
			"description": c.in,
			"inputProperties": map[string]any{
				"description": map[string]any{"type": "string", "description": c.in, "deprecationMessage": c.in},
				"default":     map[string]any{"type": "string", "default": c.in},
			},
		}}}
		ResolveDocs(schema)
		r := schema["resources"].(map[string]any)["r"].(map[string]any)
		props := r["inputProperties"].(map[string]any)
		assert.Equal(t, c.want, r["description"], c.in)
		assert.Equal(t, c.want, props["description"].(map[string]any)["description"], "a property named description: %s", c.in)
		assert.Equal(t, c.want, props["description"].(map[string]any)["deprecationMessage"], c.in)
		assert.Equal(t, c.in, props["default"].(map[string]any)["default"], "only docs change: %s", c.in)
	}
}
