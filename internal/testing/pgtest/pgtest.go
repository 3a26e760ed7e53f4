// Package pgtest starts a real PostgreSQL server for a test: a fresh cluster
// in a temporary directory, on a free loopback port, trusted local logins,
// no fsync (a test's data need not survive the machine, only the server: a
// commit is still written before it is acknowledged, so a test may kill the
// server and count on every acknowledged row).
//
// It uses Debian's binaries (apt-get install postgresql: initdb and postgres
// in /usr/lib/postgresql/VERSION/bin) or those on $PATH. Without them the
// test is skipped with a message saying so; with REQUIRE_POSTGRES=1 in the
// environment (as in CI) it fails instead. PostgreSQL refuses to run as
// root, so a test running as root runs the server as the `postgres` user
// (which Debian's package creates).
package pgtest

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"syscall"
	"testing"
	"time"
)

// Server is a running PostgreSQL cluster.
type Server struct {
	DSN  string // postgres://postgres@127.0.0.1:PORT/postgres?sslmode=disable
	Port int

	t       testing.TB
	bin     string // the directory of initdb and postgres
	dir     string // the data directory
	cred    *syscall.Credential
	cmd     *exec.Cmd
	exited  chan error
	logPath string
}

// Start creates a cluster and runs its server until the test ends.
func Start(t testing.TB) *Server {
	t.Helper()
	bin := findBin()
	if bin == "" {
		msg := "PostgreSQL is not installed (apt-get install postgresql); the PostgreSQL tests did not run"
		if os.Getenv("REQUIRE_POSTGRES") == "1" {
			t.Fatal(msg + ", and REQUIRE_POSTGRES=1 requires them")
		}
		t.Skip(msg + "; set REQUIRE_POSTGRES=1 to make this a failure")
	}
	s := &Server{t: t, bin: bin}
	if err := s.initdb(); err != nil {
		t.Fatal(err)
	}
	var lastErr error
	for range 3 { // another process may take the free port before postgres does
		port, err := freePort()
		if err != nil {
			t.Fatal(err)
		}
		s.Port = port
		s.DSN = fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable", port)
		if lastErr = s.Restart(); lastErr == nil {
			t.Cleanup(s.Stop)
			return s
		}
	}
	t.Fatalf("postgres did not start: %v", lastErr)
	return nil
}

// findBin is the newest of Debian's PostgreSQL binary directories, or the
// directory of initdb on $PATH, or "".
func findBin() string {
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Slice(dirs, func(i, j int) bool { return version(dirs[i]) > version(dirs[j]) })
	for _, d := range dirs {
		if _, err := os.Stat(filepath.Join(d, "initdb")); err == nil {
			return d
		}
	}
	if p, err := exec.LookPath("initdb"); err == nil {
		return filepath.Dir(p)
	}
	return ""
}

func version(binDir string) int {
	n, _ := strconv.Atoi(filepath.Base(filepath.Dir(binDir)))
	return n
}

// initdb makes the cluster in a directory of its own under the system's
// temporary directory (a test's TempDir is private to root, which the
// postgres user could not enter).
func (s *Server) initdb() error {
	dir, err := os.MkdirTemp("", "pgtest-")
	if err != nil {
		return err
	}
	s.t.Cleanup(func() { os.RemoveAll(dir) })
	s.dir, s.logPath = filepath.Join(dir, "data"), filepath.Join(dir, "postgres.log")
	if os.Geteuid() == 0 {
		u, err := user.Lookup("postgres")
		if err != nil {
			return fmt.Errorf("running as root, PostgreSQL needs an unprivileged user: %v (Debian's postgresql package creates `postgres`)", err)
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		s.cred = &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}
		if err := os.Chown(dir, uid, gid); err != nil {
			return err
		}
	}
	cmd := s.command("initdb", "-D", s.dir, "-U", "postgres", "--auth=trust", "--no-sync", "-E", "UTF8", "--locale=C")
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("initdb: %v: %s", err, out)
	}
	return nil
}

func (s *Server) command(name string, args ...string) *exec.Cmd {
	cmd := exec.Command(filepath.Join(s.bin, name), args...)
	if s.cred != nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: s.cred}
	}
	return cmd
}

// Restart starts the server again after Stop, on the same port and data.
func (s *Server) Restart() error {
	logf, err := os.OpenFile(s.logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o666)
	if err != nil {
		return err
	}
	defer logf.Close()
	s.cmd = s.command("postgres", "-D", s.dir, "-p", strconv.Itoa(s.Port), "-k", filepath.Dir(s.dir),
		"-c", "listen_addresses=127.0.0.1", "-c", "fsync=off",
		"-c", "full_page_writes=off", "-c", "max_connections=50")
	s.cmd.Stdout, s.cmd.Stderr = logf, logf
	if err := s.cmd.Start(); err != nil {
		return err
	}
	exited := make(chan error, 1)
	s.exited = exited
	go func() { exited <- s.cmd.Wait() }()
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); {
		select {
		case err := <-exited:
			log, _ := os.ReadFile(s.logPath)
			return fmt.Errorf("postgres exited (%v): %s", err, log)
		default:
		}
		if ready(s.Port) {
			return nil
		}
		time.Sleep(50 * time.Millisecond)
	}
	s.cmd.Process.Kill()
	<-exited
	return fmt.Errorf("postgres on port %d did not accept connections within 30 s", s.Port)
}

// ready is whether the server answers a startup message (a TCP accept
// alone comes before it can serve: it may still be recovering).
func ready(port int) bool {
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	var d net.Dialer
	c, err := d.DialContext(ctx, "tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
	if err != nil {
		return false
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(time.Second))
	// SSLRequest: the server answers 'N' (no TLS) once it is up.
	if _, err := c.Write([]byte{0, 0, 0, 8, 4, 210, 22, 47}); err != nil {
		return false
	}
	b := make([]byte, 1)
	if _, err := c.Read(b); err != nil || b[0] != 'N' {
		return false
	}
	// A startup message: 'R' (authentication OK, under trust) once the
	// server takes connections; 'E' while it starts or recovers.
	msg := startup("postgres", "postgres")
	if _, err := c.Write(msg); err != nil {
		return false
	}
	_, err = c.Read(b)
	return err == nil && b[0] == 'R'
}

func startup(user, db string) []byte {
	body := []byte{0, 3, 0, 0}
	for _, kv := range []string{"user", user, "database", db} {
		body = append(append(body, kv...), 0)
	}
	body = append(body, 0)
	n := len(body) + 4
	return append([]byte{byte(n >> 24), byte(n >> 16), byte(n >> 8), byte(n)}, body...)
}

// Stop shuts the server down at once (SIGQUIT: no checkpoint, as a crash
// would leave it; the next start recovers). Stopping twice is harmless.
func (s *Server) Stop() {
	if s.cmd == nil || s.cmd.Process == nil {
		return
	}
	s.cmd.Process.Signal(syscall.SIGQUIT)
	select {
	case <-s.exited:
	case <-time.After(30 * time.Second):
		s.cmd.Process.Kill()
		<-s.exited
	}
	s.cmd = nil
}

func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}
