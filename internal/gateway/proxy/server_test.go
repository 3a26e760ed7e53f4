package proxy_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"github.com/model-api-auth0/model-api-auth0/internal/testing/syncbuf"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/model-api-auth0/model-api-auth0/internal/gateway/proxy"
)

// serverLimits are short server limits, so that tests see them act.
func serverLimits() proxy.ServerConfig {
	return proxy.ServerConfig{
		ReadHeaderTimeout: 300 * time.Millisecond,
		ReadTimeout:       300 * time.Millisecond,
		WriteTimeout:      300 * time.Millisecond,
		IdleTimeout:       500 * time.Millisecond,
	}
}

// A client that holds a connection without completing its request, or
// after it, loses the connection.
func TestSlowClientsLoseTheConnection(t *testing.T) {
	e := startEdge(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.Copy(io.Discard, r.Body) }), nil, serverLimits())
	token := e.iss.Token(nil)
	cases := []struct {
		name, send string
		status     int // the answer before the close; 0 for none
	}{
		{"headers never finished", "GET /v1/models HTTP/1.1\r\nHost: x\r\n", 0},
		{"idle keep-alive", get("/v1/models", bearer(token)) + "\r\n\r\n", 200},
		{"body announced, never sent, no token", head("POST /v1/chat/completions HTTP/1.1", "Host: x", "Content-Length: 1000") + "\r\n\r\n", 401},
		{"body chunked, never ended, no token", head("POST /v1/chat/completions HTTP/1.1", "Host: x", "Transfer-Encoding: chunked") + "\r\n\r\n5\r\nhello\r\n", 401},
		{"body announced, partly sent, valid token", head("POST /v1/chat/completions HTTP/1.1", "Host: x", bearer(token), "Content-Length: 1000") + "\r\n\r\n{\"model\"", 408},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			conn, br := dial(t, e.addr())
			start := time.Now()
			_, err := io.WriteString(conn, c.send)
			require.NoError(t, err)
			if c.status != 0 {
				resp, err := http.ReadResponse(br, nil)
				require.NoError(t, err)
				io.Copy(io.Discard, resp.Body)
				assert.Equal(t, c.status, resp.StatusCode)
			}
			assert.True(t, closed(conn, br, 3*time.Second), "the connection is still open after %v", time.Since(start))
		})
	}
}

// A stream that makes progress outlives the read and write timeouts; a
// client that stops reading it is cut after the write timeout, and the
// upstream request ends with it.
func TestStreamsLiveWhileTheyMakeProgress(t *testing.T) {
	upstreamDone := make(chan struct{}, 1)
	e := startEdge(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "text/event-stream")
		flood := r.URL.Query().Get("flood") != ""
		chunk := bytes.Repeat([]byte("x"), 64<<10)
		for i := 0; flood || i < 15; i++ {
			if flood {
				if _, err := w.Write(chunk); err != nil {
					break
				}
			} else {
				fmt.Fprintf(w, "data: {\"i\":%d}\n\n", i)
				time.Sleep(100 * time.Millisecond) // 1.5 s in all: five write timeouts
			}
			w.(http.Flusher).Flush()
		}
		if !flood {
			fmt.Fprint(w, "data: [DONE]\n\n")
		}
		upstreamDone <- struct{}{}
	}), []proxy.Route{{Pattern: "POST /v1/chat/completions"}, {Pattern: "GET /v1/models"}}, serverLimits())
	token := e.iss.Token(nil)

	t.Run("progress", func(t *testing.T) {
		req, _ := http.NewRequest("POST", e.gw.URL+"/v1/chat/completions", strings.NewReader(`{"stream":true}`))
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		defer resp.Body.Close()
		var events []string
		sc := bufio.NewScanner(resp.Body)
		for sc.Scan() {
			if sc.Text() != "" {
				events = append(events, sc.Text())
			}
		}
		require.NoError(t, sc.Err())
		assert.Len(t, events, 16)
		assert.Equal(t, "data: [DONE]", events[len(events)-1])
		<-upstreamDone
	})

	t.Run("client stops reading", func(t *testing.T) {
		conn, br := dial(t, e.addr())
		conn.(*net.TCPConn).SetReadBuffer(4 << 10)
		io.WriteString(conn, get("/v1/models?flood=1", bearer(token))+"\r\n\r\n")
		resp, err := http.ReadResponse(br, nil)
		require.NoError(t, err)
		assert.Equal(t, 200, resp.StatusCode)
		// Read nothing more: the gateway's writes stop making progress.
		select {
		case <-upstreamDone:
		case <-time.After(8 * time.Second):
			t.Fatal("the stream to a client that stopped reading was not cut")
		}
	})
}

// Only as many connections as MaxConns are served at once.
func TestConnectionCap(t *testing.T) {
	limits := serverLimits()
	limits.ReadHeaderTimeout, limits.IdleTimeout, limits.MaxConns = 10*time.Second, 10*time.Second, 2
	e := startEdge(t, http.NotFoundHandler(), nil, limits)
	var held []net.Conn
	for range limits.MaxConns {
		conn, br := dial(t, e.addr())
		io.WriteString(conn, get("/healthz")+"\r\n\r\n")
		resp, err := http.ReadResponse(br, nil)
		require.NoError(t, err)
		io.Copy(io.Discard, resp.Body)
		held = append(held, conn) // kept alive, idle
	}
	conn, br := dial(t, e.addr())
	io.WriteString(conn, get("/healthz")+"\r\n\r\n")
	conn.SetReadDeadline(time.Now().Add(500 * time.Millisecond))
	_, err := br.Peek(1)
	require.Error(t, err, "a connection over the cap was served")
	held[0].Close()
	conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	resp, err := http.ReadResponse(br, nil)
	require.NoError(t, err, "the waiting connection was not served once another closed")
	assert.Equal(t, 200, resp.StatusCode)
}

// A panic is a JSON 500 and a log line; the connection stays usable. A
// panic once part of the answer is out can only cut the connection.
func TestPanicIsA500(t *testing.T) {
	var logs syncbuf.Buffer
	limits := serverLimits()
	limits.Logger = slog.New(slog.NewJSONHandler(&logs, nil))
	srv := proxy.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/early":
			panic("boom before the answer")
		case "/late":
			io.WriteString(w, "partial")
			w.(http.Flusher).Flush()
			panic("boom during the answer")
		case "/abort":
			panic(http.ErrAbortHandler)
		}
		io.WriteString(w, "fine")
	}), limits)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })

	conn, br := dial(t, ln.Addr().String())
	for _, path := range []string{"/early", "/ok", "/early", "/ok"} { // one connection throughout
		io.WriteString(conn, get(path)+"\r\n\r\n")
		resp, err := http.ReadResponse(br, nil)
		require.NoError(t, err, "%s: the connection was dropped", path)
		body, _ := io.ReadAll(resp.Body)
		if path == "/ok" {
			assert.Equal(t, "fine", string(body))
			continue
		}
		assert.Equal(t, 500, resp.StatusCode)
		assert.Equal(t, "application/json", resp.Header.Get("Content-Type"))
		var m struct{ Message string }
		assert.NoError(t, json.Unmarshal(body, &m))
		assert.Equal(t, "internal error", m.Message)
	}
	assert.Contains(t, logs.String(), `"msg":"handler panicked"`)
	assert.Contains(t, logs.String(), "boom before the answer")

	for _, path := range []string{"/late", "/abort"} {
		conn, br := dial(t, ln.Addr().String())
		io.WriteString(conn, get(path)+"\r\n\r\n")
		resp, err := http.ReadResponse(br, nil)
		if err == nil {
			_, err = io.ReadAll(resp.Body)
		}
		assert.Error(t, err, "%s: a cut answer must not look complete", path)
	}
	assert.Contains(t, logs.String(), "boom during the answer")
}

func TestServerConfigErrors(t *testing.T) {
	err := proxy.ServerConfig{ReadTimeout: -time.Second, WriteTimeout: -1, MaxConns: -3}.Validate()
	require.Error(t, err)
	for _, want := range []string{"-read-timeout -1s: want a positive duration", "-write-timeout", "-max-conns -3"} {
		assert.Contains(t, err.Error(), want)
	}
	assert.NoError(t, proxy.ServerConfig{}.Validate())
}

// A handler that hijacks its connection (a WebSocket library) keeps using
// it after returning, past the write timeout.
func TestHijackedConnectionHasNoDeadline(t *testing.T) {
	limits := serverLimits()
	srv := proxy.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		conn, brw, err := http.NewResponseController(w).Hijack()
		if err != nil {
			t.Error(err)
			return
		}
		brw.WriteString("HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n")
		brw.Flush()
		go func() { // as gorilla/websocket and nhooyr.io/websocket do
			defer conn.Close()
			time.Sleep(3 * limits.WriteTimeout)
			io.WriteString(conn, "late")
		}()
	}), limits)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })

	conn, br := dial(t, ln.Addr().String())
	io.WriteString(conn, get("/ws", "Connection: Upgrade", "Upgrade: websocket")+"\r\n\r\n")
	resp, err := http.ReadResponse(br, nil)
	require.NoError(t, err)
	require.Equal(t, 101, resp.StatusCode)
	got, err := io.ReadAll(br)
	require.NoError(t, err)
	assert.Equal(t, "late", string(got))
}
