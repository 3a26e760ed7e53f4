package main

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/model-api-auth0/model-api-auth0/internal/plan"
	"github.com/model-api-auth0/model-api-auth0/internal/tenant/stackconfig"
	"github.com/model-api-auth0/model-api-auth0/internal/testing/enginetest"
)

// A change that would delete the tenant's data, each on a freshly deployed
// stack.
type dataLoss struct {
	name    string
	config  func(t *testing.T, s *enginetest.Stack) (args []string, target string) // `pulumi config ...`, and the URN it deletes
	replace bool                                                                   // target is replaced, not deleted
}

var dataLosses = []dataLoss{
	{"change the API identifier", func(t *testing.T, s *enginetest.Stack) ([]string, string) {
		return []string{"set", "--path", stackconfig.KeyAPI + ".identifier", "https://api.changed.example.com/"},
			s.URN("auth0:index/resourceServer:ResourceServer", "api")
	}, true},
	{"rename the connection", func(t *testing.T, s *enginetest.Stack) ([]string, string) {
		var conn struct{ Name string }
		configValue(t, s, stackconfig.KeyConnection, &conn)
		return []string{"set", "--path", stackconfig.KeyConnection + ".name", conn.Name + "-renamed"},
			s.URN("auth0:index/connection:Connection", "connection")
	}, true},
	{"remove an organization", func(t *testing.T, s *enginetest.Stack) ([]string, string) {
		var orgs []struct{ Name string }
		configValue(t, s, stackconfig.KeyOrganizations, &orgs)
		last := len(orgs) - 1
		return []string{"rm", "--path", fmt.Sprintf("%s[%d]", stackconfig.KeyOrganizations, last)},
			s.URN("auth0:index/organization:Organization", "org-"+orgs[last].Name)
	}, false},
}

// In prod (protect: true) the engine refuses to delete or replace the API,
// the connection and the organizations, and the offline gate (`go run . plan
// -against`) refuses the same changes before `pulumi up` runs. In dev they go
// through: the API identifier is willReplaceOnChanges, so the API is
// replaced.
// (Destroy is the last step of TestStacks.)
func TestProtect(t *testing.T) {
	for _, stack := range []string{"prod", "dev"} {
		for _, change := range dataLosses {
			t.Run(stack+"/"+change.name, func(t *testing.T) {
				t.Parallel()
				s := newReadyStack(t, stack)
				_, err := s.Up()
				require.NoError(t, err)
				before, recorded := stackExport(t, s), workDirPlan(t, s)
				protected := s.Config()[stackconfig.KeyProtect] == "true"

				args, target := change.config(t, s)
				_, err = s.Run(append([]string{"config"}, args...)...)
				require.NoError(t, err)
				findings := plan.Compare(recorded, workDirPlan(t, s))
				_, err = s.Up()
				switch {
				case !protected && change.replace:
					require.NoError(t, err)
					assert.Equal(t, 2, s.Double.Creates()[target], "%s is replaced: created anew", target)
					assert.Equal(t, 1, s.Double.Deletes()[target], "%s is replaced: the old one deleted", target)
					assert.NotEqual(t, before.resource[target], tenantResources(s)[target])
					return
				case !protected:
					require.NoError(t, err)
					assert.Equal(t, 1, s.Double.Deletes()[target], "%s is deleted", target)
					assert.NotContains(t, tenantResources(s), target)
					return
				}
				assert.True(t, plan.Fatal(findings), "the gate refuses it before `pulumi up`:\n%s", plan.Summary(findings))
				require.Error(t, err, "pulumi up")
				if change.replace {
					assert.Contains(t, err.Error(), fmt.Sprintf("unable to replace resource %q", target))
				} else {
					// The engine stops at the first protected resource it
					// would delete: a child of the target, or the target.
					assert.Contains(t, err.Error(), "cannot be deleted")
					assert.Contains(t, err.Error(), "because it is protected")
				}
				assert.Contains(t, err.Error(), "protect")
				checkProtectedKept(t, s, before)
			})
		}
	}
}

// checkProtectedKept checks that every resource the state marked protected
// is still in the tenant with its ID, and that nothing else was deleted: the
// engine refuses a protected resource only when it reaches it, after what
// depends on it, so a protected stack protects everything.
func checkProtectedKept(t *testing.T, s *enginetest.Stack, before deployment) {
	t.Helper()
	now := tenantResources(s)
	var kept int
	var lost []string
	for urn, id := range before.resource {
		switch {
		case before.protect[urn]:
			assert.Equal(t, id, now[urn], "protected %s is kept", urn)
			kept++
		case now[urn] != id:
			lost = append(lost, urn)
		}
	}
	assert.Positive(t, kept, "the stack protects something")
	assert.Empty(t, lost, "a protected stack loses nothing: every resource is protected, so the engine deletes none before it refuses")
}
