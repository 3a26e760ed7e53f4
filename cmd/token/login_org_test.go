package main

import (
	"cmp"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/model-api-auth0/model-api-auth0/internal/callers/tokenstore"
	"github.com/model-api-auth0/model-api-auth0/internal/dev/devtenant"
)

// A person's login to an organization is one login, stored under the
// organization's ID, whether -org named it by name or by ID, with the
// stack outputs or flags only; later commands find it by either.
func TestLoginIsKeyedByOrganizationID(t *testing.T) {
	cases := []struct {
		name         string
		namesAllowed bool                     // the tenant allows organization names
		login        func(*loginEnv) []string // the login's flags
		sent         func(*loginEnv) string   // the organization parameter sent
		wantName     bool                     // the login knows the organization's name
		wantErr      []string
	}{
		{name: "a name, with the stack outputs",
			login: func(e *loginEnv) []string { return []string{"-stack-outputs", e.outputs, "-org", "acme"} },
			sent:  func(e *loginEnv) string { return e.tn.OrgID("acme") }, wantName: true},
		{name: "an ID, with the stack outputs",
			login: func(e *loginEnv) []string { return []string{"-stack-outputs", e.outputs, "-org", e.tn.OrgID("acme")} },
			sent:  func(e *loginEnv) string { return e.tn.OrgID("acme") }, wantName: true},
		{name: "an ID, flags only",
			login: func(e *loginEnv) []string { return append(e.flags(), "-org", e.tn.OrgID("acme")) },
			sent:  func(e *loginEnv) string { return e.tn.OrgID("acme") }},
		{name: "a name, flags only, on a tenant that allows names", namesAllowed: true,
			login: func(e *loginEnv) []string { return append(e.flags(), "-org", "acme") },
			sent:  func(e *loginEnv) string { return "acme" }, wantName: true},
		{name: "a name, flags only, on a tenant that takes IDs only",
			login: func(e *loginEnv) []string { return append(e.flags(), "-org", "acme") },
			sent:  func(e *loginEnv) string { return "acme" },
			wantErr: []string{"parameter organization must be an organization id",
				"-org acme is sent as given: give -stack-outputs to resolve the name to its ID, give the ID (org_...), or allow organization names in the tenant"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := newLoginEnvWith(t, true, devtenant.Options{OrganizationIDsOnly: !c.namesAllowed})
			alice := &browser{tn: e.tn, email: "alice@acme.example.com"}
			_, stderr, err := e.run(alice, append([]string{"login"}, c.login(e)...)...)
			require.Len(t, alice.opened, 1)
			assert.Equal(t, c.sent(e), mustQuery(t, alice.opened[0]).Get("organization"))
			store, _ := e.store()
			if c.wantErr != nil {
				require.ErrorIs(t, err, ErrLoginRefused)
				for _, w := range c.wantErr {
					assert.Contains(t, err.Error(), w)
				}
				logins, err := store.List()
				require.NoError(t, err)
				assert.Empty(t, logins)
				return
			}
			require.NoError(t, err, stderr)
			name, org := "", e.tn.OrgID("acme")
			if c.wantName {
				name, org = "acme", "acme ("+e.tn.OrgID("acme")+")"
			}
			assert.Contains(t, stderr, "Logged in as alice@acme.example.com in organization "+org+" to ")

			files, err := filepath.Glob(filepath.Join(store.Dir, "*.json"))
			require.NoError(t, err)
			assert.Equal(t, []string{store.Path(e.key("acme"))}, files, "one file, under the organization's ID")
			l := e.storedLogin("acme")
			assert.Equal(t, name, l.OrganizationName)

			for _, find := range [][]string{
				{"-org", cmp.Or(name, e.tn.OrgID("acme"))}, // flags only: by the name if the login knows it
				{"-org", e.tn.OrgID("acme")},
				{"-stack-outputs", e.outputs, "-org", "acme"},
				{"-stack-outputs", e.outputs, "-org", e.tn.OrgID("acme")},
				{},
			} {
				stdout, stderr, err := e.run(nil, find...)
				require.NoError(t, err, "%v: %s", find, stderr)
				assert.Equal(t, l.Token.AccessToken+"\n", stdout, find)
			}
			_, _, err = e.run(nil, "-org", "globex")
			assert.ErrorIs(t, err, tokenstore.ErrNotLoggedIn)
		})
	}
}

// Logins stored by an earlier version, under the organization's name, keep
// working, and are moved to the organization's ID (read from their own
// access token) by the next command that looks for a login, or by a new
// login to the same organization.
func TestLegacyLoginIsMigrated(t *testing.T) {
	cases := []struct {
		name     string
		args     func(*loginEnv) []string
		opaque   bool // the stored access token is not a JWT: the login cannot be moved
		loggedIn bool // a login is left afterwards
	}{
		{name: "by name, with the stack outputs", args: func(e *loginEnv) []string { return []string{"-stack-outputs", e.outputs, "-org", "acme"} }, loggedIn: true},
		{name: "by name, flags only", args: func(*loginEnv) []string { return []string{"-org", "acme"} }, loggedIn: true},
		{name: "by ID, flags only", args: func(e *loginEnv) []string { return []string{"-org", e.tn.OrgID("acme")} }, loggedIn: true},
		{name: "the only login", args: func(*loginEnv) []string { return nil }, loggedIn: true},
		{name: "logout", args: func(*loginEnv) []string { return []string{"logout", "-org", "acme"} }},
		{name: "a new login", args: func(e *loginEnv) []string { return []string{"login", "-stack-outputs", e.outputs, "-org", "acme"} }, loggedIn: true},
		{name: "a token that cannot be read stays where it is", args: func(*loginEnv) []string { return []string{"-org", "acme"} }, opaque: true, loggedIn: true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := newLoginEnv(t, true)
			_, stderr, err := e.run(&browser{tn: e.tn, email: "alice@acme.example.com"}, "login", "-stack-outputs", e.outputs, "-org", "acme")
			require.NoError(t, err, stderr)
			store, _ := e.store()
			// What the earlier version wrote: the name as the key, no organizationName.
			legacy := e.storedLogin("acme")
			require.NoError(t, store.Delete(legacy.Key()))
			legacy.Organization, legacy.OrganizationName = "acme", ""
			if c.opaque {
				legacy.Token.AccessToken = "an-opaque-token"
			}
			require.NoError(t, store.Save(legacy))
			legacyPath := store.Path(legacy.Key())

			var b *browser
			args := c.args(e)
			if len(args) > 0 && args[0] == "login" {
				b = &browser{tn: e.tn, email: "alice@acme.example.com"}
			}
			stdout, stderr, err := e.run(b, args...)
			require.NoError(t, err, stderr)
			if len(args) == 0 || args[0] == "-org" || args[0] == "-stack-outputs" {
				assert.Equal(t, legacy.Token.AccessToken+"\n", stdout, "the legacy login works")
			}

			files, err := filepath.Glob(filepath.Join(store.Dir, "*.json"))
			require.NoError(t, err)
			switch {
			case !c.loggedIn:
				assert.Empty(t, files)
			case c.opaque:
				assert.Equal(t, []string{legacyPath}, files, "left under its name")
			default:
				assert.Equal(t, []string{store.Path(e.key("acme"))}, files, "moved to the organization's ID")
				moved := e.storedLogin("acme")
				assert.Equal(t, "acme", moved.OrganizationName)
				if b == nil {
					assert.Equal(t, legacy.Token.RefreshToken, moved.Token.RefreshToken, "the same login, moved")
				}
				_, err := os.Stat(legacyPath)
				assert.ErrorIs(t, err, os.ErrNotExist)
			}
			assert.NotContains(t, stderr, legacy.Token.RefreshToken)
		})
	}
}

// flags are the login flags that name the tenant without the stack outputs.
func (e *loginEnv) flags() []string {
	return []string{"-issuer", e.tn.Issuer(), "-audience", e.tn.Audience(), "-client-id", e.tn.ClientID(e.tn.NativeName())}
}
