// Command auth0-sdkgen generates the Go SDK of the Auth0 Pulumi provider
// (github.com/pulumi/pulumi-auth0/sdk/v3, package go/auth0) for the resources
// the program uses, with Pulumi's own Go code generator: the same code the
// published SDK has, for the provider version the program pins.
//
// It lives in its own module so that the program does not depend on
// Pulumi's code generator. The repository root runs it with `go generate`:
//
//	go run -C tools/auth0-sdkgen . -root ../..
//
// It reads the provider schema from $AUTH0_SCHEMA (relative paths are taken
// from -root) or ../shared/auth0/schema.json next to -root, and replaces the
// generated files under -root/sdk.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
)

// Version is the Auth0 provider version the SDK is generated for: every
// resource it registers asks the engine for this plugin.
const Version = "3.49.0"

func main() { os.Exit(run(os.Args[1:], os.Stderr)) }

func run(args []string, stderr io.Writer) int {
	flags := flag.NewFlagSet("auth0-sdkgen", flag.ContinueOnError)
	flags.SetOutput(stderr)
	root := flags.String("root", ".", "repository root")
	schemaFlag := flags.String("schema", "", "provider schema (default $AUTH0_SCHEMA, else ROOT/../shared/auth0/schema.json)")
	outFlag := flags.String("out", "", "SDK folder to replace (default ROOT/sdk)")
	if err := flags.Parse(args); err != nil {
		return 2
	}
	if flags.NArg() > 0 {
		fmt.Fprintf(stderr, "auth0-sdkgen: unexpected argument %q\n", flags.Arg(0))
		return 2
	}
	schemaPath := schemaLocation(*root, *schemaFlag, os.Getenv("AUTH0_SCHEMA"))
	out := *outFlag
	if out == "" {
		out = filepath.Join(*root, "sdk")
	}

	if abs, err := filepath.Abs(schemaPath); err == nil {
		schemaPath = abs // name it plainly: `go run -C` moved the working directory
	}
	full, err := os.ReadFile(schemaPath)
	if errors.Is(err, fs.ErrNotExist) {
		fmt.Fprintf(stderr, "auth0-sdkgen: no provider schema at %s\nhint: `pulumi package get-schema auth0@%s > schema.json`, then set AUTH0_SCHEMA to its path\n",
			schemaPath, Version)
		return 1
	}
	if err != nil {
		fmt.Fprintf(stderr, "auth0-sdkgen: %v\n", err)
		return 1
	}
	files, err := Generate(full, Resources, Version)
	if err != nil {
		fmt.Fprintf(stderr, "auth0-sdkgen: %s: %v\n", schemaPath, err)
		return 1
	}
	if err := write(out, files); err != nil {
		fmt.Fprintf(stderr, "auth0-sdkgen: %v\n", err)
		return 1
	}
	return 0
}

// schemaLocation is where the provider schema is read from, as the tests
// find it: the flag, else $AUTH0_SCHEMA (relative to the root), else the
// shared folder next to the root.
func schemaLocation(root, flagValue, env string) string {
	switch {
	case flagValue != "":
		return flagValue
	case env != "" && !filepath.IsAbs(env):
		return filepath.Join(root, env)
	case env != "":
		return env
	}
	return filepath.Join(root, "..", "shared", "auth0", "schema.json")
}

// write replaces the generated files under dir: the go folder is removed
// first, so a resource dropped from the list leaves no file behind.
func write(dir string, files Output) error {
	if err := os.RemoveAll(filepath.Join(dir, "go")); err != nil {
		return err
	}
	for _, path := range slices.Sorted(maps.Keys(files)) {
		target := filepath.Join(dir, filepath.FromSlash(path))
		if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(target, files[path], 0o644); err != nil {
			return err
		}
	}
	return nil
}
