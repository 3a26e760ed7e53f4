package stackconfig_test

import (
	"os/exec"
	"strings"
	"testing"
)

const module = "github.com/model-api-auth0/model-api-auth0"

// The edge and the way in read stack files, never run the program: they must
// not link the Pulumi SDK, which would make the gateway a 60 MB binary idling
// at 35 MB instead of a proxy's 8. Only the Pulumi program (package main at
// the root, its offline plan in internal/plan) and the test harnesses
// may.
func TestWayInAndEdgeLinkNoPulumi(t *testing.T) {
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("the go command is not on PATH: install Go to run this test")
	}
	roots := []string{module + "/cmd/gateway", module + "/cmd/token", module + "/cmd/devtenant", module + "/internal/tenant/stackconfig"}
	// One line per package: its import path, then what it imports.
	cmd := exec.Command(goTool, append([]string{"list", "-deps", "-f", "{{.ImportPath}}{{range .Imports}} {{.}}{{end}}"}, roots...)...)
	out, err := cmd.Output()
	if err != nil {
		var stderr string
		if ee, ok := err.(*exec.ExitError); ok {
			stderr = string(ee.Stderr)
		}
		t.Fatalf("go list: %v\n%s", err, stderr)
	}
	imports := map[string][]string{}
	for line := range strings.Lines(string(out)) {
		fields := strings.Fields(line)
		if len(fields) > 0 {
			imports[fields[0]] = fields[1:]
		}
	}
	for _, root := range roots {
		if _, ok := imports[root]; !ok {
			t.Fatalf("go list did not list %s", root)
		}
		if chain := pathTo(imports, root, isPulumi); chain != nil {
			t.Errorf("%s links the Pulumi SDK: %s", strings.TrimPrefix(root, module+"/"), shorten(chain))
		}
	}
}

func isPulumi(pkg string) bool { return strings.HasPrefix(pkg, "github.com/pulumi/") }

// pathTo returns the shortest import chain from root to a package that
// matches, or nil if none does.
func pathTo(imports map[string][]string, root string, match func(string) bool) []string {
	from := map[string]string{root: ""}
	queue := []string{root}
	for len(queue) > 0 {
		pkg := queue[0]
		queue = queue[1:]
		if match(pkg) {
			var chain []string
			for p := pkg; p != ""; p = from[p] {
				chain = append([]string{p}, chain...)
			}
			return chain
		}
		for _, next := range imports[pkg] {
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
