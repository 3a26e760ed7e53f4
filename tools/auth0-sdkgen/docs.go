package main

import "regexp"

// The bridged schema renders a name or value inside a description once per
// language: <span pulumi-lang-go="`accessTokenAuthz`" ...
// pulumi-lang-hcl="`access_token_authz`">`accessTokenAuthz`</span>. Pulumi's
// Go generator does not resolve this markup (pulumi/pulumi#23397), so it would
// land verbatim in doc comments; and its Go rendering is camelCase even where
// the span holds a value, which Auth0 refuses (tokenDialect takes
// "access_token_authz", not "accessTokenAuthz"). Values and property names
// cannot be told apart reliably (private_key_jwt is both a value and a
// property), so every span becomes its hcl rendering: Auth0's own spelling,
// right for every value, and the spelling the descriptions already use for
// names outside the markup.
var (
	chooser    = regexp.MustCompile(`<span((?:\s+pulumi-lang-[a-z]+="[^"]*")+)\s*>(.*?)</span>`)
	chooserFor = regexp.MustCompile(`pulumi-lang-([a-z]+)="([^"]*)"`)
)

// ResolveDocs rewrites, in place, every description and deprecation message
// inside a decoded schema to Auth0's spelling (see chooser).
func ResolveDocs(v any) {
	switch v := v.(type) {
	case map[string]any:
		for k, e := range v {
			if s, ok := e.(string); ok && (k == "description" || k == "deprecationMessage") {
				v[k] = resolveChoosers(s)
				continue
			}
			ResolveDocs(e)
		}
	case []any:
		for _, e := range v {
			ResolveDocs(e)
		}
	}
}

// resolveChoosers replaces each span by its hcl rendering, or by its content
// when it has none.
func resolveChoosers(s string) string {
	return chooser.ReplaceAllStringFunc(s, func(span string) string {
		m := chooser.FindStringSubmatch(span)
		for _, attr := range chooserFor.FindAllStringSubmatch(m[1], -1) {
			if attr[1] == "hcl" {
				return attr[2]
			}
		}
		return m[2]
	})
}
