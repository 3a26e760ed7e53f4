package main

import (
	"os/exec"
	"path"
	"strings"
	"testing"
)

// The layout's promises, checked on the import graph itself (go list), so
// that a move or a new import that breaks one fails here with the chain of
// imports that does it.

const module = "github.com/model-api-auth0/model-api-auth0"

// importGraph is every package of the module and its dependencies, with the
// packages each imports (test files left out: they may use anything).
func importGraph(t *testing.T) map[string][]string {
	t.Helper()
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("the go command is not on PATH: install Go to run this test")
	}
	cmd := exec.Command(goTool, "list", "-deps", "-f", "{{.ImportPath}}{{range .Imports}} {{.}}{{end}}", "./...")
	out, err := cmd.Output()
	if err != nil {
		var stderr string
		if ee, ok := err.(*exec.ExitError); ok {
			stderr = string(ee.Stderr)
		}
		t.Fatalf("go list: %v\n%s", err, stderr)
	}
	graph := map[string][]string{}
	for line := range strings.Lines(string(out)) {
		if fields := strings.Fields(line); len(fields) > 0 {
			graph[fields[0]] = fields[1:]
		}
	}
	return graph
}

func TestLayout(t *testing.T) {
	graph := importGraph(t)
	ours := func(prefix string) []string {
		var pkgs []string
		for pkg := range graph {
			if isOurs(pkg, prefix) && !isTestSupport(pkg) {
				pkgs = append(pkgs, pkg)
			}
		}
		if len(pkgs) == 0 {
			t.Fatalf("no package under %s: the layout moved; update this test with it", prefix)
		}
		return pkgs
	}
	var production []string
	for _, part := range []string{"cmd/gateway", "cmd/token", "cmd/usage", "guard", "internal/gateway", "internal/callers", "internal/tenant"} {
		production = append(production, ours(part)...)
	}
	rules := []struct {
		name  string
		roots []string
		bad   func(string) bool
	}{
		{
			// Operators put the gateway at the edge and people run the
			// token client: neither carries a token issuer, a model double
			// or a test helper.
			name: "links a development tool or test support", roots: production,
			bad: func(pkg string) bool {
				return isOurs(pkg, "internal/dev") || isOurs(pkg, "internal/testing") || isTestSupport(pkg)
			},
		},
		{
			// The edge and the way in read stack files, never run the
			// program: the Pulumi SDK would make the gateway a 60 MB binary
			// idling at 35 MB instead of a proxy's 8.
			name:  "links the Pulumi SDK",
			roots: append(append(ours("cmd/gateway"), ours("cmd/token")...), append(ours("cmd/devtenant"), ours("internal/tenant/stackconfig")...)...),
			bad:   func(pkg string) bool { return strings.HasPrefix(pkg, "github.com/pulumi/") },
		},
		{
			// guard is the public package users build on: it stands on
			// its own, under everything else of ours.
			name: "is public but imports internal/", roots: ours("guard"),
			bad: func(pkg string) bool { return strings.HasPrefix(pkg, module+"/internal/") },
		},
	}
	for _, rule := range rules {
		for _, root := range rule.roots {
			if chain := pathTo(graph, root, rule.bad); chain != nil {
				t.Errorf("%s %s: %s", strings.TrimPrefix(root, module+"/"), rule.name, shorten(chain))
			}
		}
	}
}

// isTestSupport reports whether pkg is one of our test-only packages,
// named like net/http/httptest.
func isTestSupport(pkg string) bool {
	return strings.HasPrefix(pkg, module+"/") && strings.HasSuffix(path.Base(pkg), "test")
}

func isOurs(pkg, prefix string) bool {
	rel, ok := strings.CutPrefix(pkg, module+"/")
	return ok && (rel == prefix || strings.HasPrefix(rel, prefix+"/"))
}

// pathTo returns the shortest import chain from root to a package that
// matches, or nil if none does.
func pathTo(graph map[string][]string, root string, match func(string) bool) []string {
	from := map[string]string{root: ""}
	queue := []string{root}
	for len(queue) > 0 {
		pkg := queue[0]
		queue = queue[1:]
		if pkg != root && match(pkg) {
			var chain []string
			for p := pkg; p != ""; p = from[p] {
				chain = append([]string{p}, chain...)
			}
			return chain
		}
		for _, next := range graph[pkg] {
			if _, seen := from[next]; !seen {
				from[next] = pkg
				queue = append(queue, next)
			}
		}
	}
	return nil
}

func shorten(chain []string) string {
	for i, p := range chain {
		chain[i] = strings.TrimPrefix(p, module+"/")
	}
	return strings.Join(chain, " -> ")
}
