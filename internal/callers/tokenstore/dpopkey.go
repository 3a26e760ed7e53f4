package tokenstore

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/model-api-auth0/model-api-auth0/internal/callers/dpop"
)

// DPoPKeyFile is the name of the DPoP key in the store's directory.
const DPoPKeyFile = "dpop-key.pem"

// DPoPKey is the key this user's DPoP-bound tokens are bound to (token
// -dpop, token login -dpop), made on first use. It lives beside the logins
// with the same checks: readable by its owner only, since whoever has it
// can use every token bound to it.
func (s *Store) DPoPKey() (*dpop.Key, error) {
	path := filepath.Join(s.Dir, DPoPKeyFile)
	if err := os.MkdirAll(s.Dir, 0o700); err != nil {
		return nil, fmt.Errorf("the DPoP key's directory: %w", err)
	}
	if err := s.checkDir(); err != nil {
		return nil, err
	}
	b, err := readChecked(path)
	if errors.Is(err, fs.ErrNotExist) {
		return s.newDPoPKey(path)
	}
	if err != nil {
		return nil, err
	}
	k, err := dpop.ParsePEM(b)
	if err != nil {
		return nil, fmt.Errorf("%s: %w; delete it to make a new key (tokens bound to the old one stop working)", path, err)
	}
	return k, nil
}

// newDPoPKey writes a new key with O_EXCL, 0600 from its creation: two
// commands making one at once do not overwrite each other's, the second
// reads the first's.
func (s *Store) newDPoPKey(path string) (*dpop.Key, error) {
	k, err := dpop.NewKey()
	if err != nil {
		return nil, err
	}
	b, err := k.MarshalPEM()
	if err != nil {
		return nil, err
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return s.DPoPKey()
	}
	if err != nil {
		return nil, fmt.Errorf("saving the DPoP key: %w", err)
	}
	_, err = f.Write(b)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(path)
		return nil, fmt.Errorf("saving the DPoP key: %w", err)
	}
	return k, nil
}
