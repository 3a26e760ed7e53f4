// Package plan evaluates the tenant program offline, under the recording
// mock engine, and renders what `pulumi up` would do: the resources, their
// inputs and options, and the exports. It also compares two plans to catch a
// protected resource that would be deleted or replaced.
package plan

import (
	"encoding/json"
	"errors"
	"fmt"
	"sync"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/model-api-auth0/model-api-auth0/internal/plan/recorder"
	"github.com/model-api-auth0/model-api-auth0/internal/tenant/stackconfig"
)

// Plan is the outcome of evaluating the program for one stack.
type Plan struct {
	Stack     string
	Resources []*recorder.Resource
	Exports   map[string]Export
}

// Export is one stack output.
type Export struct {
	Value  any
	Secret bool
}

// Program is the tenant program as `pulumi up` runs it, handed the raw stack
// configuration: it declares the tenant and returns what it exported. The
// program's package hands it in, since nothing can import a main package.
type Program func(ctx *pulumi.Context, raw map[string]string) (exports map[string]pulumi.Input, err error)

// Evaluate runs the program for the stack with its raw configuration, as
// `pulumi up` would, records every registration and resolves the exports. A
// configuration error is returned as is, with nothing recorded.
func Evaluate(stack string, raw map[string]string, program Program) (*Plan, error) {
	rec := recorder.New(stackconfig.Namespace, stack)
	p := &Plan{Stack: stack, Exports: map[string]Export{}}
	err := pulumi.RunErr(func(ctx *pulumi.Context) error {
		exports, err := program(ctx, raw)
		if err != nil {
			return err
		}
		var mu sync.Mutex
		var wg sync.WaitGroup
		for name, in := range exports {
			out := pulumi.ToOutput(in)
			secret := pulumi.IsSecret(out)
			wg.Add(1)
			pulumi.Unsecret(out).ApplyT(func(v any) any {
				mu.Lock()
				p.Exports[name] = Export{Value: plain(v), Secret: secret}
				mu.Unlock()
				wg.Done()
				return nil
			})
		}
		wg.Wait()
		return nil
	}, rec.RunOption(raw, stackconfig.SecretKeys))
	if verr := (*stackconfig.ValidationError)(nil); errors.As(err, &verr) {
		return nil, verr // without the engine's "1 error occurred" wrapping
	}
	if err != nil {
		return nil, err
	}
	p.Resources = rec.Resources()
	return p, nil
}

// plain turns an output value (pulumi.ID, typed maps) into JSON-shaped values.
func plain(v any) any {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	var out any
	if json.Unmarshal(b, &out) != nil {
		return fmt.Sprint(v)
	}
	return out
}
