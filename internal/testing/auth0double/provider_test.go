package auth0double

import (
	"strconv"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/plugin"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/protobuf/types/known/structpb"
)

// serve serves a double and returns a gRPC client to it, as the engine
// would dial it.
func serve(t *testing.T) (*Provider, pulumirpc.ResourceProviderClient) {
	t.Helper()
	p := New(loadSchema(t))
	port, stop, err := p.Serve(t.Context())
	require.NoError(t, err)
	t.Cleanup(stop)
	conn, err := grpc.NewClient("127.0.0.1:"+itoa(port), grpc.WithTransportCredentials(insecure.NewCredentials()))
	require.NoError(t, err)
	t.Cleanup(func() { _ = conn.Close() })
	return p, pulumirpc.NewResourceProviderClient(conn)
}

func itoa(n int) string { return strconv.Itoa(n) }

func urn(typ, name string) string {
	return string(resource.CreateURN(name, typ, "", "model-api-auth0", "test"))
}

func pb(t *testing.T, m resource.PropertyMap) *structpb.Struct {
	t.Helper()
	s, err := plugin.MarshalProperties(m, plugin.MarshalOptions{KeepUnknowns: true, KeepSecrets: true})
	require.NoError(t, err)
	return s
}

func fromPB(t *testing.T, s *structpb.Struct) resource.PropertyMap {
	t.Helper()
	m, err := plugin.UnmarshalProperties(s, plugin.MarshalOptions{KeepUnknowns: true, KeepSecrets: true})
	require.NoError(t, err)
	return m
}

func TestCreateAssignsWhatAuth0Assigns(t *testing.T) {
	p, c := serve(t)
	ctx := t.Context()

	res, err := c.Create(ctx, &pulumirpc.CreateRequest{Urn: urn(client, "c"), Properties: pb(t, props(map[string]any{"name": "c"}))})
	require.NoError(t, err)
	out := fromPB(t, res.GetProperties())
	require.True(t, out["clientId"].IsString())
	assert.Equal(t, out["clientId"].StringValue(), res.GetId(), "a client's ID is its client ID")

	creds := urn(credentials, "c-credentials")
	res, err = c.Create(ctx, &pulumirpc.CreateRequest{Urn: creds, Properties: pb(t, props(map[string]any{"clientId": res.GetId()}))})
	require.NoError(t, err)
	secret := fromPB(t, res.GetProperties())["clientSecret"]
	require.True(t, secret.IsSecret(), "the client secret is returned as a secret: %v", secret)
	assert.Len(t, secret.SecretValue().Element.StringValue(), 64)
	assert.Equal(t, []string{secret.SecretValue().Element.StringValue()}, p.Secrets())

	// An update keeps what Auth0 assigned.
	up, err := c.Update(ctx, &pulumirpc.UpdateRequest{Id: res.GetId(), Urn: creds,
		News: pb(t, props(map[string]any{"clientId": "x", "authenticationMethod": "client_secret_post"}))})
	require.NoError(t, err)
	assert.Equal(t, secret, fromPB(t, up.GetProperties())["clientSecret"])

	// A preview creates nothing, and what Auth0 would assign is unknown.
	pre, err := c.Create(ctx, &pulumirpc.CreateRequest{Urn: urn(client, "d"), Properties: pb(t, props(map[string]any{"name": "d"})), Preview: true})
	require.NoError(t, err)
	assert.True(t, fromPB(t, pre.GetProperties())["clientId"].IsComputed())
	assert.Empty(t, pre.GetId())

	assert.Equal(t, map[string]int{urn(client, "c"): 1, creds: 1}, p.Creates())
	assert.Equal(t, map[string]int{creds: 1}, p.Updates())
	assert.Len(t, p.Resources(), 2)

	_, err = c.Delete(ctx, &pulumirpc.DeleteRequest{Id: res.GetId(), Urn: creds})
	require.NoError(t, err)
	read, err := c.Read(ctx, &pulumirpc.ReadRequest{Id: res.GetId(), Urn: creds})
	require.NoError(t, err)
	assert.Empty(t, read.GetId(), "a deleted resource reads as gone")
	assert.Equal(t, map[string]int{creds: 1}, p.Deletes())
}

func TestDiff(t *testing.T) {
	_, c := serve(t)
	old := props(map[string]any{"identifier": "https://a.example.com/", "name": "A"})
	cases := []struct {
		name     string
		news     map[string]any
		changes  pulumirpc.DiffResponse_DiffChanges
		diffs    []string
		replaces []string
	}{
		{"same", map[string]any{"identifier": "https://a.example.com/", "name": "A"}, pulumirpc.DiffResponse_DIFF_NONE, nil, nil},
		{"update", map[string]any{"identifier": "https://a.example.com/", "name": "B"}, pulumirpc.DiffResponse_DIFF_SOME, []string{"name"}, nil},
		{"replace", map[string]any{"identifier": "https://b.example.com/", "name": "A"}, pulumirpc.DiffResponse_DIFF_SOME, []string{"identifier"}, []string{"identifier"}},
		{"added", map[string]any{"identifier": "https://a.example.com/", "name": "A", "tokenLifetime": 60}, pulumirpc.DiffResponse_DIFF_SOME, []string{"tokenLifetime"}, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res, err := c.Diff(t.Context(), &pulumirpc.DiffRequest{Id: "rs_1", Urn: urn(resourceServer, "api"),
				Olds: pb(t, old), OldInputs: pb(t, old), News: pb(t, props(tc.news))})
			require.NoError(t, err)
			assert.Equal(t, tc.changes, res.GetChanges())
			assert.Equal(t, tc.diffs, res.GetDiffs())
			assert.Equal(t, tc.replaces, res.GetReplaces())
		})
	}
}

func TestFailCreate(t *testing.T) {
	p, c := serve(t)
	create := func(name string) error {
		_, err := c.Create(t.Context(), &pulumirpc.CreateRequest{Urn: urn("auth0:index/role:Role", name), Properties: pb(t, props(map[string]any{"name": name}))})
		return err
	}
	p.FailCreate(2)
	require.NoError(t, create("a"))
	err := create("b")
	require.Error(t, err)
	assert.Contains(t, err.Error(), ErrInjected.Error())
	require.NoError(t, create("c"))
	assert.Equal(t, map[string]int{urn("auth0:index/role:Role", "a"): 1, urn("auth0:index/role:Role", "c"): 1}, p.Creates(),
		"a failed create creates nothing")
}

func TestCheckOverRPC(t *testing.T) {
	_, c := serve(t)
	res, err := c.Check(t.Context(), &pulumirpc.CheckRequest{Urn: urn(resourceServer, "api"),
		News: pb(t, props(map[string]any{"identifier": "https://a.example.com/", "signingAlg": "HS512"}))})
	require.NoError(t, err)
	require.Len(t, res.GetFailures(), 1)
	assert.Equal(t, "signingAlg", res.GetFailures()[0].GetProperty())
}
