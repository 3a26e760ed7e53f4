package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// `plan -access` prints the dev stack's golden table (internal/plan/access
// holds the golden files and checks them against the real gateway).
func TestAccessPrintsTheGoldenTable(t *testing.T) {
	for format, golden := range map[string]string{"text": "dev.access.txt", "markdown": "dev.access.md", "json": "dev.access.json"} {
		out, errOut, code := runPlan(t, "-access", "-format", format)
		require.Equal(t, 0, code, errOut)
		want, err := os.ReadFile(filepath.Join("internal/plan/access/testdata", golden))
		require.NoError(t, err)
		assert.Equal(t, string(want), out, format)
	}
}

func TestAccessWithRoutesAndOutputs(t *testing.T) {
	dir := t.TempDir()
	routes := filepath.Join(dir, "routes.yaml")
	require.NoError(t, os.WriteFile(routes, []byte("routes:\n  - pattern: GET /v1/acme-only\n    allOf: [read:models]\n    orgs: [org_AcmeFromOutputs]\n"), 0o600))
	outputs := filepath.Join(dir, "outputs.json")
	b, _ := json.Marshal(map[string]any{"audience": "https://api.dev.models.example.com/", "issuer": "https://t.example/",
		"organizations": map[string]string{"acme": "org_AcmeFromOutputs", "globex": "org_GlobexFromOutputs"}})
	require.NoError(t, os.WriteFile(outputs, b, 0o600))

	out, errOut, code := runPlan(t, "-access", "-routes", routes)
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, out, "[1] GET /v1/acme-only            read:models; organization org_AcmeFromOutputs")
	assert.Contains(t, out, "? allowed only if the ID of acme is one of org_AcmeFromOutputs: give the stack outputs to know")

	out, errOut, code = runPlan(t, "-access", "-routes", routes, "-stack-outputs", outputs)
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, out, "read:models; organization acme (org_AcmeFromOutputs)")
	assert.Contains(t, out, `[1] organization not allowed: organization "org_GlobexFromOutputs" may not call this route`)
	assert.NotContains(t, out, "?")
}

func TestAccessErrors(t *testing.T) {
	bad := filepath.Join(t.TempDir(), "routes.yaml")
	require.NoError(t, os.WriteFile(bad, []byte("routes:\n  - pattern: /no-method\n    alOf: [x]\n"), 0o600))
	cases := []struct {
		args []string
		code int
		want []string
	}{
		{[]string{"-routes", "r.yaml"}, 2, []string{"-routes only applies to -access"}},
		{[]string{"-stack-outputs", "o.json", "-routes", "r.yaml"}, 2, []string{"-routes only applies to -access; -stack-outputs only applies to -access"}},
		{[]string{"-access", "-against", "testdata/dev.plan.json"}, 2, []string{"-against compares plans; it does not apply to -access"}},
		// Every problem at once: the routes file and the outputs file.
		{[]string{"-access", "-routes", bad, "-stack-outputs", "missing.json"}, 1, []string{`field alOf not found`, "missing.json: no such file"}},
		{[]string{"-access", "-stack", "nope"}, 1, []string{"Pulumi.nope.yaml", "hint: stacks here"}},
	}
	for _, c := range cases {
		out, errOut, code := runPlan(t, c.args...)
		assert.Equal(t, c.code, code, "%v: %s", c.args, errOut)
		assert.Empty(t, out, c.args)
		for _, w := range c.want {
			assert.Contains(t, errOut, w, c.args)
		}
	}
}

// docs/tenant.md shows an excerpt of the dev stack's table: every line of it
// must be a line `plan -access` prints.
func TestDocsAccessExcerptIsRealOutput(t *testing.T) {
	readme, err := os.ReadFile(filepath.Join("docs", "tenant.md"))
	require.NoError(t, err)
	_, block, ok := strings.Cut(string(readme), "```text\nWho can call what on stack dev")
	require.True(t, ok, "docs/tenant.md has no excerpt of the dev stack's access table")
	block, _, _ = strings.Cut("Who can call what on stack dev"+block, "```")
	out, _, code := runPlan(t, "-access")
	require.Equal(t, 0, code)
	lines := strings.Split(out, "\n")
	for _, l := range strings.Split(strings.TrimSpace(block), "\n") {
		assert.Contains(t, lines, l, "docs/tenant.md line not in `plan -access` output")
	}
}
