package main

import (
	"bytes"
	"context"
	"errors"
	"github.com/model-api-auth0/model-api-auth0/internal/testing/syncbuf"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"

	"github.com/model-api-auth0/model-api-auth0/guard"
	"github.com/model-api-auth0/model-api-auth0/internal/dev/devtenant"
	"github.com/model-api-auth0/model-api-auth0/internal/dev/devtenant/devtenanttest"
	"github.com/model-api-auth0/model-api-auth0/internal/gateway/proxy"
	"github.com/model-api-auth0/model-api-auth0/internal/gateway/proxy/proxytest"
	"github.com/model-api-auth0/model-api-auth0/internal/tenant/stackoutputs"
)

func noEnv(string) (string, bool) { return "", false }

func env(kv ...string) func(string) (string, bool) {
	return func(k string) (string, bool) {
		for i := 0; i+1 < len(kv); i += 2 {
			if kv[i] == k {
				return kv[i+1], true
			}
		}
		return "", false
	}
}

func TestListenOnLoopbackOnly(t *testing.T) {
	tests := []struct {
		args []string
		err  []string
	}{
		{args: []string{"-listen", "127.0.0.1:0"}},
		{args: []string{"-listen", "localhost:7300", "-echo-listen", "[::1]:8000"}},
		{args: []string{"-echo-listen", ""}},
		{args: []string{"-listen", ":7300"}, err: []string{`-listen ":7300" is not a loopback address`}},
		{args: []string{"-listen", "0.0.0.0:7300", "-echo-listen", "10.0.0.1:8000"},
			err: []string{`-listen "0.0.0.0:7300" is not a loopback`, `-echo-listen "10.0.0.1:8000" is not a loopback`}},
		{args: []string{"-listen", "example.com:7300"}, err: []string{"not a loopback address"}},
		{args: []string{"-listen", "7300"}, err: []string{"want HOST:PORT"}},
		{args: []string{"-listen", "0.0.0.0:7300", "-allow-non-loopback"}},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			_, err := parse(append(tt.args, "-outputs", "x.json"), noEnv, io.Discard)
			if tt.err == nil {
				assert.NoError(t, err)
				return
			}
			require.Error(t, err)
			for _, want := range tt.err {
				assert.Contains(t, err.Error(), want)
			}
		})
	}
}

type running struct {
	addr, outputs  string
	stdout, stderr *syncbuf.Buffer
}

// start runs the command until the test ends.
func start(t *testing.T, environ func(string) (string, bool), args ...string) running {
	t.Helper()
	r := running{outputs: filepath.Join(t.TempDir(), "outputs.json"), stdout: &syncbuf.Buffer{}, stderr: &syncbuf.Buffer{}}
	ctx, cancel := context.WithCancel(context.Background())
	ready, errc := make(chan string, 1), make(chan error, 1)
	args = append([]string{"-project", devtenanttest.RepoRoot(t), "-listen", "127.0.0.1:0", "-echo-listen", "127.0.0.1:0", "-outputs", r.outputs}, args...)
	go func() { errc <- run(ctx, args, environ, r.stdout, r.stderr, ready) }()
	t.Cleanup(func() {
		cancel()
		require.NoError(t, <-errc)
	})
	select {
	case r.addr = <-ready:
	case err := <-errc:
		errc <- nil // for the cleanup, which would wait for it
		t.Fatalf("run: %v", err)
	case <-time.After(30 * time.Second):
		t.Fatal("not ready in 30 s")
	}
	return r
}

func TestRefusesProtectedStacks(t *testing.T) {
	for _, stack := range []string{"prod", "staging"} {
		t.Run(stack, func(t *testing.T) {
			ln, err := net.Listen("tcp", "127.0.0.1:0")
			require.NoError(t, err)
			addr := ln.Addr().String()
			ln.Close()
			var stdout bytes.Buffer
			err = run(context.Background(), []string{"-project", devtenanttest.RepoRoot(t), "-stack", stack, "-listen", addr,
				"-echo-listen", "", "-outputs", filepath.Join(t.TempDir(), "o.json")}, noEnv, &stdout, io.Discard, nil)
			require.ErrorIs(t, err, devtenant.ErrProtected)
			assert.Empty(t, stdout.String())
			_, err = net.DialTimeout("tcp", addr, time.Second)
			assert.Error(t, err, "nothing listens")
		})
	}
}

// From a start of the command to a call through the gateway, with only
// what the outputs file and the banner say: what a newcomer does.
func TestNewcomerPath(t *testing.T) {
	r := start(t, noEnv)
	banner := r.stdout.String()
	m := regexp.MustCompile(`TEST USERS' PASSWORD \(generated[^)]*\): (\S+)`).FindStringSubmatch(banner)
	require.NotNil(t, m, banner)
	password := m[1]
	assert.Equal(t, 1, strings.Count(banner, password), "printed once")
	assert.NotContains(t, r.stderr.String(), password, "never logged")
	assert.Contains(t, banner, "go run ./cmd/gateway -stack-outputs "+r.outputs)
	assert.Contains(t, banner, "go run ./cmd/token -stack-outputs "+r.outputs+" -client model-catalog -call http://127.0.0.1:8080/v1/models")
	echoURL := regexp.MustCompile(`echo model\s+(http://\S+)`).FindStringSubmatch(banner)[1]

	info, err := os.Stat(r.outputs)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), info.Mode().Perm())
	out, err := stackoutputs.Load(r.outputs)
	require.NoError(t, err)
	assert.Equal(t, "http://"+r.addr+"/", out.Issuer)
	for _, secret := range out.ClientSecrets {
		assert.NotContains(t, banner+r.stderr.String(), secret, "secrets stay in the file")
	}

	// The gateway as cmd/gateway builds it from the outputs file.
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	v, err := guard.New(ctx, guard.Config{Issuer: out.Issuer, Audience: out.Audience, JWKSURL: out.JWKSURI, Logger: proxytest.Quiet})
	require.NoError(t, err)
	upstream, _ := url.Parse(echoURL)
	h, err := proxy.New(v, proxy.Config{Upstream: upstream, Routes: proxy.DefaultRoutes(), Logger: proxytest.Quiet})
	require.NoError(t, err)
	gw := httptest.NewServer(h)
	defer gw.Close()

	// An M2M client, as cmd/token does it.
	id, err := out.ClientID("batch-scorer")
	require.NoError(t, err)
	cc := clientcredentials.Config{ClientID: id, ClientSecret: out.ClientSecrets["batch-scorer"], TokenURL: out.TokenEndpoint,
		EndpointParams: url.Values{"audience": {out.Audience}}, AuthStyle: oauth2.AuthStyleInParams}
	resp, err := cc.Client(ctx).Post(gw.URL+"/v1/chat/completions", "application/json",
		strings.NewReader(`{"model":"echo","messages":[{"role":"user","content":"hello gateway"}]}`))
	require.NoError(t, err)
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	require.Equal(t, 200, resp.StatusCode, string(body))
	assert.Contains(t, string(body), "hello gateway")
	assert.Equal(t, id+"@clients", resp.Header.Get("X-Echo-X-Auth-Subject"))
	assert.Equal(t, id, resp.Header.Get("X-Echo-X-Auth-Client-Id"))
	assert.Equal(t, "absent", resp.Header.Get("X-Echo-Authorization"), "the gateway keeps the token from the model server")

	// A user, with the printed password and the web app of the outputs.
	web := oauth2.Config{ClientID: out.WebApp.ClientID, ClientSecret: out.ClientSecrets[out.WebApp.Name],
		RedirectURL: "http://127.0.0.1:8080/callback", Scopes: []string{"openid", "read:models"},
		Endpoint: oauth2.Endpoint{AuthURL: out.Issuer + "authorize", TokenURL: out.TokenEndpoint, AuthStyle: oauth2.AuthStyleInParams}}
	verifier := oauth2.GenerateVerifier()
	cb, err := devtenant.Login(ctx, nil, web.AuthCodeURL("st", oauth2.S256ChallengeOption(verifier), oauth2.SetAuthURLParam("audience", out.Audience)),
		devtenant.Credentials{Email: "bob@globex.example.com", Password: password})
	require.NoError(t, err)
	tok, err := web.Exchange(ctx, cb.Query().Get("code"), oauth2.VerifierOption(verifier))
	require.NoError(t, err)
	req, _ := http.NewRequest("GET", gw.URL+"/v1/models", nil)
	req.Header.Set("Authorization", "Bearer "+tok.AccessToken)
	resp, err = http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, 200, resp.StatusCode)
	assert.Equal(t, out.Organizations["globex"], resp.Header.Get("X-Echo-X-Auth-Org-Id"))
}

func TestPasswordFromEnvironment(t *testing.T) {
	r := start(t, env("DEVTENANT_PASSWORD", "Chosen-Passw0rd-1"))
	assert.Contains(t, r.stdout.String(), "password       from DEVTENANT_PASSWORD")
	assert.NotContains(t, r.stdout.String(), "Chosen-Passw0rd-1")

	err := run(context.Background(), []string{"-project", devtenanttest.RepoRoot(t), "-listen", "127.0.0.1:0", "-echo-listen", "",
		"-outputs", filepath.Join(t.TempDir(), "o.json")}, env("DEVTENANT_PASSWORD", "short"), io.Discard, io.Discard, nil)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "testUserPassword: does not meet password policy")
	assert.False(t, errors.Is(err, devtenant.ErrProtected))
}
