//go:build unix

package tokenstore_test

import (
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/oauth2"

	"github.com/model-api-auth0/model-api-auth0/internal/callers/tokenstore"
)

var acme = tokenstore.Key{Issuer: "https://t.example/", Audience: "https://api.example/", Organization: "acme"}

func newStore(t *testing.T) *tokenstore.Store {
	return &tokenstore.Store{Dir: filepath.Join(t.TempDir(), "model-api-auth0", "logins")}
}

func login(k tokenstore.Key, access string) *tokenstore.Login {
	return &tokenstore.Login{Issuer: k.Issuer, Audience: k.Audience, Organization: k.Organization, ClientID: "cli", TokenURL: k.Issuer + "oauth/token",
		Token: &oauth2.Token{AccessToken: access, RefreshToken: "r-" + access, TokenType: "Bearer", Expiry: time.Now().Add(time.Hour).Round(time.Second)}}
}

func TestSaveLoadDelete(t *testing.T) {
	s := newStore(t)
	_, err := s.Load(acme)
	require.ErrorIs(t, err, tokenstore.ErrNotLoggedIn, "no directory yet")

	require.NoError(t, s.Save(login(acme, "a1")))
	got, err := s.Load(acme)
	require.NoError(t, err)
	assert.Equal(t, "a1", got.Token.AccessToken)
	assert.Equal(t, "r-a1", got.Token.RefreshToken)
	assert.True(t, got.Token.Valid())
	mode(t, s.Dir, 0o700)
	mode(t, s.Path(acme), 0o600)
	assert.Contains(t, filepath.Base(s.Path(acme)), "t.example.acme.", "a readable file name")

	// Saving again replaces the file, with the same permissions, and
	// leaves no temporary file behind.
	require.NoError(t, s.Save(login(acme, "a2")))
	got, _ = s.Load(acme)
	assert.Equal(t, "a2", got.Token.AccessToken)
	entries, _ := os.ReadDir(s.Dir)
	assert.Len(t, entries, 1)

	require.NoError(t, s.Delete(acme))
	require.NoError(t, s.Delete(acme), "deleting twice is fine")
	_, err = s.Load(acme)
	assert.ErrorIs(t, err, tokenstore.ErrNotLoggedIn)
}

// One file per tenant, API and organization.
func TestKeysAreApart(t *testing.T) {
	s := newStore(t)
	keys := []tokenstore.Key{
		acme,
		{Issuer: acme.Issuer, Audience: acme.Audience},
		{Issuer: acme.Issuer, Audience: "https://other-api.example/", Organization: "acme"},
		{Issuer: "http://127.0.0.1:8080/", Audience: acme.Audience, Organization: "acme"},
	}
	for i, k := range keys {
		require.NoError(t, s.Save(login(k, strings.Repeat("x", i+1))))
	}
	for i, k := range keys {
		got, err := s.Load(k)
		require.NoError(t, err)
		assert.Equal(t, strings.Repeat("x", i+1), got.Token.AccessToken)
	}
	all, err := s.List()
	require.NoError(t, err)
	require.Len(t, all, 4)
	assert.Equal(t, "http://127.0.0.1:8080/", all[0].Issuer, "ordered")
}

// A token file or directory others could read or replace is refused, with
// the fix in the error; nothing of the file is used.
func TestInsecureStoreIsRefused(t *testing.T) {
	cases := []struct {
		name  string
		spoil func(s *tokenstore.Store)
		want  string
	}{
		{"file readable by the group", func(s *tokenstore.Store) { os.Chmod(s.Path(acme), 0o640) },
			"can be read by others (mode -rw-r-----): its tokens may have been copied; run `chmod 600 "},
		{"file readable by all", func(s *tokenstore.Store) { os.Chmod(s.Path(acme), 0o644) }, "run `chmod 600 "},
		{"directory writable by all", func(s *tokenstore.Store) { os.Chmod(s.Dir, 0o777) }, "can be written by others (mode -rwxrwxrwx); run `chmod 700 "},
		{"directory writable by the group", func(s *tokenstore.Store) { os.Chmod(s.Dir, 0o770) }, "run `chmod 700 "},
		{"file is a link", func(s *tokenstore.Store) {
			elsewhere := filepath.Join(filepath.Dir(s.Dir), "elsewhere.json")
			os.Rename(s.Path(acme), elsewhere)
			os.Symlink(elsewhere, s.Path(acme))
		}, "is not a regular file"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := newStore(t)
			require.NoError(t, s.Save(login(acme, "a")))
			c.spoil(s)
			_, err := s.Load(acme)
			require.ErrorIs(t, err, tokenstore.ErrInsecure)
			assert.Contains(t, err.Error(), c.want)
			assert.NotContains(t, err.Error(), "r-a", "no token in the error")
			_, err = s.List()
			assert.ErrorIs(t, err, tokenstore.ErrInsecure, "List refuses too")
		})
	}
	// A directory others can write is not written to either.
	s := newStore(t)
	require.NoError(t, os.MkdirAll(s.Dir, 0o700))
	require.NoError(t, os.Chmod(s.Dir, 0o777))
	assert.ErrorIs(t, s.Save(login(acme, "a")), tokenstore.ErrInsecure)
}

// A file renamed to another login's name is not taken for that login.
func TestFileOfAnotherKeyIsRefused(t *testing.T) {
	s := newStore(t)
	other := tokenstore.Key{Issuer: acme.Issuer, Audience: acme.Audience, Organization: "globex"}
	require.NoError(t, s.Save(login(other, "g")))
	require.NoError(t, os.Rename(s.Path(other), s.Path(acme)))
	_, err := s.Load(acme)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "holds the login of another tenant, API or organization")
}

func TestInvalidKeys(t *testing.T) {
	s := newStore(t)
	for _, k := range []tokenstore.Key{
		{Audience: "a"},
		{Issuer: "i"},
		{Issuer: "i", Audience: "a", Organization: "../../etc"},
		{Issuer: "i", Audience: "a", Organization: "a b"},
		{Issuer: "i", Audience: "a", Organization: strings.Repeat("o", 51)},
	} {
		assert.ErrorIs(t, s.Save(login(k, "x")), tokenstore.ErrInvalidKey, "%+v", k)
		_, err := s.Load(k)
		assert.ErrorIs(t, err, tokenstore.ErrInvalidKey, "%+v", k)
	}
}

func TestCorruptFile(t *testing.T) {
	s := newStore(t)
	require.NoError(t, s.Save(login(acme, "a")))
	require.NoError(t, os.WriteFile(s.Path(acme), []byte("{not json"), 0o600))
	_, err := s.Load(acme)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "is not a stored login")
	assert.Contains(t, err.Error(), "log in again")
}

// Lock excludes other holders of the same login's lock (other processes
// too: flock), not those of other logins.
func TestLockExcludes(t *testing.T) {
	s := newStore(t)
	unlock, err := s.Lock(acme)
	require.NoError(t, err)
	var inside atomic.Bool
	var wg sync.WaitGroup
	wg.Go(func() {
		u, err := s.Lock(acme)
		require.NoError(t, err)
		inside.Store(true)
		u()
	})
	other, err := s.Lock(tokenstore.Key{Issuer: acme.Issuer, Audience: acme.Audience})
	require.NoError(t, err, "another login's lock is free")
	other()
	time.Sleep(50 * time.Millisecond)
	assert.False(t, inside.Load(), "the second holder got in while the first held the lock")
	unlock()
	wg.Wait()
	assert.True(t, inside.Load())
}

func mode(t *testing.T, path string, want os.FileMode) {
	t.Helper()
	fi, err := os.Stat(path)
	require.NoError(t, err)
	assert.Equal(t, want, fi.Mode().Perm(), path)
}

// Another user's file is refused even with private permissions: it could
// hold their tokens, put there for this user to send.
func TestAnotherUsersFileIsRefused(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("giving a file to another user needs root")
	}
	s := newStore(t)
	require.NoError(t, s.Save(login(acme, "a")))
	require.NoError(t, os.Chown(s.Path(acme), 65534, 65534))
	_, err := s.Load(acme)
	require.ErrorIs(t, err, tokenstore.ErrInsecure)
	assert.Contains(t, err.Error(), "belongs to another user")
}

// Logins are keyed by organization ID; a login saved before that, keyed by
// the organization name given to -org, is still read where it was written,
// and Legacy says it needs moving to its ID.
func TestOrganizationKeys(t *testing.T) {
	byName := tokenstore.Key{Issuer: acme.Issuer, Audience: acme.Audience, Organization: "acme"}
	byID := tokenstore.Key{Issuer: acme.Issuer, Audience: acme.Audience, Organization: "org_W0s9Fq0GpaDQ0bAl"}
	none := tokenstore.Key{Issuer: acme.Issuer, Audience: acme.Audience}
	cases := []struct {
		name   string
		key    tokenstore.Key
		legacy bool
	}{
		{"by ID", byID, false},
		{"no organization", none, false},
		{"by name: saved before logins were keyed by ID", byName, true},
		{"a name that starts like an ID", tokenstore.Key{Issuer: acme.Issuer, Audience: acme.Audience, Organization: "org-acme"}, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			assert.Equal(t, c.legacy, c.key.Legacy())
		})
	}

	// The file the previous version wrote is where Path says, and reads.
	s := newStore(t)
	require.NoError(t, os.MkdirAll(s.Dir, 0o700))
	old, err := os.ReadFile(filepath.Join("testdata", "legacy-login.json"))
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(s.Path(byName), old, 0o600))
	assert.Regexp(t, `/t\.example\.acme\.[0-9a-f]{12}\.json$`, s.Path(byName), "the previous version's file name")
	l, err := s.Load(byName)
	require.NoError(t, err)
	assert.Equal(t, byName, l.Key())
	assert.Empty(t, l.OrganizationName)
	assert.Equal(t, "not-a-real-refresh-token", l.Token.RefreshToken)
	all, err := s.List()
	require.NoError(t, err)
	require.Len(t, all, 1)
	assert.True(t, all[0].Key().Legacy())

	// By ID, in a file of its own, with the name kept for messages.
	assert.NotEqual(t, s.Path(byName), s.Path(byID))
	moved := login(byID, "a")
	moved.OrganizationName = "acme"
	require.NoError(t, s.Save(moved))
	got, err := s.Load(byID)
	require.NoError(t, err)
	assert.Equal(t, "acme", got.OrganizationName)
	assert.Contains(t, filepath.Base(s.Path(byID)), "t.example.org_W0s9Fq0GpaDQ0bAl.")
}
