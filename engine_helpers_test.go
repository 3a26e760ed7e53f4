package main

import (
	"encoding/json"
	"maps"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/apitype"
	"github.com/stretchr/testify/require"

	"github.com/model-api-auth0/model-api-auth0/internal/plan"
	"github.com/model-api-auth0/model-api-auth0/internal/tenant/stackconfig"
	"github.com/model-api-auth0/model-api-auth0/internal/testing/enginetest"
)

// devPassword meets the password policy of the dev stack's connection.
const devPassword = "correct-Horse-battery-9"

// newReadyStack is enginetest.NewStack with the secrets `pulumi config set --secret`
// would provide (the dev stack's test user password).
func newReadyStack(t *testing.T, name string) *enginetest.Stack {
	t.Helper()
	s := enginetest.NewStack(t, name, deploy)
	if len(stackconfig.MissingSecrets(s.Config())) > 0 {
		s.SetSecret(stackconfig.KeyTestUserPassword, devPassword)
	}
	return s
}

// offlinePlan is the plan `go run . plan` makes of the stack's file in dir:
// the project, or the stack's work dir.
func offlinePlan(t *testing.T, s *enginetest.Stack, dir string) *plan.Plan {
	t.Helper()
	raw, _, err := plan.LoadStack(dir, filepath.Join(dir, "Pulumi."+s.Name+".yaml"))
	require.NoError(t, err)
	return evaluate(t, s.Name, raw)
}

// offlineURNs are the URNs of the offline plan of the project's stack file.
func offlineURNs(t *testing.T, s *enginetest.Stack) []string {
	t.Helper()
	return slices.Sorted(slices.Values(urns(offlinePlan(t, s, s.Root))))
}

// workDirPlan is the offline plan of the work dir's stack file, which the
// test edits with `pulumi config`.
func workDirPlan(t *testing.T, s *enginetest.Stack) *plan.Document {
	t.Helper()
	return offlinePlan(t, s, s.Dir).Document()
}

// auth0URNs are the URNs of Auth0 resources among steps: not the stack nor
// the provider.
func auth0URNs(steps enginetest.Steps) []string {
	var urns []string
	for urn := range steps {
		if strings.Contains(urn, "::auth0:") {
			urns = append(urns, urn)
		}
	}
	slices.Sort(urns)
	return urns
}

// deployment is what `pulumi stack export` says.
type deployment struct {
	text     string
	resource map[string]string // URN to ID, Auth0 resources only
	protect  map[string]bool   // URN to its protect flag
	pending  []apitype.OperationV2
}

func stackExport(t *testing.T, s *enginetest.Stack) deployment {
	t.Helper()
	out, err := s.Run("stack", "export")
	require.NoError(t, err)
	var d struct {
		Deployment apitype.DeploymentV3 `json:"deployment"`
	}
	require.NoError(t, json.Unmarshal([]byte(out), &d))
	dep := deployment{text: out, resource: map[string]string{}, protect: map[string]bool{}, pending: d.Deployment.PendingOperations}
	for _, r := range d.Deployment.Resources {
		if r.Custom && strings.HasPrefix(string(r.Type), "auth0:") {
			dep.resource[string(r.URN)] = string(r.ID)
			dep.protect[string(r.URN)] = r.Protect
		}
	}
	return dep
}

// tenantResources is what the double holds: URN to ID.
func tenantResources(s *enginetest.Stack) map[string]string {
	out := map[string]string{}
	for _, r := range s.Double.Resources() {
		out[r.URN] = r.ID
	}
	return out
}

func sortedKeys[V any](m map[string]V) []string { return slices.Sorted(maps.Keys(m)) }

// configValue decodes a structured config value of the stack file.
func configValue(t *testing.T, s *enginetest.Stack, key string, into any) {
	t.Helper()
	require.NoError(t, json.Unmarshal([]byte(s.Config()[key]), into))
}
