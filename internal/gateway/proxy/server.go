package proxy

import (
	"bufio"
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"runtime/debug"
	"sync/atomic"
	"time"

	"golang.org/x/net/netutil"

	"github.com/model-api-auth0/model-api-auth0/guard"
)

// Defaults of ServerConfig.
const (
	DefaultReadHeaderTimeout = 10 * time.Second
	DefaultReadTimeout       = 60 * time.Second
	DefaultWriteTimeout      = 60 * time.Second
	DefaultIdleTimeout       = 120 * time.Second
	// A model gateway mostly holds long streams, each open for a whole
	// completion: 2,000 concurrent streams is an ordinary load.
	DefaultMaxConns       = 4096
	DefaultMaxHeaderBytes = 64 << 10
)

// ServerConfig bounds what one client can hold of the server.
type ServerConfig struct {
	// ReadHeaderTimeout bounds reading a request's headers.
	ReadHeaderTimeout time.Duration
	// ReadTimeout bounds reading a request's body, from the end of its
	// headers. It ends there: a long response is not cut by it.
	ReadTimeout time.Duration
	// WriteTimeout bounds each write of a response, not the response: a
	// server-sent event stream lives as long as it makes progress, and a
	// client that stops reading is cut after WriteTimeout.
	WriteTimeout time.Duration
	// IdleTimeout closes a keep-alive connection with no request.
	IdleTimeout time.Duration
	// MaxConns caps open connections; more wait to be accepted.
	MaxConns       int
	MaxHeaderBytes int
	Logger         *slog.Logger
}

func (c *ServerConfig) complete() {
	c.ReadHeaderTimeout = cmp.Or(c.ReadHeaderTimeout, DefaultReadHeaderTimeout)
	c.ReadTimeout = cmp.Or(c.ReadTimeout, DefaultReadTimeout)
	c.WriteTimeout = cmp.Or(c.WriteTimeout, DefaultWriteTimeout)
	c.IdleTimeout = cmp.Or(c.IdleTimeout, DefaultIdleTimeout)
	c.MaxConns = cmp.Or(c.MaxConns, DefaultMaxConns)
	c.MaxHeaderBytes = cmp.Or(c.MaxHeaderBytes, DefaultMaxHeaderBytes)
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
}

// Validate reports every problem of the configuration at once.
func (c ServerConfig) Validate() error {
	var problems []error
	for _, d := range []struct {
		name string
		v    time.Duration
	}{{"-read-header-timeout", c.ReadHeaderTimeout}, {"-read-timeout", c.ReadTimeout}, {"-write-timeout", c.WriteTimeout}, {"-idle-timeout", c.IdleTimeout}} {
		if d.v < 0 {
			problems = append(problems, fmt.Errorf("%s %v: want a positive duration such as 30s (0 means the default)", d.name, d.v))
		}
	}
	if c.MaxConns < 0 {
		problems = append(problems, fmt.Errorf("-max-conns %d: want a positive number of connections (0 means %d)", c.MaxConns, DefaultMaxConns))
	}
	return errors.Join(problems...)
}

// NewServer serves h with the timeouts of cfg and three guarantees for
// every request: the per-request read and write deadlines described on
// ServerConfig, an answer given without reading a request body closes
// the connection at once (see guard.CloseUnreadBody), and a panic becomes
// a JSON 500 and a log line.
func NewServer(h http.Handler, cfg ServerConfig) *http.Server {
	cfg.complete()
	return &http.Server{
		Handler:           protect(h, cfg),
		ReadHeaderTimeout: cfg.ReadHeaderTimeout,
		// ReadTimeout and WriteTimeout stay 0: net/http would apply them to
		// the whole exchange, and a read deadline passing during a long
		// response cancels the request's context. protect sets them per
		// request instead.
		IdleTimeout:    cfg.IdleTimeout,
		MaxHeaderBytes: cfg.MaxHeaderBytes,
		ErrorLog:       slog.NewLogLogger(cfg.Logger.Handler(), slog.LevelWarn),
	}
}

// Listen listens on addr for at most cfg.MaxConns connections at a time.
func Listen(addr string, cfg ServerConfig) (net.Listener, error) {
	cfg.complete()
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	return netutil.LimitListener(ln, cfg.MaxConns), nil
}

func protect(next http.Handler, cfg ServerConfig) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		conn, ok := w.(connDeadlines) // net/http's own writer: no ResponseController to allocate
		if !ok {
			conn = http.NewResponseController(w)
		}
		dw := &deadlineWriter{ResponseWriter: w, conn: conn, r: r, timeout: cfg.WriteTimeout}
		if hasBody(r) {
			// A body must arrive within ReadTimeout; once it has, no read
			// deadline is left to cancel the request during the response.
			_ = conn.SetReadDeadline(time.Now().Add(cfg.ReadTimeout))
			dw.body = &eofBody{ReadCloser: r.Body, onEOF: func() { _ = conn.SetReadDeadline(time.Time{}) }}
			r = r.WithContext(context.WithValue(r.Context(), bodyKey{}, dw.body))
			r.Body = dw.body
		}
		defer func() {
			p := recover()
			if p == nil {
				if !dw.hijacked {
					dw.extend() // for the final flush after the handler returns
				}
				return
			}
			if p == http.ErrAbortHandler { // the proxy's way to cut a response short
				panic(p)
			}
			cfg.Logger.ErrorContext(r.Context(), "handler panicked", "method", r.Method, "path", r.URL.Path,
				"panic", fmt.Sprint(p), "stack", string(debug.Stack()))
			if dw.wroteHeader || dw.hijacked {
				// Part of a response is out: ending the connection is the
				// only way left to tell the client it is incomplete.
				panic(http.ErrAbortHandler)
			}
			guard.WriteJSONError(dw, http.StatusInternalServerError, "internal error")
		}()
		next.ServeHTTP(dw, r)
	})
}

func hasBody(r *http.Request) bool {
	return r.Body != nil && r.Body != http.NoBody && r.ContentLength != 0
}

// connDeadlines sets the deadlines of a request's connection: net/http's
// ResponseWriter, or an http.ResponseController around another.
type connDeadlines interface {
	SetReadDeadline(time.Time) error
	SetWriteDeadline(time.Time) error
}

// deadlineWriter extends the connection's write deadline before each
// write, so that only a write making no progress times out.
type deadlineWriter struct {
	http.ResponseWriter
	conn        connDeadlines
	r           *http.Request
	body        *eofBody
	timeout     time.Duration
	deadline    time.Time
	wroteHeader bool
	hijacked    bool // the connection is the handler's: no deadline of ours applies
}

// extend moves the deadline to timeout from now, when more than half of
// the previous window is used: a deadline is cheap but not free.
func (w *deadlineWriter) extend() {
	now := time.Now()
	if w.deadline.Sub(now) > w.timeout/2 {
		return
	}
	w.deadline = now.Add(w.timeout)
	_ = w.conn.SetWriteDeadline(w.deadline)
}

func (w *deadlineWriter) WriteHeader(code int) {
	if !w.wroteHeader && code >= 200 {
		w.wroteHeader = true
		if w.body != nil && !w.body.eof.Load() {
			guard.CloseUnreadBody(w.ResponseWriter, w.r)
		}
	}
	w.extend()
	w.ResponseWriter.WriteHeader(code)
}

func (w *deadlineWriter) Write(p []byte) (int, error) {
	if !w.wroteHeader {
		w.WriteHeader(http.StatusOK)
	}
	w.extend()
	return w.ResponseWriter.Write(p)
}

func (w *deadlineWriter) FlushError() error {
	if !w.wroteHeader {
		w.WriteHeader(http.StatusOK)
	}
	w.extend()
	if f, ok := w.ResponseWriter.(interface{ FlushError() error }); ok { // net/http's own writer
		return f.FlushError()
	}
	return http.NewResponseController(w.ResponseWriter).Flush()
}

func (w *deadlineWriter) Flush() { _ = w.FlushError() }

// Hijack hands the connection over, with no deadline: a WebSocket library
// keeps using it after the handler returns.
func (w *deadlineWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	conn, brw, err := http.NewResponseController(w.ResponseWriter).Hijack()
	if err == nil {
		w.hijacked = true
	}
	return conn, brw, err
}

// Unwrap lets http.ResponseController reach the deadlines.
func (w *deadlineWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// eofBody calls onEOF once its reader reports io.EOF. The proxy's
// transport reads it on its own goroutine, hence the atomic.
type eofBody struct {
	io.ReadCloser
	eof     atomic.Bool
	failure atomic.Pointer[error] // the first read error other than io.EOF
	onEOF   func()
}

func (b *eofBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	switch {
	case err == io.EOF:
		if !b.eof.Swap(true) {
			b.onEOF()
		}
	case err != nil:
		b.failure.CompareAndSwap(nil, &err)
	}
	return n, err
}

type bodyKey struct{}

// clientBodyFailure is why reading the request body failed, if it did:
// the proxy reports the client's fault as such, not as the upstream's. A
// failed read also cancels the request's context, so proxyErr may only
// say "context canceled".
func clientBodyFailure(r *http.Request, proxyErr error) error {
	if _, ok := errors.AsType[*http.MaxBytesError](proxyErr); ok {
		return proxyErr
	}
	if b, ok := r.Context().Value(bodyKey{}).(*eofBody); ok {
		if err := b.failure.Load(); err != nil {
			return *err
		}
	}
	return nil
}
