package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/model-api-auth0/model-api-auth0/internal/plan"
)

// runPlan runs the plan command on the real program, in this project.
func runPlan(t *testing.T, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	var out, errOut bytes.Buffer
	code = plan.Main(append([]string{"-project", "."}, args...), &out, &errOut, program)
	return out.String(), errOut.String(), code
}

func TestPlanFormats(t *testing.T) {
	cases := []struct {
		args []string
		want []string
	}{
		{nil, []string{"Plan for stack dev of model-api-auth0", "+ auth0:ResourceServer api", "    + auth0:ResourceServerScopes api-scopes", "password:       [secret]", "clientSecrets:     [secret]"}},
		{[]string{"-stack", "prod"}, []string{"+ auth0:Connection connection  [protect, retainOnDelete]", "+ auth0:Organization org-acme  [protect]"}},
		{[]string{"-stack", "prod", "-format", "markdown"}, []string{"### Offline plan: `pulumi up` on **prod** would create", "| `auth0:OrganizationMemberRoles` | 2 |", "<details>", "| `clientSecrets` | `[secret]` |"}},
		{[]string{"-stack", "staging", "-format", "json"}, []string{`"stack": "staging"`, `"clientSecrets": "[secret]"`}},
	}
	for _, c := range cases {
		out, errOut, code := runPlan(t, c.args...)
		if code != 0 {
			t.Fatalf("%v: exit %d: %s", c.args, code, errOut)
		}
		for _, w := range c.want {
			if !strings.Contains(out, w) {
				t.Errorf("%v: output lacks %q:\n%s", c.args, w, out)
			}
		}
		again, _, _ := runPlan(t, c.args...)
		if again != out {
			t.Errorf("%v: two runs differ", c.args)
		}
	}
}

func TestPlanBadConfigPrintsOnlyTheProblems(t *testing.T) {
	file := filepath.Join(t.TempDir(), "Pulumi.broken.yaml")
	stackFile := "config:\n  model-api-auth0:api:\n    name: x\n    identifier: not-a-uri\n    signingAlg: HS256\n  model-api-auth0:conection: {}\n"
	if err := os.WriteFile(file, []byte(stackFile), 0o644); err != nil {
		t.Fatal(err)
	}
	out, errOut, code := runPlan(t, "-config", file)
	if code != 1 || out != "" {
		t.Fatalf("exit %d, stdout %q; want 1 and nothing", code, out)
	}
	for _, w := range []string{
		"invalid stack configuration: 6 problem(s):",
		`model-api-auth0:conection: unknown key; did you mean "model-api-auth0:connection"?`,
		"auth0:domain: the tenant domain is not set",
		`model-api-auth0:api.identifier: "not-a-uri" is not an absolute URI`,
		"model-api-auth0:api.signingAlg: HS256 is refused",
		"model-api-auth0:api.scopes: declare at least one scope",
		"model-api-auth0:connection.name: required",
	} {
		if !strings.Contains(errOut, w) {
			t.Errorf("stderr lacks %q:\n%s", w, errOut)
		}
	}
	if strings.Contains(errOut, "error occurred") {
		t.Errorf("stderr carries the engine's wrapping:\n%s", errOut)
	}
}

func TestPlanGate(t *testing.T) {
	if _, errOut, code := runPlan(t, "-stack", "prod", "-against", "testdata/prod.plan.json"); code != 0 {
		t.Errorf("prod against its own golden plan: exit %d\n%s", code, errOut)
	}
	_, errOut, code := runPlan(t, "-stack", "dev", "-against", "testdata/prod.plan.json")
	if code != 1 || !strings.Contains(errOut, "ERROR: connection (auth0:Connection) would be deleted") {
		t.Errorf("dev against prod's plan: exit %d\n%s", code, errOut)
	}
}

func TestPlanUsage(t *testing.T) {
	for _, args := range [][]string{{"-format", "yaml"}, {"extra"}, {"-nope"}} {
		if _, _, code := runPlan(t, args...); code != 2 {
			t.Errorf("%v: exit %d, want 2", args, code)
		}
	}
	if _, errOut, code := runPlan(t, "-stack", "qa"); code != 1 || !strings.Contains(errOut, "Pulumi.qa.yaml") {
		t.Errorf("missing stack: exit %d %s", code, errOut)
	}
}

// Encrypted values never show: they are blinded to [secret].
func TestPlanBlindsSecureValues(t *testing.T) {
	dev, err := os.ReadFile("Pulumi.dev.yaml")
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "Pulumi.dev.yaml")
	stackFile := string(dev) + "  model-api-auth0:testUserPassword:\n    secure: v1:c2VjcmV0LWNpcGhlcnRleHQ=\n"
	if err := os.WriteFile(file, []byte(stackFile), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, format := range []string{"text", "json", "markdown"} {
		out, errOut, code := runPlan(t, "-config", file, "-format", format)
		if code != 0 {
			t.Fatalf("exit %d: %s", code, errOut)
		}
		if strings.Contains(out, "c2VjcmV0") || strings.Contains(out, "v1:") || !strings.Contains(out, "[secret]") {
			t.Errorf("%s: the encrypted value shows, or no [secret]:\n%s", format, out)
		}
		if strings.Contains(errOut, "testUserPassword is not in") {
			t.Errorf("%s: notes a secret that is set: %s", format, errOut)
		}
	}
}

// docs/tenant.md shows an excerpt of the prod plan: every line of it must be a
// line the plan prints.
func TestDocsPlanExcerptIsRealOutput(t *testing.T) {
	readme, err := os.ReadFile(filepath.Join("docs", "tenant.md"))
	if err != nil {
		t.Fatal(err)
	}
	_, block, ok := strings.Cut(string(readme), "```text\nPlan for stack prod")
	if !ok {
		t.Fatal("docs/tenant.md has no excerpt of the prod plan")
	}
	block, _, _ = strings.Cut("Plan for stack prod"+block, "```")
	out, _, _ := runPlan(t, "-stack", "prod")
	lines := map[string]bool{}
	for _, l := range strings.Split(out, "\n") {
		lines[l] = true
	}
	for _, l := range strings.Split(strings.TrimSpace(block), "\n") {
		if !lines[l] {
			t.Errorf("docs/tenant.md line not in the plan output: %q", l)
		}
	}
}
