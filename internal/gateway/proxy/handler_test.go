package proxy_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/model-api-auth0/model-api-auth0/internal/gateway/proxy"
	"github.com/model-api-auth0/model-api-auth0/internal/gateway/proxy/proxytest"
	"github.com/model-api-auth0/model-api-auth0/internal/testing/testissuer"
)

type seen struct {
	mu       sync.Mutex
	requests []*http.Request
}

func (s *seen) last() *http.Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.requests) == 0 {
		return nil
	}
	return s.requests[len(s.requests)-1]
}

// setup starts an upstream model server, the fake tenant and the proxy.
func setup(t testing.TB, upstream http.Handler) (*testissuer.Issuer, *httptest.Server, *seen) {
	iss, gw, s, _ := setupWithUpstream(t, upstream)
	return iss, gw, s
}

func setupWithUpstream(t testing.TB, upstream http.Handler) (*testissuer.Issuer, *httptest.Server, *seen, string) {
	t.Helper()
	iss := testissuer.New(t)
	s := &seen{}
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.requests = append(s.requests, r.Clone(context.Background()))
		s.mu.Unlock()
		upstream.ServeHTTP(w, r)
	}))
	t.Cleanup(up.Close)
	return iss, proxytest.Start(t, iss, up.URL), s, up.URL
}

func call(t testing.TB, method, url, token string, body io.Reader, headers ...string) (*http.Response, string) {
	t.Helper()
	req, _ := http.NewRequest(method, url, body)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

func TestReferenceRoutes(t *testing.T) {
	iss, gw, _ := setup(t, http.NotFoundHandler())
	admin := iss.Token(map[string]any{"permissions": []string{"read:admin-messages"}})
	cases := []struct {
		path, token string
		status      int
		message     string
	}{
		{"/api/messages/public", "", 200, proxy.PublicMessage},
		{"/api/messages/protected", "", 401, "a bearer token is required"},
		{"/api/messages/protected", iss.Token(nil), 200, proxy.ProtectedMessage},
		{"/api/messages/admin", iss.Token(nil), 403, "insufficient scope: needs read:admin-messages"},
		{"/api/messages/admin", admin, 200, proxy.AdminMessage},
		{"/healthz", "", 200, "ok"},
		{"/nowhere", iss.Token(nil), 404, "no such route: GET /nowhere"},
	}
	for _, c := range cases {
		resp, body := call(t, "GET", gw.URL+c.path, c.token, nil)
		var m struct{ Message string }
		json.Unmarshal([]byte(body), &m)
		if resp.StatusCode != c.status || m.Message != c.message {
			t.Errorf("%s: %d %q, want %d %q", c.path, resp.StatusCode, m.Message, c.status, c.message)
		}
	}
}

func TestProxyStripsAuthorizationAndAddsIdentity(t *testing.T) {
	iss, gw, s := setup(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, `{"data":[{"id":"llama"}]}`)
	}))
	tok := iss.Token(map[string]any{"scope": "read:models", "org_id": "org_acme"})
	resp, body := call(t, "GET", gw.URL+"/v1/models", tok, nil, proxy.HeaderSubject, "spoofed-admin", proxy.HeaderOrgID, "org_evil")
	if resp.StatusCode != 200 || body != `{"data":[{"id":"llama"}]}` {
		t.Fatalf("%d %s", resp.StatusCode, body)
	}
	r := s.last()
	if r.Header.Get("Authorization") != "" {
		t.Error("the upstream received the Authorization header")
	}
	if got := r.Header.Get(proxy.HeaderSubject); got != "client-123@clients" {
		t.Errorf("%s = %q (a caller's spoofed value must be replaced)", proxy.HeaderSubject, got)
	}
	if got := r.Header.Get(proxy.HeaderClientID); got != "client-123" {
		t.Errorf("%s = %q", proxy.HeaderClientID, got)
	}
	if got := r.Header.Values(proxy.HeaderOrgID); len(got) != 1 || got[0] != "org_acme" {
		t.Errorf("%s = %q", proxy.HeaderOrgID, got)
	}
	if r.URL.Path != "/v1/models" {
		t.Errorf("upstream path %q", r.URL.Path)
	}
}

func TestProxyRefusesWithoutScope(t *testing.T) {
	iss, gw, s := setup(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	resp, _ := call(t, "POST", gw.URL+"/v1/chat/completions", iss.Token(map[string]any{"scope": "read:models"}), strings.NewReader(`{}`))
	if resp.StatusCode != 403 || !strings.Contains(resp.Header.Get("WWW-Authenticate"), `scope="invoke:models"`) {
		t.Errorf("%d %q", resp.StatusCode, resp.Header.Get("WWW-Authenticate"))
	}
	resp, _ = call(t, "POST", gw.URL+"/v1/chat/completions", "", strings.NewReader(`{}`))
	if resp.StatusCode != 401 {
		t.Errorf("no token: %d", resp.StatusCode)
	}
	if s.last() != nil {
		t.Error("the upstream was called for refused requests")
	}
}

// Server-sent events reach the client as the upstream writes them.
func TestStreamingIsNotBuffered(t *testing.T) {
	release := make(chan struct{})
	iss, gw, _ := setup(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		fmt.Fprint(w, "data: {\"delta\":\"Hel\"}\n\n")
		w.(http.Flusher).Flush()
		<-release // the rest only comes once the client has seen the first event
		fmt.Fprint(w, "data: {\"delta\":\"lo\"}\n\ndata: [DONE]\n\n")
	}))
	defer close(release)
	req, _ := http.NewRequest("POST", gw.URL+"/v1/chat/completions", strings.NewReader(`{"stream":true}`))
	req.Header.Set("Authorization", "Bearer "+iss.Token(nil))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	lines := make(chan string)
	go func() {
		sc := bufio.NewScanner(resp.Body)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	select {
	case first := <-lines:
		if first != `data: {"delta":"Hel"}` {
			t.Errorf("first line %q", first)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the first event was held back by the gateway")
	}
}

func TestUpstreamDownIsA502(t *testing.T) {
	iss := testissuer.New(t)
	srv := proxytest.Start(t, iss, "http://127.0.0.1:1")
	resp, body := call(t, "GET", srv.URL+"/v1/models", iss.Token(nil), nil)
	if resp.StatusCode != 502 || !strings.Contains(body, "the model server did not answer") {
		t.Errorf("%d %s", resp.StatusCode, body)
	}
}

func TestBadRoutesAreRefusedTogether(t *testing.T) {
	v := proxytest.Validator(t, testissuer.New(t))
	u, _ := url.Parse("http://127.0.0.1:8000")
	routes := []proxy.Route{
		{Pattern: "/v1/models"},
		{Pattern: "GET /v1/{bad"},
		{Pattern: "POST /v1/x", AllOf: []string{"two words"}},
		{Pattern: "GET /healthz"},
	}
	_, err := proxy.New(v, proxy.Config{Upstream: u, Routes: routes, UpstreamIdleTimeout: -time.Second})
	if err == nil {
		t.Fatal("bad routes were accepted")
	}
	for _, want := range []string{`routes[0] "/v1/models": want METHOD /path`, `routes[1] "GET /v1/{bad"`, `routes[2] "POST /v1/x": "two words" is not a scope`, `routes[3] "GET /healthz"`,
		"upstream idle timeout -1s: want a positive duration"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q:\n%v", want, err)
		}
	}
}

func TestLoadRoutes(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "routes.yaml")
	os.WriteFile(good, []byte("routes:\n  - pattern: POST /v1/chat/completions\n    allOf: [invoke:models]\n    requireOrg: true\n"), 0o644)
	rf, err := proxy.LoadRoutesFile(good)
	if err != nil || len(rf.Routes) != 1 || rf.Routes[0].AllOf[0] != "invoke:models" || !rf.Routes[0].RequireOrg || rf.Limits != nil {
		t.Errorf("routes file %+v, error %v", rf, err)
	}
	bad := filepath.Join(dir, "bad.yaml")
	os.WriteFile(bad, []byte("routes:\n  - pattern: GET /v1/models\n    scopes: [read:models]\n"), 0o644)
	if _, err := proxy.LoadRoutesFile(bad); err == nil || !strings.Contains(err.Error(), "field scopes not found") {
		t.Errorf("unknown key: %v", err)
	}
}

// The example routes file of the README loads and is valid.
func TestExampleRoutesFile(t *testing.T) {
	rf, err := proxy.LoadRoutesFile(filepath.Join("..", "..", "..", "examples", "routes.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	routes := rf.Routes
	v := proxytest.Validator(t, testissuer.New(t))
	u, _ := url.Parse("http://127.0.0.1:8000")
	if _, err := proxy.New(v, proxy.Config{Upstream: u, Routes: routes}); err != nil {
		t.Error(err)
	}
}
