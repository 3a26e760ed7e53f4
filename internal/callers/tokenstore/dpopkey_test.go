package tokenstore_test

import (
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/model-api-auth0/model-api-auth0/internal/callers/tokenstore"
)

func TestDPoPKey(t *testing.T) {
	s := &tokenstore.Store{Dir: filepath.Join(t.TempDir(), "logins")}
	k, err := s.DPoPKey()
	require.NoError(t, err)
	path := filepath.Join(s.Dir, tokenstore.DPoPKeyFile)
	fi, err := os.Stat(path)
	require.NoError(t, err)
	if runtime.GOOS != "windows" {
		assert.Equal(t, os.FileMode(0o600), fi.Mode().Perm())
	}
	again, err := s.DPoPKey()
	require.NoError(t, err)
	assert.Equal(t, k.Thumbprint(), again.Thumbprint(), "the same key, read back")

	if runtime.GOOS != "windows" {
		require.NoError(t, os.Chmod(path, 0o644))
		_, err = s.DPoPKey()
		require.ErrorIs(t, err, tokenstore.ErrInsecure, "a key others can read is refused")
	}
}
