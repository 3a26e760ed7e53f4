package auth0double

import (
	"testing"

	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Memberships behave as the provider's resources do over Auth0's one member
// set per organization: the list reads every member, an update removes the
// ones its old state had and its new list lacks, a single membership reads
// as gone once its member is.
func TestMemberships(t *testing.T) {
	p, c := serve(t)
	ctx := t.Context()
	list := props(map[string]any{"organizationId": "org_1", "members": []any{"auth0|a"}})
	created, err := c.Create(ctx, &pulumirpc.CreateRequest{Urn: urn(membersType, "org-members"), Properties: pb(t, list)})
	require.NoError(t, err)
	one, err := c.Create(ctx, &pulumirpc.CreateRequest{Urn: urn(memberType, "org-member-b"),
		Properties: pb(t, props(map[string]any{"organizationId": "org_2", "userId": "auth0|b"}))})
	require.NoError(t, err)
	assert.Equal(t, []string{"auth0|a"}, p.Members("org_1"))

	p.Join("org_1", "auth0|joined")
	p.Join("org_2", "auth0|joined")
	read, err := c.Read(ctx, &pulumirpc.ReadRequest{Id: created.GetId(), Urn: urn(membersType, "org-members")})
	require.NoError(t, err)
	refreshed := fromPB(t, read.GetProperties())
	assert.Equal(t, []any{"auth0|a", "auth0|joined"}, refreshed["members"].Mappable(), "the list reads every member")
	read, err = c.Read(ctx, &pulumirpc.ReadRequest{Id: one.GetId(), Urn: urn(memberType, "org-member-b")})
	require.NoError(t, err)
	assert.Equal(t, one.GetId(), read.GetId(), "one membership ignores the others")

	_, err = c.Update(ctx, &pulumirpc.UpdateRequest{Id: created.GetId(), Urn: urn(membersType, "org-members"),
		Olds: pb(t, refreshed), News: pb(t, list)})
	require.NoError(t, err)
	assert.Equal(t, []string{"auth0|a"}, p.Members("org_1"), "the update removed the member its list lacks")
	assert.Equal(t, []string{"auth0|b", "auth0|joined"}, p.Members("org_2"))

	p.Leave("org_2", "auth0|b")
	read, err = c.Read(ctx, &pulumirpc.ReadRequest{Id: one.GetId(), Urn: urn(memberType, "org-member-b")})
	require.NoError(t, err)
	assert.Empty(t, read.GetId(), "a membership whose member left is gone")

	_, err = c.Delete(ctx, &pulumirpc.DeleteRequest{Id: created.GetId(), Urn: urn(membersType, "org-members"), Properties: pb(t, list)})
	require.NoError(t, err)
	assert.Empty(t, p.Members("org_1"), "deleting the list removes every member it lists")
}
