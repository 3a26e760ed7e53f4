package main

import (
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/auto/optup"
	"github.com/pulumi/pulumi/sdk/v3/go/common/apitype"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/model-api-auth0/model-api-auth0/internal/tenant/stackconfig"
	"github.com/model-api-auth0/model-api-auth0/internal/testing/enginetest"
)

// In the dev stack, globex assigns membership on login and acme does not.
const (
	joinedAtLogin = "auth0|joined-at-login"
	addedByHand   = "auth0|added-by-hand"
)

// tenantResource finds what the double holds under a logical name.
func tenantResource(t *testing.T, s *enginetest.Stack, name string) (urn, id string) {
	t.Helper()
	for _, r := range s.Double.Resources() {
		if strings.HasSuffix(r.URN, "::"+name) {
			return r.URN, r.ID
		}
	}
	require.FailNow(t, "the tenant holds no "+name)
	return "", ""
}

// People who join an organization at login are members no stack file lists.
// `pulumi up --refresh` keeps them where the organization assigns
// membership on login (each declared member is its own OrganizationMember),
// and removes them where one authoritative OrganizationMembers lists the
// members: there a member added outside the stack is drift. Both on one
// stack, on the real engine: the double's refresh reads every member of an
// organization, as the provider does.
func TestJoinedAtLoginSurvivesRefresh(t *testing.T) {
	s := newReadyStack(t, "dev")
	_, err := s.Up()
	require.NoError(t, err)
	_, globex := tenantResource(t, s, "org-globex")
	acmeMembers, _ := tenantResource(t, s, "org-acme-members")
	_, acme := tenantResource(t, s, "org-acme")
	_, bob := tenantResource(t, s, "user-bob@globex.example.com")
	declaredGlobex, declaredAcme := s.Double.Members(globex), s.Double.Members(acme)
	require.Equal(t, []string{bob}, declaredGlobex, "globex's declared member")
	require.NotEmpty(t, declaredAcme)

	s.Double.Join(globex, joinedAtLogin)
	s.Double.Join(acme, addedByHand)
	_, err = s.Up(optup.Refresh())
	require.NoError(t, err)
	assert.ElementsMatch(t, append(declaredGlobex, joinedAtLogin), s.Double.Members(globex),
		"globex keeps the person who joined at login, and its declared members")
	assert.Equal(t, declaredAcme, s.Double.Members(acme), "the authoritative list removed the member it does not list")
	assert.Equal(t, 1, s.Double.Updates()[acmeMembers], "removed by an update of org-acme-members")
	for urn := range s.Double.Updates() {
		assert.NotContains(t, urn, "org-globex-member", "a globex membership changed")
	}
	assert.Empty(t, s.Double.Deletes(), "nothing is deleted")

	steps, err := s.Up(optup.Refresh())
	require.NoError(t, err)
	var changes []string
	for _, c := range steps.Changes() {
		if !strings.HasPrefix(c, string(apitype.OpRefresh)+" ") {
			changes = append(changes, c)
		}
	}
	assert.Empty(t, changes, "a second `up --refresh` has nothing to do")
	assert.Contains(t, s.Double.Members(globex), joinedAtLogin)
}

// Upgrading a stack deployed with the authoritative list for an
// organization that assigns membership on login (the README's steps): the
// new per-member resources are created, then the old list is deleted, and
// the provider deletes it by removing every member it lists, the declared
// ones too. `pulumi state delete` of the old list first keeps them.
func TestMembershipUpgrade(t *testing.T) {
	for _, stateDelete := range []bool{false, true} {
		name := "without state delete"
		if stateDelete {
			name = "with state delete"
		}
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			s := newReadyStack(t, "dev")
			path := stackconfig.KeyOrganizations + "[1].assignMembershipOnLogin" // globex
			_, err := s.Run("config", "set", "--path", path, "false")
			require.NoError(t, err)
			_, err = s.Up()
			require.NoError(t, err)
			oldList, _ := tenantResource(t, s, "org-globex-members")
			_, globex := tenantResource(t, s, "org-globex")
			_, bob := tenantResource(t, s, "user-bob@globex.example.com")
			require.Equal(t, []string{bob}, s.Double.Members(globex))

			_, err = s.Run("config", "set", "--path", path, "true")
			require.NoError(t, err)
			if stateDelete {
				// The member roles depend on the list: they leave the state
				// with it, and `up` assigns the same roles again.
				_, err = s.Run("state", "delete", oldList, "--target-dependents", "--yes")
				require.NoError(t, err)
			}
			_, err = s.Up()
			require.NoError(t, err)
			tenantResource(t, s, "org-globex-member-bob@globex.example.com") // created
			if !stateDelete {
				assert.Empty(t, s.Double.Members(globex), "deleting the old list removed the declared member")
				return
			}
			assert.Equal(t, []string{bob}, s.Double.Members(globex), "the declared member stays")
			assert.Zero(t, s.Double.Deletes()[oldList], "the old list left the state only")
		})
	}
}
