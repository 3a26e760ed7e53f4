package proxy

import (
	"log/slog"
	"net/http"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/model-api-auth0/model-api-auth0/guard"
)

// DefaultUpstreamIdleTimeout is how long an upstream connection may wait in
// the pool for its next request (Config.UpstreamIdleTimeout): under the 5 s
// after which uvicorn, vLLM's server, closes an idle connection itself.
const DefaultUpstreamIdleTimeout = 4 * time.Second

// Copy buffer sizes. An answer is copied from the model server to the
// client through one buffer, held until the answer ends.
const (
	// An answer of known length (a completion, the model list, a 200 MB
	// file) goes 32 KiB at a time, as net/http/httputil copies it: fewer,
	// larger reads and writes.
	answerBufferSize = 32 << 10
	// A stream of tokens is held open for the whole generation, and its
	// events are a few hundred bytes each (an OpenAI chunk with one token
	// is about 250): a 32 KiB buffer per open stream was most of the
	// gateway's memory with 2,000 of them. A larger event still goes
	// through whole, in several writes, each flushed as it comes.
	streamBufferSize = 1 << 10
)

// proxy forwards requests to the model server. Each request gets its own
// copy of the ReverseProxy, whose buffer pool is the request itself: the
// pool then knows which answer it copies (see proxyCall.Get), which a
// BufferPool shared by every request cannot.
type proxy struct{ template httputil.ReverseProxy }

func newProxy(upstream *url.URL, idleTimeout time.Duration, logger *slog.Logger) *proxy {
	return &proxy{template: httputil.ReverseProxy{
		Rewrite: func(pr *httputil.ProxyRequest) {
			if info := infoFrom(pr.In.Context()); info != nil && info.server != nil {
				pr.SetURL(info.server.url) // the model's server (balance.go)
			} else {
				pr.SetURL(upstream)
			}
			pr.SetXForwarded()
			h := pr.Out.Header
			h.Del("Authorization")
			h.Del("DPoP") // the proof is for the gateway; the upstream gets the identity
			dropSpoofable(h)
			pr.Out.Trailer = nil // trailers could carry what the headers may not
			if id, ok := guard.IdentityFrom(pr.In.Context()); ok {
				h.Set(HeaderSubject, id.Subject)
				setIf(h, HeaderClientID, id.ClientID)
				setIf(h, HeaderOrgID, id.OrgID)
			}
		},
		// An answer of known length is written once, when complete: flushing
		// after every write (-1) cost a timer and often a write of the
		// headers alone per request. Server-sent events and answers without
		// a length (chunked completions, Ollama's NDJSON) still go through
		// as they come: ReverseProxy flushes those after every write
		// whatever this says.
		FlushInterval: 0,
		Transport:     newTransport(idleTimeout),
		ModifyResponse: func(resp *http.Response) error {
			if info := infoFrom(resp.Request.Context()); info != nil && info.server != nil && serverFailed(resp.StatusCode) {
				info.serverFailed = true
			}
			return nil
		},
		ErrorHandler: func(w http.ResponseWriter, r *http.Request, err error) {
			if bodyErr := clientBodyFailure(r, err); bodyErr != nil { // the client's side failed, not the upstream
				bodyError(w, r, bodyErr)
				return
			}
			if info := infoFrom(r.Context()); info != nil && info.server != nil && r.Context().Err() == nil {
				info.serverFailed = true // its fault, not a caller gone away
			}
			logger.WarnContext(r.Context(), "upstream failed", "method", r.Method, "path", r.URL.Path, "error", err)
			guard.WriteJSONError(w, http.StatusBadGateway, "the model server did not answer")
		},
	}}
}

func (p *proxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	call := &proxyCall{ReverseProxy: p.template, w: w}
	call.BufferPool = call
	call.ServeHTTP(w, r)
}

// newTransport is Go's default transport (dial and TLS handshake timeouts,
// proxy from the environment) with a pool sized for a gateway: the default
// keeps 2 idle connections per host, so under concurrent load most requests
// would open a new one to the upstream. An idle connection is closed after
// idleTimeout rather than Go's 90 s: the pool serves requests that come
// back to back, and once a burst is over (2,000 streams ending) each of
// its connections holds two goroutines, buffers and a socket, while a new
// connection to a model server next door costs far less than the model's
// answer. Pooled connections are reused most recent first, so those a
// steady load needs stay warm and the excess times out.
//
// Each connection, busy or idle, holds a read and a write buffer: 1 KiB
// each instead of 4 KiB, for as long as a stream lasts. The write buffer
// holds a request's head, which has lost its Authorization here (a larger
// head takes a second write; a body goes around it, straight to the
// socket); the read buffer a response's head and an event of a stream (a
// longer header line is put together by net/textproto, a larger event
// takes a second read; a large answer is read straight into the copy
// buffer).
func newTransport(idleTimeout time.Duration) *http.Transport {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConns = 256
	t.MaxIdleConnsPerHost = 256
	t.IdleConnTimeout = idleTimeout
	t.ResponseHeaderTimeout = 0 // a model may think for long before its first byte
	t.ReadBufferSize, t.WriteBufferSize = 1<<10, 1<<10
	return t
}

// proxyCall is one request's ReverseProxy and copy buffer.
type proxyCall struct {
	httputil.ReverseProxy
	w   http.ResponseWriter
	buf *[]byte
}

// Get is called once the answer's headers are copied to the client, just
// before its body: a stream gets the small buffer.
func (c *proxyCall) Get() []byte {
	pool := &answerBuffers
	if isStream(c.w.Header().Get("Content-Type")) {
		pool = &streamBuffers
	}
	c.buf = pool.Get().(*[]byte)
	return *c.buf
}

func (c *proxyCall) Put([]byte) {
	if cap(*c.buf) == streamBufferSize {
		streamBuffers.Put(c.buf)
	} else {
		answerBuffers.Put(c.buf)
	}
}

var (
	answerBuffers = sync.Pool{New: func() any { b := make([]byte, answerBufferSize); return &b }}
	streamBuffers = sync.Pool{New: func() any { b := make([]byte, streamBufferSize); return &b }}
)

// startStream sends a stream's status and headers to the client as soon as
// the model server sent them, before its first event: a model can think for
// seconds before its first token, and the client then knows its request
// was taken. The write happens on a goroutine of its own, which the handler
// waits for: net/http's header write takes a 2.8 KB frame, and made at the
// depth the handlers have reached here, it doubled the connection's stack
// to 16 KiB for as long as the stream lasts (a quarter of what a stream
// holds). The short-lived goroutine's stack goes back to the runtime at
// once. An error is the next write's too, which ends the proxying.
func startStream(w http.ResponseWriter, code int) {
	if code < http.StatusOK || !isStream(w.Header().Get("Content-Type")) {
		return
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		http.NewResponseController(w).Flush()
	}()
	<-done
}

// isStream tells whether a Content-Type is one model servers stream
// tokens in: server-sent events (OpenAI, vLLM, TGI) or NDJSON (Ollama).
func isStream(contentType string) bool {
	mt := mediaType(contentType)
	return strings.EqualFold(mt, "text/event-stream") || strings.EqualFold(mt, "application/x-ndjson")
}

// mediaType is the type/subtype of a Content-Type, without parameters,
// as sent (compare it case-insensitively); mime.ParseMediaType would also
// allocate a map of the parameters.
func mediaType(contentType string) string {
	mt, _, _ := strings.Cut(contentType, ";")
	return strings.TrimSpace(mt)
}
