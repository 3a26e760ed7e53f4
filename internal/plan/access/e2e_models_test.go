package access_test

import (
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/model-api-auth0/model-api-auth0/guard"
	"github.com/model-api-auth0/model-api-auth0/internal/plan/access"
	"github.com/model-api-auth0/model-api-auth0/internal/tenant/modelperm"
)

// checkModelCells checks the principal's row of the models matrix against
// its real token: the permissions (and, for a client, the scope) hold
// model:NAME exactly for the models the table says it may call.
func checkModelCells(t *testing.T, table *access.Table, p access.Principal, id *guard.Identity) {
	t.Helper()
	for _, model := range table.Models {
		perm := modelperm.Permission(model)
		assert.Equal(t, p.MayCall(model), slices.Contains(id.Permissions, perm), "%s: %s in the token's permissions", p.Name, perm)
		if p.Kind == access.Client {
			assert.Equal(t, p.MayCall(model), slices.Contains(id.Scopes, perm), "%s: %s in the token's scope", p.Name, perm)
		}
	}
}
