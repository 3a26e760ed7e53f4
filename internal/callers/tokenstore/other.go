//go:build !unix

package tokenstore

import "io/fs"

// checkModes: on Windows, permission bits do not say who can read a file
// (ACLs do); the user's profile directory is private by default.
const checkModes = false

func ownedByMe(fs.FileInfo) bool { return true }

// Lock is a no-op where flock does not exist: run one refresh at a time.
func (s *Store) Lock(k Key) (unlock func(), err error) {
	if err := k.Check(); err != nil {
		return nil, err
	}
	return func() {}, nil
}
