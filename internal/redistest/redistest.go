// Package redistest starts a real redis-server for a test, on a free
// loopback port, and stops it when the test ends.
package redistest

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// Server is a running redis-server.
type Server struct {
	URL  string // redis://127.0.0.1:PORT/0
	Addr string
	cmd  *exec.Cmd
}

// Start runs redis-server (from PATH or /usr/bin) without persistence. It
// skips the test when redis-server is not installed, unless REQUIRE_REDIS=1
// makes that a failure (as in CI).
func Start(tb testing.TB) *Server {
	tb.Helper()
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		if os.Getenv("REQUIRE_REDIS") == "1" {
			tb.Fatal("REQUIRE_REDIS=1 but redis-server is not installed (apt-get install redis-server)")
		}
		tb.Skip("redis-server is not installed (apt-get install redis-server); REQUIRE_REDIS=1 makes this a failure")
	}
	addr := freeAddr(tb)
	host, port, _ := net.SplitHostPort(addr)
	dir := tb.TempDir()
	cmd := exec.Command(bin, "--bind", host, "--port", port, "--save", "", "--appendonly", "no",
		"--dir", dir, "--logfile", filepath.Join(dir, "redis.log"))
	if err := cmd.Start(); err != nil {
		tb.Fatalf("redis-server: %v", err)
	}
	s := &Server{URL: "redis://" + addr + "/0", Addr: addr, cmd: cmd}
	tb.Cleanup(s.Stop)
	c := redis.NewClient(&redis.Options{Addr: addr})
	defer c.Close()
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		if c.Ping(context.Background()).Err() == nil {
			return s
		}
		if time.Now().After(deadline) {
			log, _ := os.ReadFile(filepath.Join(dir, "redis.log"))
			tb.Fatalf("redis-server on %s did not answer within 5s:\n%s", addr, log)
		}
	}
}

// Stop kills the server (a Redis that goes down). It is safe to call twice.
func (s *Server) Stop() {
	if s.cmd.Process != nil && s.cmd.ProcessState == nil {
		s.cmd.Process.Kill()
		s.cmd.Wait()
	}
}

// Client is a go-redis client of the server, closed with the test.
func (s *Server) Client(tb testing.TB) *redis.Client {
	c := redis.NewClient(&redis.Options{Addr: s.Addr})
	tb.Cleanup(func() { c.Close() })
	return c
}

// freeAddr is a loopback address nothing listens on right now.
func freeAddr(tb testing.TB) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// DownURL is a Redis URL where nothing answers: a Redis that is down.
func DownURL(tb testing.TB) string { return fmt.Sprintf("redis://%s/0", freeAddr(tb)) }
