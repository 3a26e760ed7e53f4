// Package redistest starts a real redis-server for a test, on a free
// loopback port, with nothing saved to disk.
//
// Without redis-server (Debian/Ubuntu: apt-get install redis-server) the
// test is skipped with a message saying so; with REQUIRE_REDIS=1 in the
// environment (as in CI) it fails instead.
package redistest

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strconv"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// Server is a running redis-server.
type Server struct {
	Addr string // 127.0.0.1:PORT
	URL  string // redis://127.0.0.1:PORT/0
	cmd  *exec.Cmd
}

// Binary is where redis-server is looked for first; then $PATH.
const Binary = "/usr/bin/redis-server"

// Start runs a redis-server until the test ends.
func Start(t testing.TB) *Server {
	t.Helper()
	bin := Binary
	if _, err := os.Stat(bin); err != nil {
		if bin, err = exec.LookPath("redis-server"); err != nil {
			msg := "redis-server is not installed (apt-get install redis-server); the Redis tests did not run"
			if os.Getenv("REQUIRE_REDIS") == "1" {
				t.Fatal(msg + ", and REQUIRE_REDIS=1 requires them")
			}
			t.Skip(msg + "; set REQUIRE_REDIS=1 to make this a failure")
		}
	}
	var lastErr error
	for range 3 { // another process may take the free port before redis-server does
		s, err := start(t, bin)
		if err == nil {
			return s
		}
		lastErr = err
	}
	t.Fatalf("redis-server did not start: %v", lastErr)
	return nil
}

func start(t testing.TB, bin string) (*Server, error) {
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	dir := t.TempDir()
	cmd := exec.Command(bin, "--bind", "127.0.0.1", "--port", strconv.Itoa(port), "--save", "", "--appendonly", "no",
		"--dir", dir, "--logfile", dir+"/redis.log")
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	s := &Server{Addr: net.JoinHostPort("127.0.0.1", strconv.Itoa(port)), cmd: cmd}
	s.URL = "redis://" + s.Addr + "/0"
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	rdb := redis.NewClient(&redis.Options{Addr: s.Addr})
	defer rdb.Close()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); {
		select {
		case err := <-exited:
			log, _ := os.ReadFile(dir + "/redis.log")
			return nil, fmt.Errorf("redis-server exited (%v): %s", err, log)
		default:
		}
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		err := rdb.Ping(ctx).Err()
		cancel()
		if err == nil {
			t.Cleanup(func() { s.Stop(); <-exited })
			return s, nil
		}
		time.Sleep(20 * time.Millisecond)
	}
	cmd.Process.Kill()
	<-exited
	return nil, fmt.Errorf("redis-server on %s did not answer PING within 10 s", s.Addr)
}

// Stop kills the server, as a crash would. Stopping twice is harmless.
func (s *Server) Stop() { s.cmd.Process.Kill() }

// Client is a client of the server, closed with the test.
func (s *Server) Client(t testing.TB) *redis.Client {
	rdb := redis.NewClient(&redis.Options{Addr: s.Addr})
	t.Cleanup(func() { rdb.Close() })
	return rdb
}

func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}
