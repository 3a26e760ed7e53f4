package redistest

import (
	"fmt"
	"testing"
)

// DownURL is a Redis URL where nothing listens: a Redis that is down.
func DownURL(t testing.TB) string {
	t.Helper()
	port, err := freePort()
	if err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("redis://127.0.0.1:%d/0", port)
}
