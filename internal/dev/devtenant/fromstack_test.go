package devtenant_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/model-api-auth0/model-api-auth0/internal/dev/devtenant"
	"github.com/model-api-auth0/model-api-auth0/internal/dev/devtenant/devtenanttest"
)

// The dev stack declares its web app, its CLI app and an M2M client linked
// to an organization: the dev tenant serves exactly those.
func TestAppsAndLinksFromTheStack(t *testing.T) {
	cfg := devtenanttest.Stack(t, "dev")
	require.NotNil(t, cfg.WebApp, "the dev stack declares model-api-auth0:webApp")
	require.NotNil(t, cfg.CLIApp, "the dev stack declares model-api-auth0:cliApp")
	tn := devtenanttest.Start(t, cfg, devtenant.Options{})
	out, err := tn.Outputs()
	require.NoError(t, err)
	assert.Equal(t, cfg.WebApp.Name, tn.WebAppName())
	assert.Equal(t, cfg.WebApp.Callbacks, out.WebApp.Callbacks)
	assert.Equal(t, cfg.WebApp.LogoutURLs, out.WebApp.LogoutURLs)
	assert.Equal(t, cfg.CLIApp.Name, tn.NativeName())
	assert.Equal(t, cfg.CLIApp.Callbacks, out.CLIApp.Callbacks)

	acme := postToken(t, tn, m2mForm(tn, "acme-batch", "organization", "acme"))
	assert.Equal(t, 200, acme.Status, "acme-batch is linked to acme in the stack: %s", acme.Description)
	globex := postToken(t, tn, m2mForm(tn, "acme-batch", "organization", "globex"))
	assert.Equal(t, "access_denied", globex.Error, "acme-batch is not linked to globex")

	// What the caller sets still wins.
	tn = devtenanttest.Start(t, cfg, devtenant.Options{WebApp: devtenant.DefaultWebApp, ClientOrganizations: map[string][]string{"acme-batch": {"globex"}}})
	out, err = tn.Outputs()
	require.NoError(t, err)
	assert.Equal(t, devtenant.DefaultWebApp.Callbacks, out.WebApp.Callbacks)
	assert.Equal(t, 200, postToken(t, tn, m2mForm(tn, "acme-batch", "organization", "globex")).Status)
}
