package main

import (
	"bytes"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/model-api-auth0/model-api-auth0/internal/plan"
)

// docCommand is a `go run` line of the README or a docs page.
type docCommand struct {
	where, pkg string
	args       []string
}

// goRun finds `go run PKG ARGS` in text; ARGS stop at a shell operator,
// a comment or the end of inline code.
var goRun = regexp.MustCompile("go run (\\.(?:/[a-z0-9/]+)?)((?:[ \t]+[^ \t`|>&#;()]+)*)")

// docCommands lists the commands of the README and docs/, leaving out
// table rows, which quote commands that no longer exist (what moved).
func docCommands(t *testing.T) []docCommand {
	t.Helper()
	pages, err := filepath.Glob(filepath.Join("docs", "*.md"))
	if err != nil || len(pages) == 0 {
		t.Fatalf("no docs/*.md (%v)", err)
	}
	var cmds []docCommand
	for _, page := range append([]string{"README.md"}, pages...) {
		b, err := os.ReadFile(page)
		if err != nil {
			t.Fatal(err)
		}
		for i, line := range strings.Split(string(b), "\n") {
			if strings.HasPrefix(strings.TrimSpace(line), "|") {
				continue
			}
			for _, m := range goRun.FindAllStringSubmatch(line, -1) {
				cmds = append(cmds, docCommand{where: page + ":" + strconv.Itoa(i+1), pkg: m[1], args: strings.Fields(m[2])})
			}
		}
	}
	return cmds
}

// flagName matches a flag in -h output: two spaces, a dash, the name.
var flagName = regexp.MustCompile(`(?m)^  -([A-Za-z][A-Za-z0-9-]*)`)

// Every command the docs print names a command that exists, with flags it
// has: a renamed flag or a moved command fails here, not in a user's shell.
func TestDocsCommandsExist(t *testing.T) {
	if testing.Short() {
		t.Skip("builds every command: not in -short")
	}
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("the go command is not on PATH: install Go to run this test")
	}
	bin := t.TempDir()
	if out, err := exec.Command(goTool, "build", "-o", bin+string(filepath.Separator), "./cmd/...").CombinedOutput(); err != nil {
		t.Fatalf("go build ./cmd/...: %v\n%s", err, out)
	}
	known := map[string][]string{} // "pkg sub" -> flags
	flagsOf := func(pkg, sub string) []string {
		key := pkg + " " + sub
		if flags, ok := known[key]; ok {
			return flags
		}
		var help bytes.Buffer
		if pkg == "." {
			plan.Main([]string{"-h"}, io.Discard, &help, program)
		} else {
			args := []string{"-h"}
			if sub != "" {
				args = []string{sub, "-h"}
			}
			cmd := exec.Command(filepath.Join(bin, filepath.Base(pkg)), args...)
			cmd.Stdout, cmd.Stderr = &help, &help
			cmd.Run() // -h exits 0 or 2; the help is what counts
		}
		var flags []string
		for _, m := range flagName.FindAllStringSubmatch(help.String(), -1) {
			flags = append(flags, m[1])
		}
		if len(flags) == 0 {
			t.Fatalf("%s %s -h lists no flags:\n%s", pkg, sub, help.String())
		}
		known[key] = flags
		return flags
	}
	cmds := docCommands(t)
	if len(cmds) < 20 {
		t.Fatalf("found %d go run commands in the docs; the pattern no longer matches them", len(cmds))
	}
	for _, c := range cmds {
		args := c.args
		sub := ""
		switch {
		case c.pkg == ".":
			if len(args) == 0 || args[0] != "plan" {
				t.Errorf("%s: `go run .` without plan needs the Pulumi engine; the docs show `go run . plan`", c.where)
				continue
			}
			args = args[1:]
		case c.pkg == "./cmd/token" && len(args) > 0 && (args[0] == "login" || args[0] == "logout"):
			sub, args = args[0], args[1:]
		}
		if _, err := os.Stat(c.pkg); err != nil {
			t.Errorf("%s: go run %s: no such command", c.where, c.pkg)
			continue
		}
		if c.pkg != "." && !strings.HasPrefix(c.pkg, "./cmd/") {
			continue // a generator of test data: its existence is the claim
		}
		flags := flagsOf(c.pkg, sub)
		for _, a := range args {
			name, ok := strings.CutPrefix(a, "-")
			if !ok || name == "" || name == "-" || name == "h" {
				continue
			}
			name, _, _ = strings.Cut(name, "=")
			if !slices.Contains(flags, name) {
				t.Errorf("%s: go run %s %s: no flag -%s (it has: -%s)", c.where, c.pkg, sub, name, strings.Join(flags, ", -"))
			}
		}
	}
}
