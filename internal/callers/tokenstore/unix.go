//go:build unix

package tokenstore

import (
	"fmt"
	"io/fs"
	"os"
	"syscall"
)

// checkModes: permission bits say who can read a file.
const checkModes = true

func ownedByMe(fi fs.FileInfo) bool {
	st, ok := fi.Sys().(*syscall.Stat_t)
	return !ok || int(st.Uid) == os.Geteuid()
}

// Lock takes an exclusive lock on the login of k, across processes, until
// unlock is called: two commands refreshing one rotating refresh token at
// once would make the tenant see a reuse and revoke the login.
func (s *Store) Lock(k Key) (unlock func(), err error) {
	if err := k.Check(); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(s.Dir, 0o700); err != nil {
		return nil, err
	}
	if err := s.checkDir(); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(s.Path(k)+".lock", os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("locking the login: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		f.Close()
		return nil, fmt.Errorf("locking the login: %w", err)
	}
	return func() { f.Close() }, nil // closing releases the lock
}
