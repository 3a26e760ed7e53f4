// Package tokenstore keeps the tokens of a person's command-line login
// (`token login`) between runs: one file per tenant, API and organization,
// in a directory only its owner can write, each file readable by its owner
// only. A file anyone else could read or replace is refused, never used.
package tokenstore

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"golang.org/x/oauth2"

	"github.com/model-api-auth0/model-api-auth0/internal/tenant/stackoutputs"
)

// Errors of the store.
var (
	// ErrNotLoggedIn is returned by Load for a key with no stored login.
	ErrNotLoggedIn = errors.New("not logged in")
	// ErrInsecure is returned for a token file or directory that others
	// could read or replace; the error says which chmod fixes it.
	ErrInsecure = errors.New("insecure token store")
	// ErrInvalidKey is returned for a key the store cannot name a file for.
	ErrInvalidKey = errors.New("invalid login key")
)

// Key names one login: the tenant (issuer), the API (audience) and the
// organization's ID ("" for none). The ID, not the name: the token the
// tenant issues carries the ID (org_id), and one organization asked for by
// name or by ID is one login.
type Key struct {
	Issuer, Audience, Organization string
}

// Legacy reports whether the key names its organization by name, as
// logins saved before keys were organization IDs do. Such a login is
// still read, saved and deleted under its key; its user moves it to
// the organization's ID (cmd/token does, on its next run).
func (k Key) Legacy() bool {
	return k.Organization != "" && !stackoutputs.IsOrganizationID(k.Organization)
}

// Check reports a key the store cannot name a file for.
func (k Key) Check() error {
	if k.Issuer == "" || k.Audience == "" {
		return fmt.Errorf("%w: the issuer and the audience are required", ErrInvalidKey)
	}
	if k.Organization != "" && !stackoutputs.IsOrganizationNameOrID(k.Organization) {
		return fmt.Errorf("%w: organization %q: want an organization name or ID (letters, digits, _ and -)", ErrInvalidKey, k.Organization)
	}
	return nil
}

// Login is a stored login: where it was made, with which client, and its tokens.
type Login struct {
	Issuer       string        `json:"issuer"`
	Audience     string        `json:"audience"`
	Organization string        `json:"organization,omitempty"`
	ClientID     string        `json:"clientId"`
	TokenURL     string        `json:"tokenUrl"`
	Token        *oauth2.Token `json:"token"`
	// Who is what the tenant said of the person at login (email or name),
	// for messages; empty if it did not say.
	Who string `json:"who,omitempty"`
	// OrganizationName is the organization's name, when known, for
	// messages and for finding the login by name.
	OrganizationName string `json:"organizationName,omitempty"`
}

// Key is the login's key.
func (l *Login) Key() Key { return Key{l.Issuer, l.Audience, l.Organization} }

// Store is a directory of logins.
type Store struct {
	Dir string
}

// Default is the store in the user's configuration directory:
// os.UserConfigDir()/model-api-auth0/logins.
func Default() (*Store, error) {
	dir, err := os.UserConfigDir()
	if err != nil {
		return nil, fmt.Errorf("finding where to keep logins: %w", err)
	}
	return &Store{Dir: filepath.Join(dir, "model-api-auth0", "logins")}, nil
}

// Path is the file of a login: readable names (the tenant's host and the
// organization) and a hash of the whole key, so that two APIs of one
// tenant never share a file.
func (s *Store) Path(k Key) string {
	sum := sha256.Sum256([]byte(k.Issuer + "\x00" + k.Audience + "\x00" + k.Organization))
	host := "tenant"
	if u, err := url.Parse(k.Issuer); err == nil && u.Host != "" {
		host = strings.NewReplacer(":", "_", "[", "", "]", "").Replace(u.Host)
	}
	name := host
	if k.Organization != "" {
		name += "." + k.Organization
	}
	return filepath.Join(s.Dir, name+"."+hex.EncodeToString(sum[:6])+".json")
}

// Load reads the login of k: ErrNotLoggedIn if there is none, ErrInsecure
// if its file or the directory is open to others.
func (s *Store) Load(k Key) (*Login, error) {
	if err := k.Check(); err != nil {
		return nil, err
	}
	l, err := s.read(s.Path(k))
	if err != nil {
		return nil, err
	}
	if l.Key() != k {
		return nil, fmt.Errorf("%s holds the login of another tenant, API or organization; delete it and log in again", s.Path(k))
	}
	return l, nil
}

func (s *Store) read(path string) (*Login, error) {
	if err := s.checkDir(); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, ErrNotLoggedIn
		}
		return nil, err
	}
	b, err := readChecked(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, ErrNotLoggedIn
	}
	if err != nil {
		return nil, err
	}
	var l Login
	if err := json.Unmarshal(b, &l); err != nil || l.Token == nil {
		return nil, fmt.Errorf("%s is not a stored login (%v); delete it and log in again", path, err)
	}
	return &l, nil
}

// Save writes the login, replacing any file of its key at once: a reader
// never sees half a file, and the file is 0600 from its creation.
func (s *Store) Save(l *Login) error {
	if err := l.Key().Check(); err != nil {
		return err
	}
	if err := os.MkdirAll(s.Dir, 0o700); err != nil {
		return fmt.Errorf("saving the login: %w", err)
	}
	if err := s.checkDir(); err != nil {
		return err
	}
	b, err := json.MarshalIndent(l, "", "  ")
	if err != nil {
		return err
	}
	f, err := os.CreateTemp(s.Dir, ".login-*") // created 0600
	if err != nil {
		return fmt.Errorf("saving the login: %w", err)
	}
	defer os.Remove(f.Name())
	_, err = f.Write(append(b, '\n'))
	if err == nil {
		err = f.Chmod(0o600)
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(f.Name(), s.Path(l.Key()))
	}
	if err != nil {
		return fmt.Errorf("saving the login: %w", err)
	}
	return nil
}

// Delete removes the login of k; it is not an error if there is none.
func (s *Store) Delete(k Key) error {
	if err := k.Check(); err != nil {
		return err
	}
	if err := os.Remove(s.Path(k)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return nil
}

// List returns every stored login, ordered by issuer, audience and
// organization. An insecure store is an error, not an empty list.
func (s *Store) List() ([]*Login, error) {
	if err := s.checkDir(); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, nil
		}
		return nil, err
	}
	paths, err := filepath.Glob(filepath.Join(s.Dir, "*.json"))
	if err != nil {
		return nil, err
	}
	var logins []*Login
	for _, p := range paths {
		l, err := s.read(p)
		if errors.Is(err, ErrNotLoggedIn) {
			continue // deleted meanwhile
		}
		if err != nil {
			return nil, err
		}
		logins = append(logins, l)
	}
	slices.SortFunc(logins, func(a, b *Login) int {
		return strings.Compare(a.Issuer+"\x00"+a.Audience+"\x00"+a.Organization, b.Issuer+"\x00"+b.Audience+"\x00"+b.Organization)
	})
	return logins, nil
}

// checkDir refuses a store directory others can write to: they could put
// their own tokens, or a link, in place of the person's.
func (s *Store) checkDir() error {
	fi, err := os.Lstat(s.Dir)
	if err != nil {
		return err
	}
	if !fi.IsDir() {
		return fmt.Errorf("%w: %s is not a directory", ErrInsecure, s.Dir)
	}
	if checkModes && fi.Mode().Perm()&0o022 != 0 {
		return fmt.Errorf("%w: the directory %s can be written by others (mode %s); run `chmod 700 %s`", ErrInsecure, s.Dir, fi.Mode().Perm(), s.Dir)
	}
	if !ownedByMe(fi) {
		return fmt.Errorf("%w: the directory %s belongs to another user; remove it and log in again", ErrInsecure, s.Dir)
	}
	return nil
}

// readChecked reads a file of the store once checkFile accepts it; a
// missing file is fs.ErrNotExist.
func readChecked(path string) ([]byte, error) {
	fi, err := os.Lstat(path)
	if err != nil {
		return nil, err
	}
	if err := checkFile(path, fi); err != nil {
		return nil, err
	}
	return os.ReadFile(path)
}

// checkFile refuses a token file others can read, a link, or another
// user's file.
func checkFile(path string, fi fs.FileInfo) error {
	switch {
	case !fi.Mode().IsRegular():
		return fmt.Errorf("%w: %s is not a regular file (%s); remove it and log in again", ErrInsecure, path, fi.Mode().Type())
	case checkModes && fi.Mode().Perm()&0o077 != 0:
		return fmt.Errorf("%w: %s can be read by others (mode %s): its tokens may have been copied; run `chmod 600 %s`, or delete it and log in again",
			ErrInsecure, path, fi.Mode().Perm(), path)
	case !ownedByMe(fi):
		return fmt.Errorf("%w: %s belongs to another user; remove it and log in again", ErrInsecure, path)
	}
	return nil
}
