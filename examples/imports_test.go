// Package examples_test checks what every example may import.
package examples_test

import (
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// The examples are what users copy into their own modules, where this
// module's internal packages cannot be imported: an example, or its test,
// importing one would not build there.
func TestExamplesImportNoInternalPackage(t *testing.T) {
	files := 0
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") {
			return err
		}
		files++
		f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.ImportsOnly)
		if err != nil {
			return err
		}
		for _, imp := range f.Imports {
			if p, _ := strconv.Unquote(imp.Path.Value); strings.Contains(p+"/", "/internal/") {
				t.Errorf("%s imports %s, which no other module can: use guard, the standard library or other public packages instead", path, p)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if files < 3 {
		t.Fatalf("found %d Go files under examples/: is the test run from its own directory?", files)
	}
}
