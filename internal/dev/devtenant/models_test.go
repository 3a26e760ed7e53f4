package devtenant_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/model-api-auth0/model-api-auth0/internal/dev/devtenant"
	"github.com/model-api-auth0/model-api-auth0/internal/dev/devtenant/devtenanttest"
)

// The dev stack's models reach the tokens as Auth0 puts them there: an M2M
// token's scope and permissions hold its grant's models, a person's
// permissions hold the models of their role in the organization of the
// login, and nobody gets a model the stack does not give them.
func TestModelsInTokens(t *testing.T) {
	tn := devtenanttest.Dev(t)
	ctx := context.Background()

	m2m := []struct {
		client, org string
		want        []string
	}{
		{client: "batch-scorer", want: []string{"invoke:models", "model:echo-large"}},
		{client: "acme-batch", org: "acme", want: []string{"invoke:models", "model:echo-small"}},
		{client: "model-catalog", want: []string{"read:models"}},
	}
	for _, c := range m2m {
		var extra []string
		if c.org != "" {
			extra = []string{"organization", c.org}
		}
		tr := postToken(t, tn, m2mForm(tn, c.client, extra...))
		require.Equal(t, 200, tr.Status, "%s: %s", c.client, tr.Description)
		claims := verify(t, tn, tr.AccessToken, tn.Audience())
		assert.Equal(t, c.want, strs(claims["scope"]), "%s: scope", c.client)
		assert.Equal(t, c.want, strs(claims["permissions"]), "%s: permissions", c.client)
	}

	// A client may narrow its token to a model it is granted, not widen it
	// to one it is not.
	tr := postToken(t, tn, m2mForm(tn, "batch-scorer", "scope", "model:echo-large"))
	require.Equal(t, 200, tr.Status, tr.Description)
	assert.Equal(t, "model:echo-large", tr.Scope)
	tr = postToken(t, tn, m2mForm(tn, "batch-scorer", "scope", "invoke:models model:echo-small"))
	assert.Equal(t, 403, tr.Status)
	assert.Contains(t, tr.Description, "Client has not been granted scopes: model:echo-small")

	people := []struct{ email, org, role string }{
		{"alice@acme.example.com", "acme", "model-admin"},
		{"bob@globex.example.com", "globex", "model-user"},
	}
	want := map[string][]string{
		"model-admin": {"invoke:models", "model:echo-large", "model:echo-small", "read:admin-messages", "read:models", "read:usage"},
		"model-user":  {"invoke:models", "model:echo-small", "read:models"},
	}
	for _, p := range people {
		tok, err := tn.Tokens(ctx, devtenant.UserLogin{Email: p.email, Organization: p.org})
		require.NoError(t, err, p.email)
		claims := verify(t, tn, tok.AccessToken, tn.Audience())
		assert.Equal(t, want[p.role], strs(claims["permissions"]), "%s (%s): permissions", p.email, p.role)
	}

	// A person who asks for a model scope gets it in the scope claim only
	// if their role gives the model.
	tok, err := tn.Tokens(ctx, devtenant.UserLogin{Email: "bob@globex.example.com", Organization: "globex",
		Scopes: []string{"openid", "invoke:models", "model:echo-small", "model:echo-large"}})
	require.NoError(t, err)
	claims := verify(t, tn, tok.AccessToken, tn.Audience())
	assert.Equal(t, []string{"openid", "invoke:models", "model:echo-small"}, strs(claims["scope"]))
}
