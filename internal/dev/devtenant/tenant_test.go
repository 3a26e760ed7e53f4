package devtenant_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/model-api-auth0/model-api-auth0/internal/dev/devtenant"
	"github.com/model-api-auth0/model-api-auth0/internal/dev/devtenant/devtenanttest"
	"github.com/model-api-auth0/model-api-auth0/internal/tenant/stackconfig"
	"github.com/model-api-auth0/model-api-auth0/internal/tenant/stackoutputs"
	"github.com/model-api-auth0/model-api-auth0/internal/testing/testissuer"
)

// A protected stack never gets a dev tenant: not from its file, not from a
// configuration built some other way.
func TestProtectedStackRefused(t *testing.T) {
	root := devtenanttest.RepoRoot(t)
	for _, stack := range []string{"staging", "prod"} {
		t.Run(stack, func(t *testing.T) {
			_, _, err := devtenant.LoadStack(filepath.Join(root, "Pulumi.yaml"), filepath.Join(root, "Pulumi."+stack+".yaml"), "")
			require.ErrorIs(t, err, devtenant.ErrProtected)
			assert.Contains(t, err.Error(), "Pulumi."+stack+".yaml")
		})
	}
	cfg := testStack(t)
	cfg.Protect = true
	_, err := devtenant.New(cfg, devtenant.Options{Key: testissuer.NewKey(0)})
	assert.ErrorIs(t, err, devtenant.ErrProtected)
}

// The password: the one given, else a generated one that passes the stack's
// password policy, which applies to a given one too.
func TestLoadStackPassword(t *testing.T) {
	root := devtenanttest.RepoRoot(t)
	project, dev := filepath.Join(root, "Pulumi.yaml"), filepath.Join(root, "Pulumi.dev.yaml")
	cfg, generated, err := devtenant.LoadStack(project, dev, "")
	require.NoError(t, err)
	assert.True(t, generated)
	assert.Len(t, cfg.TestUserPassword, 23)

	cfg, generated, err = devtenant.LoadStack(project, dev, "Chosen-Passw0rd")
	require.NoError(t, err)
	assert.False(t, generated)
	assert.Equal(t, "Chosen-Passw0rd", cfg.TestUserPassword)

	_, _, err = devtenant.LoadStack(project, dev, "weak")
	require.ErrorIs(t, err, stackconfig.ErrInvalidConfig)
	assert.Contains(t, err.Error(), "testUserPassword: does not meet password policy")
	assert.NotContains(t, err.Error(), "weak", "the password is never shown")
}

// Generated passwords pass the strictest policy Auth0 has.
func TestGeneratedPasswordsAreExcellent(t *testing.T) {
	raw := map[string]string{
		stackconfig.KeyDomain:     "t.example.com",
		stackconfig.KeyAPI:        `{"name":"a","identifier":"https://a.example.com/","scopes":[{"name":"s"}]}`,
		stackconfig.KeyConnection: `{"name":"c","passwordPolicy":"excellent"}`,
		stackconfig.KeyTestUsers:  `[{"email":"a@example.com"}]`,
	}
	seen := map[string]bool{}
	for range 500 {
		raw[stackconfig.KeyTestUserPassword] = devtenant.GeneratePassword()
		_, err := stackconfig.Load(raw, nil)
		require.NoError(t, err)
		seen[raw[stackconfig.KeyTestUserPassword]] = true
	}
	assert.Len(t, seen, 500)
}

// IDs are Auth0-shaped and the same at every start; secrets are not.
func TestDeterministicIDs(t *testing.T) {
	a, b := startTest(t, devtenant.Options{}), startTest(t, devtenant.Options{})
	for _, org := range []string{"acme", "globex", "initech"} {
		assert.Regexp(t, `^org_[A-Za-z0-9]{16}$`, a.OrgID(org))
		assert.Equal(t, a.OrgID(org), b.OrgID(org))
	}
	assert.NotEqual(t, a.OrgID("acme"), a.OrgID("globex"))
	for _, c := range []string{"batch-scorer", "gateway", "cli"} {
		assert.Regexp(t, `^[A-Za-z0-9]{32}$`, a.ClientID(c))
		assert.Equal(t, a.ClientID(c), b.ClientID(c))
	}
	assert.NotEqual(t, a.ClientSecret("batch-scorer"), b.ClientSecret("batch-scorer"))
	assert.GreaterOrEqual(t, len(a.ClientSecret("gateway")), 32)
	assert.Equal(t, a.UserID("alice@acme.example.com"), b.UserID("ALICE@acme.example.com"))
	assert.Empty(t, a.OrgID("nope"))
	assert.Empty(t, a.ClientID("nope"))
}

// Bad options are all reported at once.
func TestOptionsProblems(t *testing.T) {
	_, err := devtenant.New(testStack(t), devtenant.Options{
		Key:                 testissuer.NewKey(0),
		Issuer:              "http://127.0.0.1:1/path/",
		WebApp:              devtenant.WebApp{Name: "batch-scorer", Callbacks: []string{"/relative"}},
		ClientOrganizations: map[string][]string{"gateway": {"acme"}, "org-scorer": {"umbrella"}},
	})
	require.ErrorIs(t, err, devtenant.ErrOptions)
	for _, want := range []string{
		`Options.Issuer "http://127.0.0.1:1/path/"`,
		`Options.WebApp.Name "batch-scorer" is also the name of a client`,
		`"/relative": want an absolute URL`,
		`"gateway" is not an M2M client`,
		`"umbrella" is not an organization`,
	} {
		assert.Contains(t, err.Error(), want)
	}
}

func TestDiscoveryAndKeys(t *testing.T) {
	tn := startTest(t, devtenant.Options{})
	var d map[string]any
	resp, err := http.Get(tn.Issuer() + ".well-known/openid-configuration")
	require.NoError(t, err)
	require.NoError(t, jsonDecode(resp, &d))
	resp.Body.Close()
	assert.Equal(t, tn.Issuer(), d["issuer"])
	assert.Regexp(t, `^http://127\.0\.0\.1:\d+/$`, tn.Issuer())
	assert.Equal(t, tn.AuthorizeURL(), d["authorization_endpoint"])
	assert.Equal(t, tn.TokenURL(), d["token_endpoint"])
	assert.Equal(t, tn.JWKSURL(), d["jwks_uri"])
	assert.Equal(t, tn.Issuer()+"oidc/logout", d["end_session_endpoint"])
	assert.Equal(t, []string{"S256"}, strs(d["code_challenge_methods_supported"]))

	var set struct{ Keys []map[string]any }
	resp, err = http.Get(tn.JWKSURL())
	require.NoError(t, err)
	require.NoError(t, jsonDecode(resp, &set))
	resp.Body.Close()
	require.Len(t, set.Keys, 1)
	k := set.Keys[0]
	assert.Equal(t, "RSA", k["kty"])
	assert.Equal(t, "RS256", k["alg"])
	assert.Equal(t, "sig", k["use"])
	assert.NotEmpty(t, k["kid"])
	for _, private := range []string{"d", "p", "q", "dp", "dq", "qi"} {
		assert.NotContains(t, k, private, "the JWKS holds the public key only")
	}
}

// The outputs file is what `pulumi stack output --json --show-secrets`
// gives, readable by its owner only, and internal/tenant/stackoutputs loads it.
func TestWriteOutputs(t *testing.T) {
	tn := startTest(t, devtenant.Options{})
	path := filepath.Join(t.TempDir(), "sub", "outputs.json")
	require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
	require.NoError(t, os.WriteFile(path, []byte("old"), 0o644))
	require.NoError(t, tn.WriteOutputs(path))
	info, err := os.Stat(path)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), info.Mode().Perm(), "0600 even over a file that was 0644")

	out, err := stackoutputs.Load(path)
	require.NoError(t, err)
	assert.Equal(t, tn.Audience(), out.Audience)
	assert.Equal(t, tn.Issuer(), out.Issuer)
	assert.Equal(t, tn.JWKSURL(), out.JWKSURI)
	assert.Equal(t, tn.TokenURL(), out.TokenEndpoint)
	id, err := out.ClientID("batch-scorer")
	require.NoError(t, err)
	assert.Equal(t, tn.ClientID("batch-scorer"), id)
	_, err = out.ClientID("gateway")
	assert.Error(t, err, "the web app is not an M2M client: cmd/token cannot use it")

	assert.Equal(t, tn.ClientSecret("batch-scorer"), out.ClientSecrets["batch-scorer"])
	assert.Equal(t, tn.ClientSecret("gateway"), out.ClientSecrets["gateway"])
	assert.NotContains(t, out.ClientSecrets, "cli")
	assert.Equal(t, stackoutputs.Organizations{"acme": tn.OrgID("acme"), "globex": tn.OrgID("globex"), "initech": tn.OrgID("initech")}, out.Organizations)
	assert.Equal(t, tn.ClientID("gateway"), out.WebApp.ClientID)
	cli, err := out.CLIClientID()
	require.NoError(t, err)
	assert.Equal(t, tn.ClientID("cli"), cli)
	b, _ := os.ReadFile(path)
	assert.NotContains(t, string(b), tn.Password())
	entries, _ := os.ReadDir(filepath.Dir(path))
	assert.Len(t, entries, 1, "no temporary file left")

	unstarted, err := devtenant.New(testStack(t), devtenant.Options{Key: testissuer.NewKey(0)})
	require.NoError(t, err)
	assert.ErrorIs(t, unstarted.WriteOutputs(path), devtenant.ErrNotStarted)
}

// Nothing secret reaches the log: not the password, client secrets,
// codes, or tokens.
func TestLogsHoldNoSecrets(t *testing.T) {
	var logs bytes.Buffer
	tn := startTest(t, devtenant.Options{Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	cb, err := login(t, tn, nil, devtenant.Credentials{Email: "alice@acme.example.com"})
	require.NoError(t, err)
	first := exchange(t, tn, cb.Query().Get("code"))
	second := postToken(t, tn, refreshForm(tn, first.RefreshToken))
	replay := exchange(t, tn, cb.Query().Get("code"))
	m2m := postToken(t, tn, m2mForm(tn, "batch-scorer"))
	_, err = login(t, tn, nil, devtenant.Credentials{Email: "alice@acme.example.com", Password: "Wrong-Passw0rd-Typed"})
	require.Error(t, err)
	require.Equal(t, "invalid_grant", replay.Error)
	require.Contains(t, logs.String(), "/oauth/token", "requests are logged")
	for name, secret := range map[string]string{
		"password": tn.Password(), "wrong password": "Wrong-Passw0rd-Typed", "web secret": tn.ClientSecret("gateway"),
		"m2m secret": tn.ClientSecret("batch-scorer"), "code": cb.Query().Get("code"), "access token": first.AccessToken,
		"ID token": first.IDToken, "refresh token": first.RefreshToken, "rotated refresh token": second.RefreshToken, "m2m token": m2m.AccessToken,
	} {
		require.NotEmpty(t, secret, name)
		assert.NotContains(t, logs.String(), secret, name)
	}
}

// Before Start, with no Options.Issuer, the handler says so.
func TestNotStarted(t *testing.T) {
	tn, err := devtenant.New(testStack(t), devtenant.Options{Key: testissuer.NewKey(0)})
	require.NoError(t, err)
	assert.Empty(t, tn.Issuer())
	_, err = tn.Outputs()
	assert.True(t, errors.Is(err, devtenant.ErrNotStarted))
	_, err = tn.Tokens(context.Background(), devtenant.UserLogin{Email: "alice@acme.example.com"})
	assert.Error(t, err)
}

// A configuration that did not go through stackconfig.Load is refused, not a panic later.
func TestConfigWithoutDefaults(t *testing.T) {
	_, err := devtenant.New(&stackconfig.Config{}, devtenant.Options{Key: testissuer.NewKey(0)})
	require.ErrorIs(t, err, devtenant.ErrOptions)
	assert.Contains(t, err.Error(), "stackconfig.Load")
	_, err = devtenant.New(nil, devtenant.Options{})
	assert.ErrorIs(t, err, devtenant.ErrOptions)
}
