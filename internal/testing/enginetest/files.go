package enginetest

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/model-api-auth0/model-api-auth0/internal/testing/auth0double"
)

// ProjectRoot returns the directory holding go.mod and Pulumi.yaml.
func ProjectRoot(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "Pulumi.yaml")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("no Pulumi.yaml above the test's directory")
		}
		dir = parent
	}
}

// Schema loads the provider schema the double enforces (see
// auth0double.FindSchema); without one the test skips, or fails under
// REQUIRE_PULUMI_CLI or REQUIRE_AUTH0_SCHEMA.
func Schema(t testing.TB, root string) *auth0double.Schema {
	t.Helper()
	path, err := auth0double.FindSchema(root)
	if errors.Is(err, auth0double.ErrNoSchema) && os.Getenv("REQUIRE_AUTH0_SCHEMA") == "" {
		Unavailable(t, err.Error())
	}
	if err != nil {
		t.Fatal(err)
	}
	s, err := auth0double.LoadSchema(path)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// keepUnchanged fails the test if the file at path changes before it ends:
// the tests never write into the project.
func keepUnchanged(t testing.TB, path string) {
	t.Helper()
	before, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		after, err := os.ReadFile(path)
		if err != nil || !bytes.Equal(before, after) {
			t.Errorf("%s changed during the test (%v): the tests must only write to their copies", path, err)
		}
	})
}

func copyFile(t testing.TB, from, to string) {
	t.Helper()
	b, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, b, 0o644); err != nil {
		t.Fatal(err)
	}
}
