// Command model-api-auth0 is the Pulumi program's entry point: Pulumi.yaml
// points `main` here, and `pulumi up` builds and runs it.
package main

import (
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	tenant "github.com/model-api-auth0/model-api-auth0"
)

func main() {
	pulumi.Run(func(ctx *pulumi.Context) error {
		raw, err := tenant.EngineConfig(ctx)
		if err != nil {
			return err
		}
		_, err = tenant.Run(ctx, raw)
		return err
	})
}
