package main

import (
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// sdkDir is the committed SDK, relative to this package.
var sdkDir = filepath.Join("..", "..", "sdk")

// generateCommitted regenerates the SDK from the committed pruned schema:
// pruning is idempotent, so this is what the full schema gives too, and it
// needs no file outside the repository.
func generateCommitted(t *testing.T) Output {
	t.Helper()
	pruned, err := os.ReadFile(filepath.Join(sdkDir, "schema.json"))
	require.NoError(t, err, "run `go generate` at the repository root")
	out, err := Generate(pruned, Resources, Version)
	require.NoError(t, err)
	return out
}

// The committed SDK is exactly the generator's output: nothing edited by
// hand, nothing stale, no file left over.
func TestCommittedSDKIsGenerated(t *testing.T) {
	out := generateCommitted(t)
	var onDisk []string
	require.NoError(t, filepath.WalkDir(sdkDir, func(path string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			rel, _ := filepath.Rel(sdkDir, path)
			onDisk = append(onDisk, filepath.ToSlash(rel))
		}
		return err
	}))
	var generated []string
	for path := range out {
		generated = append(generated, path)
	}
	assert.ElementsMatch(t, generated, onDisk, "files in sdk/; run `go generate` at the repository root")
	for path, want := range out {
		got, err := os.ReadFile(filepath.Join(sdkDir, filepath.FromSlash(path)))
		if err == nil && !bytes.Equal(got, want) {
			t.Errorf("sdk/%s differs from what the generator writes; run `go generate` at the repository root", path)
		}
	}
}

// No doc comment carries the schema's chooser markup, or a value in the
// camelCase rendering Auth0 would refuse (`accessTokenAuthz` for
// access_token_authz), and no example sets one.
func TestGeneratedDocsSpellValuesAsAuth0Does(t *testing.T) {
	out := generateCommitted(t)
	span := regexp.MustCompile("pulumi-lang-go=\"`([^`]*)`\"[^>]*pulumi-lang-hcl=\"`([^`]*)`\"")
	var schema map[string]any
	require.NoError(t, decode(out["schema.json"], &schema))
	var docs strings.Builder
	collectDocs(schema, &docs)
	camel := map[string]string{}
	for _, m := range span.FindAllStringSubmatch(docs.String(), -1) {
		if goForm, apiForm := strings.TrimSpace(m[1]), strings.TrimSpace(m[2]); goForm != apiForm {
			camel[goForm] = apiForm
		}
	}
	require.Contains(t, camel, "accessTokenAuthz", "the schema's markup is what this test expects")
	var code strings.Builder
	for path, b := range out {
		if strings.HasSuffix(path, ".go") {
			code.Write(b)
		}
	}
	// Plain checks: testify would print the megabytes of code on failure.
	if strings.Contains(code.String(), "pulumi-lang-") {
		t.Error("the generated code carries the chooser markup")
	}
	for goForm, apiForm := range camel {
		if strings.Contains(code.String(), "`"+goForm+"`") {
			t.Errorf("a doc comment spells %s as %s", apiForm, goForm)
		}
		if strings.Contains(code.String(), `pulumi.String("`+goForm+`")`) {
			t.Errorf("an example sets %s as %s", apiForm, goForm)
		}
	}
	if !strings.Contains(code.String(), "`access_token_authz`") {
		t.Error("no doc comment names access_token_authz: is the markup resolved at all?")
	}
}

// Every kept resource gets its file, and the SDK pins the provider version.
func TestGeneratedSDKHasTheKeptResources(t *testing.T) {
	out := generateCommitted(t)
	assert.Len(t, slices.Compact(slices.Sorted(slices.Values(Resources))), len(Resources), "Resources lists a token twice")
	for _, token := range Resources {
		name := token[strings.Index(token, "/")+1 : strings.LastIndex(token, ":")]
		assert.Contains(t, out, "go/auth0/"+name+".go", token)
	}
	assert.Contains(t, string(out["go/auth0/pulumi-plugin.json"]), `"version": "`+Version+`"`)
	assert.Contains(t, string(out["go/auth0/internal/pulumiUtilities.go"]), `semver.MustParse("`+Version+`")`)
	assert.Contains(t, string(out["go.mod"]), "module "+ModulePath+"\n")
}

// collectDocs writes every description and deprecation message inside v.
func collectDocs(v any, w *strings.Builder) {
	switch v := v.(type) {
	case map[string]any:
		for k, e := range v {
			if s, ok := e.(string); ok && (k == "description" || k == "deprecationMessage") {
				w.WriteString(s + "\n")
			}
			collectDocs(e, w)
		}
	case []any:
		for _, e := range v {
			collectDocs(e, w)
		}
	}
}

func TestRun(t *testing.T) {
	var stderr bytes.Buffer
	assert.Equal(t, 2, run([]string{"extra"}, &stderr))
	assert.Contains(t, stderr.String(), `unexpected argument "extra"`)

	stderr.Reset()
	missing := filepath.Join(t.TempDir(), "schema.json")
	assert.Equal(t, 1, run([]string{"-schema", missing, "-out", t.TempDir()}, &stderr))
	assert.Contains(t, stderr.String(), "no provider schema at "+missing)
	assert.Contains(t, stderr.String(), "pulumi package get-schema auth0@"+Version)

	stderr.Reset()
	notSchema := filepath.Join(t.TempDir(), "schema.json")
	require.NoError(t, os.WriteFile(notSchema, []byte(`{"name":"auth0"}`), 0o644))
	assert.Equal(t, 1, run([]string{"-schema", notSchema, "-out", t.TempDir()}, &stderr))
	assert.Contains(t, stderr.String(), `the schema has no "resources" object`)
}

func TestSchemaLocation(t *testing.T) {
	cases := []struct{ flag, env, want string }{
		{"", "", filepath.Join("root", "..", "shared", "auth0", "schema.json")},
		{"", "s.json", filepath.Join("root", "s.json")}, // as the tests, run at the root, read it
		{"", "/abs/s.json", "/abs/s.json"},
		{"f.json", "/abs/s.json", "f.json"},
	}
	for _, c := range cases {
		assert.Equal(t, c.want, schemaLocation("root", c.flag, c.env), "flag %q env %q", c.flag, c.env)
	}
}
