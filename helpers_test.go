package main

import (
	"encoding/json"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/stretchr/testify/require"

	"github.com/model-api-auth0/model-api-auth0/internal/plan"
	"github.com/model-api-auth0/model-api-auth0/internal/plan/recorder"
	"github.com/model-api-auth0/model-api-auth0/internal/tenant/stackconfig"
	"github.com/model-api-auth0/model-api-auth0/internal/tenant/stackconfig/stackconfigtest"
)

var stacks = []string{"dev", "staging", "prod"}

// stackConfig reads Pulumi.<stack>.yaml as the engine would pass it, with
// the test user password a dev stack keeps encrypted.
func stackConfig(t testing.TB, stack string) map[string]string {
	t.Helper()
	raw, err := stackconfig.Read(".", stack)
	require.NoError(t, err)
	if stack == "dev" {
		raw[stackconfig.KeyTestUserPassword] = stackconfigtest.Password
	}
	return raw
}

// baseConfig is a small valid configuration that tests mutate.
func baseConfig() map[string]string { return stackconfigtest.Base() }

func mustJSON(v any) string { return stackconfigtest.JSON(v) }

func evaluate(t testing.TB, stack string, raw map[string]string) *plan.Plan {
	t.Helper()
	p, err := plan.Evaluate(stack, raw, program)
	require.NoError(t, err, "evaluate %s", stack)
	return p
}

// runRecorded runs the program under the recording mock engine, with raw
// as the stack configuration (secretKeys stored encrypted), and returns what
// it registered.
func runRecorded(stack string, raw map[string]string, secretKeys []string) ([]*recorder.Resource, error) {
	rec := recorder.New(stackconfig.Namespace, stack)
	err := pulumi.RunErr(func(ctx *pulumi.Context) error {
		_, err := program(ctx, raw)
		return err
	}, rec.RunOption(raw, secretKeys))
	return rec.Resources(), err
}

func find(t testing.TB, p *plan.Plan, name string) *recorder.Resource {
	t.Helper()
	for _, r := range p.Resources {
		if r.Name == name {
			return r
		}
	}
	require.FailNow(t, "no resource named "+name+" was registered")
	return nil
}

// input returns a recorded input as plain Go values (secrets unwrapped).
func input(r *recorder.Resource, key string) any {
	v, ok := r.Inputs[resource.PropertyKey(key)]
	if !ok {
		return nil
	}
	return v.Mappable()
}

// reverseLists reverses every list inside a JSON config value.
func reverseLists(raw string) string {
	var v any
	if json.Unmarshal([]byte(raw), &v) != nil {
		return raw // a plain string value
	}
	var walk func(any) any
	walk = func(v any) any {
		switch v := v.(type) {
		case []any:
			out := make([]any, len(v))
			for i, e := range v {
				out[len(v)-1-i] = walk(e)
			}
			return out
		case map[string]any:
			for k, e := range v {
				v[k] = walk(e)
			}
		}
		return v
	}
	return mustJSON(walk(v))
}
