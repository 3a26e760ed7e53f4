package proxy_test

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/model-api-auth0/model-api-auth0/internal/gateway/proxy"
	"github.com/model-api-auth0/model-api-auth0/internal/gateway/proxy/proxytest"
)

// Streams of every kind a model server sends reach the client as the
// upstream writes them, not when the answer is complete: the proxy's flush
// setting only buffers answers whose length is known.
func TestStreamsAreNotBuffered(t *testing.T) {
	cases := []struct {
		name, contentType, first, rest string
	}{
		{"server-sent events (OpenAI, vLLM, TGI)", "text/event-stream; charset=utf-8", `data: {"delta":"Hel"}`, "data: [DONE]\n\n"},
		{"NDJSON, chunked (Ollama)", "application/x-ndjson", `{"response":"Hel","done":false}`, `{"response":"lo","done":true}` + "\n"},
		{"chunked, no content type", "", `partial answer`, "the rest\n"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			release := make(chan struct{})
			iss, gw, _ := setup(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if c.contentType != "" {
					w.Header().Set("Content-Type", c.contentType)
				} else {
					w.Header()["Content-Type"] = nil // no sniffing either
				}
				fmt.Fprint(w, c.first+"\n")
				w.(http.Flusher).Flush()
				<-release // the rest only comes once the client has seen the first line
				fmt.Fprint(w, c.rest)
			}))
			defer close(release)
			// The deadline covers the headers too: a gateway that buffers
			// holds them back with the first line.
			resp := openStream(t, gw.URL, iss.Token(nil), "the gateway held the stream back")
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("status %d", resp.StatusCode)
			}
			line, err := bufio.NewReader(resp.Body).ReadString('\n')
			if err != nil {
				t.Fatalf("no first line within 5 s, the gateway held it back: %v", err)
			}
			if line != c.first+"\n" {
				t.Errorf("first line %q, want %q", line, c.first+"\n")
			}
		})
	}
}

// A stream's status and headers reach the client as soon as the model
// server sends them, before its first event, which can take seconds: the
// client knows its request was taken (proxy.go, startStream).
func TestStreamHeadersComeBeforeTheFirstEvent(t *testing.T) {
	for _, contentType := range []string{"text/event-stream", "application/x-ndjson"} {
		t.Run(contentType, func(t *testing.T) {
			release := make(chan struct{})
			iss, gw, _ := setup(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", contentType)
				w.WriteHeader(http.StatusOK)
				w.(http.Flusher).Flush()
				<-release // the model is still reading the prompt
				fmt.Fprint(w, "data: first\n\n")
			}))
			defer close(release)
			resp := openStream(t, gw.URL, iss.Token(nil), "the model server held its first event, not its headers")
			if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != contentType {
				t.Fatalf("status %d, Content-Type %q", resp.StatusCode, resp.Header.Get("Content-Type"))
			}
			release <- struct{}{}
			if line, err := bufio.NewReader(resp.Body).ReadString('\n'); err != nil || line != "data: first\n" {
				t.Fatalf("first event %q, %v", line, err)
			}
		})
	}
}

// openStream asks the gateway for a streamed chat completion and returns
// the answer once its headers came, or fails the test after 5 s.
func openStream(t *testing.T, gatewayURL, token, why string) *http.Response {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	t.Cleanup(cancel)
	req, _ := http.NewRequestWithContext(ctx, "POST", gatewayURL+"/v1/chat/completions", strings.NewReader(`{"stream":true}`))
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("no answer within 5 s (%s): %v", why, err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	return resp
}

// An answer of known length leaves the gateway in one write, headers and
// body together: a flush after every write costs a system call per request
// at the throughput an edge proxy is measured at (bench/proxy.sh).
func TestAnswerOfKnownLengthIsOneWrite(t *testing.T) {
	iss, _, _, upstream := setupWithUpstream(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"object":"list","data":[{"id":"bench7b","object":"model"}]}`)
	}))
	u, _ := url.Parse(upstream)
	h, err := proxy.New(proxytest.Validator(t, iss), proxy.Config{Upstream: u, Routes: proxy.DefaultRoutes(), Logger: proxytest.Quiet})
	if err != nil {
		t.Fatal(err)
	}
	gw := httptest.NewUnstartedServer(h)
	writes := &countingListener{Listener: gw.Listener}
	gw.Listener = writes
	gw.Start()
	t.Cleanup(gw.Close)

	token := iss.Token(nil)
	for i := range 20 {
		before := writes.n.Load()
		resp, body := call(t, "GET", gw.URL+"/v1/models", token, nil)
		if resp.StatusCode != http.StatusOK || len(body) != 60 {
			t.Fatalf("request %d: %d %q", i, resp.StatusCode, body)
		}
		if n := writes.n.Load() - before; n != 1 {
			t.Fatalf("request %d: the answer took %d writes to the client's connection, want 1", i, n)
		}
	}
}

// countingListener counts the writes to every connection it accepts.
type countingListener struct {
	net.Listener
	n atomic.Int64
}

func (l *countingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	return &countingConn{Conn: c, n: &l.n}, err
}

type countingConn struct {
	net.Conn
	n *atomic.Int64
}

func (c *countingConn) Write(p []byte) (int, error) { c.n.Add(1); return c.Conn.Write(p) }

// The buffers a stream holds are small (proxy.go): a response header line
// and events larger than them still reach the client whole and in order.
func TestLargeEventsAndHeadersPassTheStreamBuffers(t *testing.T) {
	long := strings.Repeat("h", 3000)
	var events strings.Builder
	for i := range 4 {
		fmt.Fprintf(&events, "data: {\"i\":%d,\"delta\":%q}\n\n", i, strings.Repeat(string(rune('a'+i)), 5000))
	}
	events.WriteString("data: [DONE]\n\n")
	iss, gw, _ := setup(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		w.Header().Set("X-Model-Note", long)
		for part := range strings.SplitAfterSeq(events.String(), "\n\n") {
			io.WriteString(w, part)
			w.(http.Flusher).Flush()
		}
	}))
	resp, body := call(t, "POST", gw.URL+"/v1/chat/completions", iss.Token(nil), strings.NewReader(`{"stream":true}`))
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d: %s", resp.StatusCode, body)
	}
	if got := resp.Header.Get("X-Model-Note"); got != long {
		t.Errorf("a %d-byte header arrived as %d bytes", len(long), len(got))
	}
	if body != events.String() {
		t.Errorf("the events arrived changed: %d bytes, want %d", len(body), events.Len())
	}
}
