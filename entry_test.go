package main

import (
	"bytes"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/stretchr/testify/assert"
)

// Run by hand (`go run .`), the program says what to run instead of
// pulumi.Run's "missing project name"; under the engine it runs.
func TestOutsideTheEngineSaysWhatToRun(t *testing.T) {
	env := func(vars map[string]string) func(string) string {
		return func(name string) string { return vars[name] }
	}
	assert.False(t, underEngine(env(nil)), "no engine variables")
	assert.False(t, underEngine(env(map[string]string{pulumi.EnvStack: "dev", pulumi.EnvProject: "model-api-auth0"})),
		"a stack and a project name alone do not make an engine")
	for _, name := range []string{pulumi.EnvMonitor, pulumi.EnvEngine, "PULUMI_PLUGINS"} {
		assert.True(t, underEngine(env(map[string]string{name: "127.0.0.1:1234"})), name)
	}

	var stderr bytes.Buffer
	assert.Equal(t, 2, notUnderEngine(&stderr, nil))
	assert.Contains(t, stderr.String(), "is a Pulumi program")
	assert.Contains(t, stderr.String(), "pulumi up --stack dev")
	assert.Contains(t, stderr.String(), "go run . plan -stack dev")
	assert.NotContains(t, stderr.String(), "unknown command")

	stderr.Reset()
	assert.Equal(t, 2, notUnderEngine(&stderr, []string{"-stack", "prod"}))
	assert.Contains(t, stderr.String(), `unknown command "-stack"`)
	assert.Contains(t, stderr.String(), "go run . plan -stack dev")
}
