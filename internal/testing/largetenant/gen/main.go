// Command gen prints the stack file of a large generated tenant, for
// measuring the offline plan: go run ./internal/largetenant/gen > Pulumi.large.yaml
package main

import (
	"fmt"

	"github.com/model-api-auth0/model-api-auth0/internal/testing/largetenant"
)

func main() { fmt.Println(largetenant.Default.StackFile()) }
