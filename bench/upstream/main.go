// Command upstream is the benchmark's model server: a 60-byte answer on
// GET /v1/models, ?bytes=N of a large answer on GET /v1/models/NAME, and
// on POST /v1/chat/completions either a small chat completion with its usage
// (a body that asks for no stream, the gateway's throughput rows) or
// server-sent events (the body's "stream": true, or ?events= or ?interval=),
// each event stamped with the time it was written so that a client on the
// same machine can tell how long it took to reach it. POST /bench/finish ends
// every open stream with "data: [DONE]", so that a driver can hold
// thousands of streams open for as long as it measures them.
//
//	upstream -listen 127.0.0.1:27181
//	upstream -listen 127.0.0.1:27181,127.0.0.1:27197   # the same server on two ports (models' servers)
//	curl -XPOST '127.0.0.1:27181/v1/chat/completions?events=5&interval=100ms'
package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"
)

// modelsBody is the 60-byte answer of the throughput table.
const modelsBody = `{"object":"list","data":[{"id":"bench7b","object":"model"}]}`

func main() {
	listen := flag.String("listen", "127.0.0.1:27181", "listen address, or several, comma-separated, served alike")
	flag.Parse()
	if len(modelsBody) != 60 {
		panic("the throughput answer must be 60 bytes")
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /v1/models", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, modelsBody)
	})
	mux.HandleFunc("GET /v1/models/{model...}", serveBytes)
	mux.HandleFunc("POST /v1/chat/completions", serveChat)
	mux.HandleFunc("POST /bench/finish", func(w http.ResponseWriter, r *http.Request) {
		finishMu.Lock()
		close(finish)
		finish = make(chan struct{})
		finishMu.Unlock()
	})
	addrs := strings.Split(*listen, ",")
	errs := make(chan error, len(addrs))
	for _, addr := range addrs {
		srv := &http.Server{Addr: addr, Handler: mux, ReadHeaderTimeout: 10 * time.Second}
		go func() { errs <- srv.ListenAndServe() }()
	}
	fmt.Fprintln(os.Stderr, "upstream:", <-errs)
	os.Exit(1)
}

// chatBody is the answer to a chat completion that asks for no stream:
// OpenAI's shape with its usage, which the gateway's budgets and ledger
// read.
const chatBody = `{"id":"chatcmpl-bench","object":"chat.completion","created":1767225600,"model":"bench",` +
	`"choices":[{"index":0,"message":{"role":"assistant","content":"ok"},"finish_reason":"stop"}],` +
	`"usage":{"prompt_tokens":9,"completion_tokens":1,"total_tokens":10}}`

// serveChat answers a chat completion at once, unless it asks for a stream
// (the body's "stream": true, or ?events= or ?interval=: serveEvents).
func serveChat(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return
	}
	var req struct {
		Stream bool `json:"stream"`
	}
	q := r.URL.Query()
	if q.Has("events") || q.Has("interval") || (json.Unmarshal(body, &req) == nil && req.Stream) {
		serveEvents(w, r)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	io.WriteString(w, chatBody)
}

// serveBytes answers ?bytes=N bytes of JSON-looking padding with their
// length known, to see how much of a large answer a proxy holds.
func serveBytes(w http.ResponseWriter, r *http.Request) {
	n, err := strconv.ParseInt(r.URL.Query().Get("bytes"), 10, 64)
	if err != nil || n < 0 {
		http.Error(w, "bytes: want a size in bytes, such as 209715200", http.StatusBadRequest)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.FormatInt(n, 10))
	chunk := bytes.Repeat([]byte(" "), 64<<10)
	for n > 0 {
		k := min(n, int64(len(chunk)))
		if _, err := w.Write(chunk[:k]); err != nil {
			return
		}
		n -= k
	}
}

var (
	finishMu sync.Mutex
	finish   = make(chan struct{}) // closed by POST /bench/finish
)

// serveEvents streams ?events=N chunks (default 50; 0 until POST
// /bench/finish), one every ?interval= (default 100ms), the first after a
// random part of an interval so that thousands of streams do not all
// write at the same instant, then "data: [DONE]" as OpenAI-compatible
// servers end a stream.
func serveEvents(w http.ResponseWriter, r *http.Request) {
	finishMu.Lock()
	finished := finish
	finishMu.Unlock()
	q := r.URL.Query()
	events, err := strconv.Atoi(q.Get("events"))
	if q.Get("events") == "" {
		events = 50
	} else if err != nil || events < 0 {
		http.Error(w, "events: want a count, such as 50", http.StatusBadRequest)
		return
	}
	interval, err := time.ParseDuration(q.Get("interval"))
	if q.Get("interval") == "" {
		interval = 100 * time.Millisecond
	} else if err != nil || interval <= 0 {
		http.Error(w, "interval: want a duration, such as 100ms", http.StatusBadRequest)
		return
	}

	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-cache")
	rc := http.NewResponseController(w)
	w.WriteHeader(http.StatusOK)
	if err := rc.Flush(); err != nil {
		return
	}
	// Each stream keeps the phase it drew: its events are due at that
	// phase plus whole intervals, whenever the one before went out, and a
	// slot already past is skipped. Resetting the timer to one interval
	// after a late event instead phase-locked the streams: their first
	// timers fire late, together, while thousands of streams open on a
	// busy core, and those streams then wrote in one burst every interval.
	next := time.Now().Add(rand.N(interval))
	timer := time.NewTimer(time.Until(next))
	defer timer.Stop()
	buf := make([]byte, 0, 256)
	for i := 0; events == 0 || i < events; i++ {
		select {
		case <-r.Context().Done():
			return
		case <-finished:
			io.WriteString(w, "data: [DONE]\n\n")
			return
		case <-timer.C:
		}
		next = nextSlot(next, time.Now(), interval)
		timer.Reset(time.Until(next))
		buf = append(buf[:0], `data: {"id":"chatcmpl-bench","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"content":" token"}}],"i":`...)
		buf = strconv.AppendInt(buf, int64(i), 10)
		buf = append(buf, `,"sent_ns":`...)
		buf = strconv.AppendInt(buf, time.Now().UnixNano(), 10)
		buf = append(buf, "}\n\n"...)
		if _, err := w.Write(buf); err != nil {
			return
		}
		if err := rc.Flush(); err != nil {
			return
		}
	}
	io.WriteString(w, "data: [DONE]\n\n")
}

// nextSlot is the first of due, due+interval, due+2*interval... after now:
// an event that went out late does not move the ones after it.
func nextSlot(due, now time.Time, interval time.Duration) time.Time {
	for !due.After(now) {
		due = due.Add(interval)
	}
	return due
}
