package main

import (
	"fmt"
	"runtime"
	"testing"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/stretchr/testify/assert"

	"github.com/model-api-auth0/model-api-auth0/internal/plan/recorder"
	"github.com/model-api-auth0/model-api-auth0/internal/tenant/stackconfig"
	"github.com/model-api-auth0/model-api-auth0/internal/testing/largetenant"
)

func TestLargeTenantRegistersWhatItSays(t *testing.T) {
	size := largetenant.Size{Organizations: 3, Members: 4, Clients: 2, Scopes: 5, Roles: 2}
	assert.Len(t, evaluate(t, "large", size.Config()).Resources, size.Resources(), "Size.Resources")
}

// runProgram evaluates the whole program under recording mocks and returns
// how many resources it registered.
func runProgram(b *testing.B, raw map[string]string) int {
	resources, err := runRecorded("large", raw, nil)
	if err != nil {
		b.Fatal(err)
	}
	return len(resources)
}

// floorResource is a resource with no inputs and no outputs.
type floorResource struct{ pulumi.CustomResourceState }

// runFloor registers n bare resources with empty inputs under the same mocks:
// what the SDK itself costs.
func runFloor(b *testing.B, n int) int {
	rec := recorder.New(stackconfig.Namespace, "floor")
	err := pulumi.RunErr(func(ctx *pulumi.Context) error {
		for i := range n {
			var r floorResource
			if err := ctx.RegisterResource("auth0:index/role:Role", fmt.Sprint("r", i), nil, &r); err != nil {
				return err
			}
		}
		return nil
	}, rec.RunOption(nil, nil))
	if err != nil {
		b.Fatal(err)
	}
	return len(rec.Resources())
}

// BenchmarkProgramLargeTenant evaluates the whole program for a tenant of
// 100 organizations of 50 members, 50 clients, 100 scopes and 10 roles.
func BenchmarkProgramLargeTenant(b *testing.B) {
	raw := largetenant.Default.Config()
	var registered int
	for b.Loop() {
		registered = runProgram(b, raw)
	}
	if registered != largetenant.Default.Resources() {
		b.Fatalf("registered %d resources, want %d", registered, largetenant.Default.Resources())
	}
	b.ReportMetric(float64(registered), "resources")
}

// BenchmarkSDKFloor registers as many bare resources as the large tenant has.
func BenchmarkSDKFloor(b *testing.B) {
	var registered int
	for b.Loop() {
		registered = runFloor(b, largetenant.Default.Resources())
	}
	b.ReportMetric(float64(registered), "resources")
}

// BenchmarkProgramOverFloor alternates the two and reports their time
// ratio, which machine speed drift cannot skew.
func BenchmarkProgramOverFloor(b *testing.B) {
	raw := largetenant.Default.Config()
	var program, floor time.Duration
	for b.Loop() {
		runtime.GC() // neither run pays for the other's garbage
		start := time.Now()
		runProgram(b, raw)
		program += time.Since(start)
		runtime.GC()
		start = time.Now()
		runFloor(b, largetenant.Default.Resources())
		floor += time.Since(start)
	}
	b.ReportMetric(float64(program)/float64(floor), "program/floor")
}
