package main

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"html/template"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"
)

// Errors of the login callback.
var (
	// ErrLoginTimeout: the browser did not come back in time.
	ErrLoginTimeout = errors.New("no login came back in time")
	// ErrLoginRefused: the tenant sent an error instead of a code.
	ErrLoginRefused = errors.New("the tenant refused the login")
)

// refusal is the error the tenant sent back instead of a code; it is an
// ErrLoginRefused.
type refusal struct {
	code, description string // OAuth's error and error_description, printable
}

func (r *refusal) Error() string {
	return fmt.Sprintf("%v: %s: %s", ErrLoginRefused, r.code, r.description)
}
func (r *refusal) Unwrap() error { return ErrLoginRefused }

// callbackPath is the path of the loopback redirect URI.
const callbackPath = "/callback"

// callback is the loopback redirect endpoint of one login (RFC 8252 7.3):
// it accepts exactly one authorization response carrying the login's
// state, refuses any other, and answers the browser with a small page.
type callback struct {
	addr   string // 127.0.0.1:PORT
	state  string
	server *http.Server
	ln     net.Listener
	warn   func(string)

	once   sync.Once
	result chan callbackResult
}

type callbackResult struct {
	code string
	err  error
}

// listenCallback listens on the IPv4 loopback address (port 0: any free
// port), never on other interfaces.
func listenCallback(port int, state string, warn func(string)) (*callback, error) {
	ln, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
	if err != nil {
		return nil, fmt.Errorf("listening for the login's redirect on 127.0.0.1:%d: %w", port, err)
	}
	cb := &callback{addr: ln.Addr().String(), state: state, ln: ln, warn: warn, result: make(chan callbackResult, 1)}
	cb.server = &http.Server{Handler: cb, ReadHeaderTimeout: 10 * time.Second, MaxHeaderBytes: 16 << 10}
	go cb.server.Serve(ln)
	return cb, nil
}

// redirectURL is the redirect_uri of the login.
func (cb *callback) redirectURL() string { return "http://" + cb.addr + callbackPath }

// wait returns the code of the login's one valid callback, or an error
// when the tenant refused the login, timeout passed or ctx ended. The
// listener is closed when it returns.
func (cb *callback) wait(ctx context.Context, timeout time.Duration) (string, error) {
	defer func() {
		shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		cb.server.Shutdown(shutdown) // lets the last page finish
	}()
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	select {
	case r := <-cb.result:
		return r.code, r.err
	case <-timer.C:
		return "", fmt.Errorf("%w: the browser did not return to %s within %s; run `token login` again (-timeout to wait longer)", ErrLoginTimeout, cb.redirectURL(), timeout)
	case <-ctx.Done():
		return "", ctx.Err()
	}
}

func (cb *callback) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Referrer-Policy", "no-referrer")
	w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	switch {
	case r.URL.Path != callbackPath:
		page(w, http.StatusNotFound, "Not found", "This is the token command's login callback; nothing else is served here.")
		return
	case r.Method != http.MethodGet:
		page(w, http.StatusMethodNotAllowed, "Method not allowed", "The login callback takes GET only.")
		return
	case r.Host != cb.addr:
		// A page elsewhere that resolves its own name to 127.0.0.1 (DNS
		// rebinding) reaches this port with its own Host.
		page(w, http.StatusMisdirectedRequest, "Wrong host", "The login callback answers only at "+cb.addr+".")
		return
	}
	q := r.URL.Query()
	for name, values := range q {
		if len(values) > 1 {
			cb.refuse(w, fmt.Sprintf("a callback with %s given %d times", name, len(values)))
			return
		}
	}
	if subtle.ConstantTimeCompare([]byte(q.Get("state")), []byte(cb.state)) != 1 {
		cb.refuse(w, "a callback whose state is not this login's")
		return
	}
	res := callbackResult{code: q.Get("code")}
	switch {
	case q.Get("error") != "":
		res = callbackResult{err: &refusal{code: printable(q.Get("error"), 64), description: printable(q.Get("error_description"), 300)}}
	case res.code == "":
		res = callbackResult{err: fmt.Errorf("%w: the callback carries neither a code nor an error", ErrLoginRefused)}
	}
	delivered := false
	cb.once.Do(func() {
		cb.result <- res
		delivered = true
	})
	switch {
	case !delivered:
		page(w, http.StatusConflict, "Already done", "This login is already complete; you can close this tab.")
	case res.err != nil:
		page(w, http.StatusOK, "Login failed", strings.TrimPrefix(res.err.Error(), ErrLoginRefused.Error()+": ")+
			". You can close this tab; the terminal says what to do next.")
	default:
		page(w, http.StatusOK, "Logged in", "You are logged in. You can close this tab and return to the terminal.")
	}
}

// refuse answers a callback that is not this login's: it is not the
// login's end, which still waits for its own.
func (cb *callback) refuse(w http.ResponseWriter, what string) {
	cb.warn("refused " + what + "; still waiting for the browser")
	page(w, http.StatusBadRequest, "Not this login", "This answer is not for the login in progress in your terminal. "+
		"Use the tab the terminal opened, or start again with `token login`.")
}

var pageTemplate = template.Must(template.New("page").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{{.Title}}</title>
<style>body{font-family:system-ui,sans-serif;max-width:36rem;margin:4rem auto;padding:0 1rem;color:#222}</style></head>
<body><h1>{{.Title}}</h1><p>{{.Text}}</p></body></html>
`))

func page(w http.ResponseWriter, status int, title, text string) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	pageTemplate.Execute(w, struct{ Title, Text string }{title, text})
}

// printable keeps what the tenant sent fit for a terminal: no control
// characters (escape sequences), at most n runes.
func printable(s string, n int) string {
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, s)
	if r := []rune(s); len(r) > n {
		s = string(r[:n]) + "…"
	}
	return s
}
