package main

import (
	"bufio"
	"encoding/json"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// buildGateway builds this command into a temporary directory.
func buildGateway(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "gateway")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	require.NoError(t, err, "go build: %s", out)
	return bin
}

// startProcess runs the gateway binary with only the given environment and
// returns its address and process ID once it listens.
func startProcess(t *testing.T, bin string, env ...string) (addr string, pid int) {
	t.Helper()
	cmd := exec.Command(bin, "-listen", "127.0.0.1:0")
	cmd.Env = env
	stderr, err := cmd.StderrPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	listening := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			var e struct{ Msg, Addr string }
			if json.Unmarshal(sc.Bytes(), &e) == nil && e.Msg == "gateway listening" {
				listening <- e.Addr
			}
		}
		close(listening)
	}()
	select {
	case a, ok := <-listening:
		require.True(t, ok, "the gateway exited before listening")
		return a, cmd.Process.Pid
	case <-time.After(20 * time.Second):
		t.Fatal("the gateway did not start within 20 s")
	}
	return "", 0
}
