package proxytest

import (
	"bufio"
	"io"
	"net/http"
	"testing"
)

// EchoTunnel is an upstream that switches to any protocol asked for and
// echoes the bytes it then receives.
func EchoTunnel(w http.ResponseWriter, r *http.Request) {
	if r.Header.Get("Upgrade") == "" {
		return
	}
	conn, brw, err := http.NewResponseController(w).Hijack()
	if err != nil {
		return
	}
	defer conn.Close()
	brw.WriteString("HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: " + r.Header.Get("Upgrade") + "\r\n\r\n")
	brw.Flush()
	io.Copy(conn, brw)
}

// Echo sends msg through an EchoTunnel and checks it comes back.
func Echo(t testing.TB, conn io.Writer, br *bufio.Reader, msg string) {
	t.Helper()
	if _, err := io.WriteString(conn, msg); err != nil {
		t.Fatal(err)
	}
	got := make([]byte, len(msg))
	if _, err := io.ReadFull(br, got); err != nil {
		t.Fatal(err)
	}
	if string(got) != msg {
		t.Fatalf("the tunnel echoed %q, want %q", got, msg)
	}
}
