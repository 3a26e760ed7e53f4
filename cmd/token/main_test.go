package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/model-api-auth0/model-api-auth0/internal/callers/tokenstore"
)

const secret = "s3cr3t-client-secret"

// tokenEndpoint is Auth0's /oauth/token for one client, checking the
// request as Auth0 would.
func tokenEndpoint(t *testing.T) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := r.ParseForm(); err != nil {
			t.Error(err)
		}
		f := r.PostForm
		if f.Get("grant_type") != "client_credentials" || f.Get("client_id") != "cid-batch" || f.Get("client_secret") != secret ||
			f.Get("audience") != "https://models.example.com/" || r.Header.Get("Authorization") != "" {
			w.WriteHeader(http.StatusUnauthorized)
			json.NewEncoder(w).Encode(map[string]string{"error": "access_denied", "error_description": "Unauthorized"})
			return
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]any{"access_token": "eyJ.token.sig", "token_type": "Bearer", "expires_in": 86400})
	}))
	t.Cleanup(srv.Close)
	return srv
}

func outputsFile(t *testing.T, tokenURL string) string {
	path := filepath.Join(t.TempDir(), "outputs.json")
	out := map[string]any{
		"audience": "https://models.example.com/", "issuer": "https://t.us.auth0.com/", "tokenEndpoint": tokenURL,
		"clients":       map[string]any{"batch-scorer": map[string]string{"clientId": "cid-batch", "grantId": "cgr_1"}},
		"clientSecrets": "[secret]",
	}
	b, _ := json.Marshal(out)
	os.WriteFile(path, b, 0o600)
	return path
}

func env(vars map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) { v, ok := vars[k]; return v, ok }
}

// runToken runs the command with vars as its environment and a login
// store of its own.
func runToken(t *testing.T, vars map[string]string, stdin string, args ...string) (string, string, error) {
	t.Helper()
	var out, errOut bytes.Buffer
	c := &command{env: env(vars), stdin: strings.NewReader(stdin), stdout: &out, stderr: &errOut, store: tempStore(t),
		browse: func(string) error { t.Error("the browser was opened"); return nil }}
	err := c.run(context.Background(), args)
	return out.String(), errOut.String(), err
}

// tempStore is a login store in the test's temporary directory, the same
// for every run of one test.
func tempStore(t *testing.T) func() (*tokenstore.Store, error) {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "logins")
	return func() (*tokenstore.Store, error) { return &tokenstore.Store{Dir: dir}, nil }
}

func TestTokenFromStackOutputs(t *testing.T) {
	srv := tokenEndpoint(t)
	outputs := outputsFile(t, srv.URL)
	out, _, err := runToken(t, map[string]string{"AUTH0_CLIENT_SECRET": secret}, "", "-stack-outputs", outputs, "-client", "batch-scorer")
	if err != nil || out != "eyJ.token.sig\n" {
		t.Errorf("out %q err %v", out, err)
	}
	out, _, err = runToken(t, nil, secret+"\n", "-stack-outputs", outputs, "-client", "batch-scorer", "-secret-stdin")
	if err != nil || out != "eyJ.token.sig\n" {
		t.Errorf("secret on stdin: out %q err %v", out, err)
	}
	_, _, err = runToken(t, map[string]string{"AUTH0_CLIENT_SECRET": "wrong"}, "", "-stack-outputs", outputs, "-client", "batch-scorer")
	if err == nil || !strings.Contains(err.Error(), "access_denied") || strings.Contains(err.Error(), "wrong") {
		t.Errorf("refused secret: %v", err)
	}
}

func TestTokenCallsTheGateway(t *testing.T) {
	srv := tokenEndpoint(t)
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer eyJ.token.sig" {
			w.WriteHeader(401)
			return
		}
		w.Write([]byte(`{"message":"The API successfully validated your access token."}`))
	}))
	defer api.Close()
	out, errOut, err := runToken(t, map[string]string{"AUTH0_CLIENT_SECRET": secret}, "",
		"-stack-outputs", outputsFile(t, srv.URL), "-client", "batch-scorer", "-call", api.URL+"/api/messages/protected")
	if err != nil || !strings.Contains(out, "successfully validated") || !strings.Contains(errOut, "200 OK") {
		t.Errorf("out %q stderr %q err %v", out, errOut, err)
	}
}

func TestTokenConfigErrors(t *testing.T) {
	srv := tokenEndpoint(t)
	_, _, err := runToken(t, nil, "", "-stack-outputs", outputsFile(t, srv.URL), "-client", "nope")
	for _, want := range []string{`the stack has no client "nope" (it has: batch-scorer)`, "no client secret: set AUTH0_CLIENT_SECRET"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("error %v lacks %q", err, want)
		}
	}
	_, _, err = runToken(t, nil, "", "-client-id", "")
	for _, want := range []string{"not logged in: no login is stored; run `token login", "or give -client NAME for an M2M client"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("no client and no login: error %v lacks %q", err, want)
		}
	}
	_, _, err = runToken(t, nil, "", "-client-id", "", "-scope", "read:models")
	if err == nil || !strings.Contains(err.Error(), "-scope is for M2M clients") {
		t.Errorf("-scope without a client: %v", err)
	}
	_, _, err = runToken(t, nil, "", "-secret-stdin")
	for _, want := range []string{"no client:", "no client secret", "no audience", "no token endpoint"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("error %v lacks %q", err, want)
		}
	}
	_, _, err = runToken(t, nil, "", "-client-id", "c", "-issuer", "http://tenant.example.com/", "-token-url", "ftp://x/")
	for _, want := range []string{`-issuer: "http://tenant.example.com/": http would send codes and tokens in the clear`, `-token-url: "ftp://x/": want an https:// URL`} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("error %v lacks %q", err, want)
		}
	}
	if _, _, err := runToken(t, nil, "", "-secret", "x"); err == nil {
		t.Error("a -secret flag was accepted")
	}
}
