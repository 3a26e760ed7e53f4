package main

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/model-api-auth0/model-api-auth0/internal/testing/auth0double"
)

// An up that fails in the middle (Auth0 refuses the fifth create) leaves a
// state that records exactly what was created, and the next up converges:
// nothing is created twice, nothing is lost, nothing is deleted.
func TestInterruptedUp(t *testing.T) {
	for _, name := range stacks {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			s := newReadyStack(t, name)
			s.Double.FailCreate(5)
			_, err := s.Up()
			require.Error(t, err)
			assert.Contains(t, err.Error(), auth0double.ErrInjected.Error())

			created := tenantResources(s)
			require.GreaterOrEqual(t, len(created), 4, "the four creates before the failure")
			want := offlineURNs(t, s)
			require.Less(t, len(created), len(want), "the up stopped before the end")
			dep := stackExport(t, s)
			assert.Equal(t, created, dep.resource, "the state records what was created, with its IDs")
			assert.Empty(t, dep.pending, "no operation is left pending")

			_, err = s.Up()
			require.NoError(t, err, "the next up")
			assert.Equal(t, want, sortedKeys(tenantResources(s)), "nothing is lost")
			for urn, n := range s.Double.Creates() {
				assert.Equal(t, 1, n, "%s created %d times", urn, n)
			}
			for urn, id := range created {
				assert.Equal(t, id, tenantResources(s)[urn], "%s was kept, not recreated", urn)
			}
			assert.Empty(t, s.Double.Deletes())
			assert.Equal(t, tenantResources(s), stackExport(t, s).resource)
		})
	}
}
