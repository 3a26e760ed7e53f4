package main

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/model-api-auth0/model-api-auth0/internal/plan"
	"github.com/model-api-auth0/model-api-auth0/internal/tenant/stackconfig"
)

var update = flag.Bool("update", false, "rewrite the golden plans in testdata/")

func stackPlan(t *testing.T, stack string, edit func(map[string]string)) *plan.Document {
	t.Helper()
	raw, _, err := plan.LoadStack(".", "Pulumi."+stack+".yaml")
	require.NoError(t, err)
	if edit != nil {
		edit(raw)
	}
	return evaluate(t, stack, raw).Document()
}

func goldenPath(stack string) string { return filepath.Join("testdata", stack+".plan.json") }

func firstDifference(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := range min(len(w), len(g)) {
		if w[i] != g[i] {
			return "line " + strconv.Itoa(i+1) + ":\n- " + w[i] + "\n+ " + g[i]
		}
	}
	return "lengths differ: " + strconv.Itoa(len(w)) + " vs " + strconv.Itoa(len(g)) + " lines"
}

// Each stack file has a golden plan: a change to a stack file or to the
// program shows up as a reviewable diff. `go test ./... -update` rewrites them.
func TestGoldenPlans(t *testing.T) {
	for _, stack := range stacks {
		t.Run(stack, func(t *testing.T) {
			got := stackPlan(t, stack, nil).JSON()
			require.True(t, bytes.Equal(got, stackPlan(t, stack, nil).JSON()), "two plans of the same stack differ")
			if *update {
				require.NoError(t, os.WriteFile(goldenPath(stack), got, 0o644))
			}
			want, err := os.ReadFile(goldenPath(stack))
			require.NoError(t, err, "run `go test . -update` to record it")
			if !bytes.Equal(got, want) {
				// The first differing line says more than two whole plans.
				t.Errorf("the plan of %s differs from %s; if the change is intended, run `go test . -update` and review the diff.\n%s",
					stack, goldenPath(stack), firstDifference(string(want), string(got)))
			}
		})
	}
}

// The gate compares a new plan of prod with its golden plan.
func TestReplacementGate(t *testing.T) {
	b, err := os.ReadFile(goldenPath("prod"))
	require.NoError(t, err)
	recorded, err := plan.ReadDocument(b)
	require.NoError(t, err)
	setJSON := func(key, from, to string) func(map[string]string) {
		return func(raw map[string]string) {
			require.Contains(t, raw[key], from, key)
			raw[key] = strings.Replace(raw[key], from, to, 1)
		}
	}
	cases := []struct {
		name  string
		edit  func(map[string]string)
		fatal []string // findings that must stop the change, as "name property"
		notes []string
	}{
		{name: "unchanged"},
		{name: "new organization", edit: setJSON(stackconfig.KeyOrganizations, `[{`, `[{"name":"initech","displayName":"Initech"},{`)},
		{name: "new scope and token lifetime", edit: setJSON(stackconfig.KeyAPI, `"tokenLifetime":3600`, `"tokenLifetime":7200`)},
		// prod protects every resource: removing one takes an explicit
		// `pulumi state unprotect` first.
		{name: "client removed from a protected stack", edit: setJSON(stackconfig.KeyClients, `,{"description":"Reads the model catalog","name":"model-catalog","scopes":["read:models"]}`, ``),
			fatal: []string{"client-model-catalog ", "client-model-catalog-credentials ", "client-model-catalog-grant "}},
		{name: "protected organization removed", edit: setJSON(stackconfig.KeyOrganizations, `"name":"globex"`, `"name":"globex-inc"`),
			fatal: []string{"org-globex ", "org-globex-connections ", "org-globex-members ", "org-globex-member-auth0|64f1c0ffee0000000000b002-roles "}},
		{name: "connection renamed", edit: setJSON(stackconfig.KeyConnection, `"name":"model-api-users"`, `"name":"model-api-people"`),
			fatal: []string{"connection name"}},
		{name: "API identifier changed", edit: setJSON(stackconfig.KeyAPI, `https://api.models.example.com/`, `https://models.example.com/`),
			fatal: []string{"api identifier", "api-scopes resourceServerIdentifier", "client-batch-scorer-grant audience", "client-model-catalog-grant audience",
				"client-partner-sync-grant audience", "web-app-grant audience"}},
		{name: "protection dropped", edit: func(raw map[string]string) { raw[stackconfig.KeyProtect] = "false" }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			findings := plan.Compare(recorded, stackPlan(t, "prod", c.edit))
			var fatal, notes []string
			for _, f := range findings {
				key := f.Name + " " + f.Property
				if f.Fatal {
					fatal = append(fatal, key)
				} else {
					notes = append(notes, key)
				}
			}
			assert.Equal(t, c.fatal, fatal, "fatal findings")
			assert.Equal(t, c.notes, notes, "notes")
			assert.Equal(t, len(c.fatal) > 0, plan.Fatal(findings), "plan.Fatal")
		})
	}
}
