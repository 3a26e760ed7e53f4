package access_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/model-api-auth0/model-api-auth0/internal/dev/devtenant/devtenanttest"
	"github.com/model-api-auth0/model-api-auth0/internal/gateway/proxy"
	"github.com/model-api-auth0/model-api-auth0/internal/plan"
	"github.com/model-api-auth0/model-api-auth0/internal/plan/access"
	"github.com/model-api-auth0/model-api-auth0/internal/tenant/stackconfig"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// loadStack reads a stack file as `plan -access` does.
func loadStack(t *testing.T, stackFile string) *stackconfig.Config {
	t.Helper()
	raw, _, err := plan.LoadStack(devtenanttest.RepoRoot(t), stackFile)
	require.NoError(t, err)
	cfg, err := stackconfig.Load(raw, nil)
	require.NoError(t, err)
	return cfg
}

func devStack(t *testing.T) *stackconfig.Config {
	return loadStack(t, filepath.Join(devtenanttest.RepoRoot(t), "Pulumi.dev.yaml"))
}

func testStack(t *testing.T) *stackconfig.Config {
	return loadStack(t, "testdata/Pulumi.access.yaml")
}

// The dev stack's table in each format is a golden file: `go test
// ./internal/access -update` rewrites them after an intended change.
func TestDevTableGolden(t *testing.T) {
	table, err := access.Compute("dev", devStack(t), nil, "", nil)
	require.NoError(t, err)
	var text, markdown bytes.Buffer
	require.NoError(t, table.WriteText(&text))
	require.NoError(t, table.WriteMarkdown(&markdown))
	for file, got := range map[string][]byte{"dev.access.txt": text.Bytes(), "dev.access.md": markdown.Bytes(), "dev.access.json": table.JSON()} {
		path := filepath.Join("testdata", file)
		if *update {
			require.NoError(t, os.WriteFile(path, got, 0o644))
			continue
		}
		want, err := os.ReadFile(path)
		require.NoError(t, err, "run go test ./internal/access -update to write it")
		assert.Equal(t, string(want), string(got), "%s differs; if the change is intended, run go test ./internal/access -update", path)
	}
}

// The dev stack's models make a difference: some principal may call one
// model and not another, and one may call none.
func TestDevModels(t *testing.T) {
	table, err := access.Compute("dev", devStack(t), nil, "", nil)
	require.NoError(t, err)
	require.Equal(t, []string{"echo-small", "echo-large"}, table.Models)
	calls := map[string][]string{}
	for _, p := range table.Principals {
		calls[p.Name] = p.Models
	}
	assert.Equal(t, []string{"echo-large"}, calls["client batch-scorer"])
	assert.Equal(t, []string{"echo-small"}, calls["model-user in acme"])
	assert.Equal(t, []string{"echo-small", "echo-large"}, calls["model-admin in globex"])
	assert.Equal(t, []string{}, calls["client model-catalog"])
	assert.True(t, table.Principals[0].MayCall("echo-large"))
	assert.False(t, table.Principals[0].MayCall("echo-small"))

	// A stack without models has no models column, nor key.
	table, err = access.Compute("test", testStack(t), nil, "", nil)
	require.NoError(t, err)
	assert.Empty(t, table.Models)
	assert.NotContains(t, string(table.JSON()), `"models"`)
}

func TestPrincipals(t *testing.T) {
	principals, notes := access.Principals(testStack(t), map[string]string{"acme": "org_acme"})
	var names []string
	for _, p := range principals {
		names = append(names, p.Name)
	}
	assert.Equal(t, []string{
		"client batch-scorer", "client trainer", "client linked-only", "client linked-only in globex",
		"client any-org", "client any-org in acme", "client any-org in globex", "client any-org in initech",
		// org-only requires an organization: no token without one.
		"client org-only in acme", "client org-only in globex", "client org-only in initech",
		"model-admin in acme", "model-user in acme", "viewer in acme",
		"model-admin in globex", "model-user in globex", "viewer in globex", "no role in globex",
		"model-admin in initech", "model-user in initech", "viewer in initech", "no role in initech",
		"user, no organization",
	}, names)
	byName := map[string]access.Principal{}
	for _, p := range principals {
		byName[p.Name] = p
	}
	assert.Equal(t, "org_acme", byName["viewer in acme"].OrganizationID)
	assert.Equal(t, "${org-globex.id}", byName["viewer in globex"].OrganizationID, "unknown IDs are shown as the plan shows outputs")
	assert.Equal(t, []string{"read:models", "train:models"}, byName["client trainer"].Grants, "sorted")
	assert.Equal(t, []string{}, byName["no role in globex"].Grants)
	assert.Equal(t, "globex", byName["client linked-only in globex"].Organization, "the organizations the stack links the client to")
	require.Len(t, notes, 1, "every linked organization is listed: no note about unlisted ones")
	assert.Contains(t, notes[0], "user, no organization")
}

func TestDecisions(t *testing.T) {
	cfg := testStack(t)
	routes := []proxy.Route{
		{Pattern: "GET /a", AllOf: []string{"read:models", "train:models"}},
		{Pattern: "GET /b", AnyOf: []string{"train:models", "invoke:models"}},
		{Pattern: "GET /c", RequireOrg: true},
		{Pattern: "GET /d", AllOf: []string{"read:models"}, Orgs: []string{"org_acme"}},
		{Pattern: "GET /e", AllOf: []string{"train:models"}, Orgs: []string{"org_acme"}},
	}
	cases := []struct {
		principal, route string
		orgIDs           map[string]string
		want             access.Decision
	}{
		{"client batch-scorer", "GET /a", nil, access.Decision{Verdict: access.Denied, Reason: "insufficient scope: needs read:models and train:models"}},
		{"client trainer", "GET /a", nil, access.Decision{Verdict: access.Allowed}},
		{"viewer in acme", "GET /a", nil, access.Decision{Verdict: access.Denied, Reason: "insufficient scope: needs train:models"}},
		{"client batch-scorer", "GET /b", nil, access.Decision{Verdict: access.Allowed}},
		{"viewer in acme", "GET /b", nil, access.Decision{Verdict: access.Denied, Reason: "insufficient scope: needs one of train:models, invoke:models"}},
		{"client batch-scorer", "GET /c", nil, access.Decision{Verdict: access.Denied, Reason: "organization not allowed: the token was not issued for an organization"}},
		{"no role in globex", "GET /c", nil, access.Decision{Verdict: access.Allowed}},
		{"client any-org in acme", "GET /c", nil, access.Decision{Verdict: access.Allowed}},
		{"user, no organization", "GET /c", nil, access.Decision{Verdict: access.Denied, Reason: "organization not allowed: the token was not issued for an organization"}},
		// Organization IDs: unknown offline, decided with the outputs.
		{"viewer in acme", "GET /d", nil, access.Decision{Verdict: access.Unknown, Reason: "allowed only if the ID of acme is one of org_acme: give the stack outputs to know"}},
		{"viewer in acme", "GET /d", map[string]string{"acme": "org_acme"}, access.Decision{Verdict: access.Allowed}},
		{"viewer in globex", "GET /d", map[string]string{"acme": "org_acme", "globex": "org_globex"}, access.Decision{Verdict: access.Denied, Reason: `organization not allowed: organization "org_globex" may not call this route`}},
		{"client trainer", "GET /d", nil, access.Decision{Verdict: access.Denied, Reason: "organization not allowed: the token was not issued for an organization"}},
		// Missing scopes are a no whatever the organization.
		{"viewer in acme", "GET /e", nil, access.Decision{Verdict: access.Denied, Reason: "insufficient scope: needs train:models"}},
	}
	for _, c := range cases {
		t.Run(c.principal+" "+c.route, func(t *testing.T) {
			table, err := access.Compute("access", cfg, routes, "test", c.orgIDs)
			require.NoError(t, err)
			got, ok := table.Decision(c.principal, c.route)
			require.True(t, ok)
			assert.Equal(t, c.want, got)
		})
	}
}

func TestReferenceRoutesAlwaysIncluded(t *testing.T) {
	table, err := access.Compute("access", testStack(t), []proxy.Route{{Pattern: "GET /x"}}, "one route", nil)
	require.NoError(t, err)
	var patterns []string
	for _, r := range table.Routes {
		patterns = append(patterns, r.Pattern)
	}
	assert.Equal(t, []string{"GET /x", "GET /api/messages/protected", "GET /api/messages/admin"}, patterns)
}

func TestBadRoutesAreRefusedAsTheGatewayRefusesThem(t *testing.T) {
	_, err := access.Compute("access", testStack(t), []proxy.Route{
		{Pattern: "/no-method"},
		{Pattern: "GET /api/messages/admin"},
		{Pattern: "GET /y", AllOf: []string{"two words"}},
	}, "bad.yaml", nil)
	require.Error(t, err)
	for _, want := range []string{"routes (bad.yaml)", `routes[0] "/no-method": want METHOD /path`, `routes[1] "GET /api/messages/admin"`, `"two words" is not a scope`} {
		assert.Contains(t, err.Error(), want)
	}
}

func TestJSONIsComplete(t *testing.T) {
	table, err := access.Compute("access", testStack(t), nil, "", nil)
	require.NoError(t, err)
	var doc struct {
		Routes     []access.Route `json:"routes"`
		Principals []struct {
			Name   string `json:"name"`
			Access []struct {
				Route   string         `json:"route"`
				Verdict access.Verdict `json:"verdict"`
			} `json:"access"`
		} `json:"principals"`
	}
	require.NoError(t, json.Unmarshal(table.JSON(), &doc))
	require.Len(t, doc.Principals, len(table.Principals))
	for i, p := range doc.Principals {
		require.Len(t, p.Access, len(doc.Routes), p.Name)
		for j, a := range p.Access {
			assert.Equal(t, table.Routes[j].Pattern, a.Route)
			assert.Equal(t, table.Decisions[i][j].Verdict, a.Verdict)
		}
	}
}

// An agent adds no principal: the table says, in a note, that it calls for
// the person behind it, within its grant.
func TestAgentsAreNotes(t *testing.T) {
	cfg := testStack(t)
	before, _ := access.Principals(cfg, nil)
	cfg.AgentClients = []stackconfig.AgentClientConfig{
		{MetadataURL: "https://agent.example.com/client.json", Scopes: []string{"read:models", "invoke:models"}},
		{MetadataURL: "https://idle.example.com/client.json"},
	}
	principals, notes := access.Principals(cfg, nil)
	assert.Equal(t, before, principals)
	require.Len(t, notes, 3)
	assert.Equal(t, "agent https://agent.example.com/client.json: calls for the person logged in through it, with their permissions within its grant (invoke:models, read:models): a row above, never more", notes[1])
	assert.Contains(t, notes[2], "with none of their permissions")
}
