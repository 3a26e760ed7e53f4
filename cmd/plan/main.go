// Command plan shows what `pulumi up` would do to a stack, offline: see
// plan.Main for its flags.
package main

import (
	"os"

	tenant "github.com/model-api-auth0/model-api-auth0"
	"github.com/model-api-auth0/model-api-auth0/internal/tenant/plan"
)

func main() { os.Exit(plan.Main(os.Args[1:], os.Stdout, os.Stderr, tenant.Run)) }
