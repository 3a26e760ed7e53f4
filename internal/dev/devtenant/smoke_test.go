package devtenant_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/model-api-auth0/model-api-auth0/internal/dev/devtenant"
	"github.com/model-api-auth0/model-api-auth0/internal/dev/devtenant/devtenanttest"
)

// The dev stack's tokens pass the real validator: an M2M token and a user's.
func TestDevStackTokensPassGuard(t *testing.T) {
	tn := devtenanttest.Dev(t)
	v := devtenanttest.Validator(t, tn)
	ctx := context.Background()

	tr := postToken(t, tn, m2mForm(tn, "batch-scorer"))
	require.Equal(t, 200, tr.Status, tr.Description)
	id, err := v.Validate(ctx, tr.AccessToken)
	require.NoError(t, err)
	assert.Equal(t, tn.ClientID("batch-scorer")+"@clients", id.Subject)
	assert.Equal(t, []string{"invoke:models", "model:echo-large"}, id.Scopes)

	tok, err := tn.Tokens(ctx, devtenant.UserLogin{Email: "alice@acme.example.com"})
	require.NoError(t, err)
	id, err = v.Validate(ctx, tok.AccessToken)
	require.NoError(t, err)
	assert.Equal(t, tn.UserID("alice@acme.example.com"), id.Subject)
	assert.Equal(t, tn.OrgID("acme"), id.OrgID)
	assert.Equal(t, []string{"invoke:models", "model:echo-large", "model:echo-small", "read:admin-messages", "read:models", "read:usage"}, id.Permissions)
}
