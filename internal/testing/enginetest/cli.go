// Package enginetest runs the tenant program through the real Pulumi CLI
// and engine, with the real Pulumi.yaml and stack files, against the Auth0
// provider double (internal/testing/auth0double): no Auth0 account, no network, no
// plugin downloads. The program runs inline (Automation API), so no Go
// language host is needed either. The tests are the root's
// engine_*_test.go: only package main holds the program.
package enginetest

import (
	"fmt"
	"go/build"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/blang/semver"
	"github.com/pulumi/pulumi/sdk/v3/go/auto"
)

// CLIVersion is the Pulumi CLI the tests are written against;
// .ci/install-pulumi builds it into $(go env GOPATH)/bin.
const CLIVersion = "3.259.0"

// RequireCLIEnv, when set, makes a missing CLI (or schema) a test failure
// instead of a skip: CI sets it.
const RequireCLIEnv = "REQUIRE_PULUMI_CLI"

// CLI returns the Pulumi CLI at $(go env GOPATH)/bin/pulumi, else the one on
// PATH. Without one, the test skips saying how to install it, or fails
// under REQUIRE_PULUMI_CLI=1. Another version than CLIVersion is used, and
// logged.
func CLI(t testing.TB) auto.PulumiCommand {
	t.Helper()
	path := filepath.Join(build.Default.GOPATH, "bin", "pulumi")
	if _, err := os.Stat(path); err != nil {
		if path, err = exec.LookPath("pulumi"); err != nil {
			Unavailable(t, fmt.Sprintf("the Pulumi CLI is not installed: run .ci/install-pulumi (builds v%s into %s), "+
				"or install it from https://www.pulumi.com/docs/install/", CLIVersion, filepath.Join(build.Default.GOPATH, "bin")))
		}
	}
	root := "" // NewPulumiCommand runs Root/bin/pulumi, or pulumi from PATH
	if filepath.Base(filepath.Dir(path)) == "bin" {
		root = filepath.Dir(filepath.Dir(path))
	}
	cmd, err := auto.NewPulumiCommand(&auto.PulumiCommandOptions{Root: root})
	if err != nil {
		t.Fatalf("Pulumi CLI at %s: %v", path, err)
	}
	if v := cmd.Version(); !v.Equals(semver.MustParse(CLIVersion)) {
		t.Logf("Pulumi CLI %s at %s; these tests are written against v%s", v, path, CLIVersion)
	}
	return cmd
}

// Unavailable skips the test for a missing tool, or fails it when
// REQUIRE_PULUMI_CLI is set.
func Unavailable(t testing.TB, why string) {
	t.Helper()
	if os.Getenv(RequireCLIEnv) != "" {
		t.Fatalf("%s is set, but %s", RequireCLIEnv, why)
	}
	t.Skipf("%s; set %s=1 to make this a failure", why, RequireCLIEnv)
}
