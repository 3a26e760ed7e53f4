package tenant_test

import (
	"fmt"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	tenant "github.com/model-api-auth0/model-api-auth0"
	"github.com/model-api-auth0/model-api-auth0/internal/largetenant"
	"github.com/model-api-auth0/model-api-auth0/internal/recorder"
)

func TestLargeTenantRegistersWhatItSays(t *testing.T) {
	size := largetenant.Size{Organizations: 3, Members: 4, Clients: 2, Scopes: 5, Roles: 2}
	p := evaluate(t, "large", size.Config())
	if len(p.Resources) != size.Resources() {
		t.Errorf("registered %d resources, Size.Resources says %d", len(p.Resources), size.Resources())
	}
}

// BenchmarkProgramLargeTenant evaluates the whole program for a tenant of
// 100 organizations of 50 members, 50 clients, 100 scopes and 10 roles.
func BenchmarkProgramLargeTenant(b *testing.B) {
	raw := largetenant.Default.Config()
	var registered int
	for b.Loop() {
		rec := recorder.New(tenant.Namespace, "large")
		err := pulumi.RunErr(func(ctx *pulumi.Context) error {
			_, err := tenant.Run(ctx, raw)
			return err
		}, rec.RunOption(raw, nil))
		if err != nil {
			b.Fatal(err)
		}
		registered = len(rec.Resources())
	}
	if registered != largetenant.Default.Resources() {
		b.Fatalf("registered %d resources, want %d", registered, largetenant.Default.Resources())
	}
	b.ReportMetric(float64(registered), "resources")
}

// floorResource is a resource with no inputs and no outputs.
type floorResource struct{ pulumi.CustomResourceState }

// BenchmarkSDKFloor registers as many bare resources, with empty inputs,
// under the same mocks: what the SDK itself costs.
func BenchmarkSDKFloor(b *testing.B) {
	n := largetenant.Default.Resources()
	var registered int
	for b.Loop() {
		rec := recorder.New(tenant.Namespace, "floor")
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
		registered = len(rec.Resources())
	}
	b.ReportMetric(float64(registered), "resources")
}
