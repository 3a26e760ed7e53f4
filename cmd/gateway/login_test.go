package main

import (
	"context"
	"encoding/json"
	"github.com/model-api-auth0/model-api-auth0/internal/testing/syncbuf"
	"io"
	"net/http"
	"net/http/cookiejar"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/model-api-auth0/model-api-auth0/internal/dev/devtenant"
	"github.com/model-api-auth0/model-api-auth0/internal/testing/testissuer"
)

func TestLoginConfigurationListsEveryProblem(t *testing.T) {
	secretFile := filepath.Join(t.TempDir(), "secret")
	os.WriteFile(secretFile, []byte("from-a-file\n"), 0o600)
	cases := []struct {
		name string
		args []string
		env  map[string]string
		want []string
		not  []string
	}{
		{
			name: "client ID without the rest",
			args: []string{"-client-id", "abc", "-default-org", "Acme Corp", "-redis", "http://:pw@127.0.0.1:6379", "-trusted-proxies", "10.0.0.0/8,proxy.internal"},
			want: []string{
				`login: -trusted-proxies / TRUSTED_PROXIES: trusted proxies: "proxy.internal" is neither an address nor a CIDR`,
				"no client secret: export AUTH0_CLIENT_SECRET or pass -client-secret-file",
				"no public URL: set -public-url or PUBLIC_URL",
				`default organization "Acme Corp"`,
				"invalid Redis URL: -redis / REDIS_URL",
			},
		},
		{
			name: "http public URL",
			args: []string{"-client-id", "abc", "-public-url", "http://models.example.com"},
			env:  map[string]string{"AUTH0_CLIENT_SECRET": "from-env"},
			want: []string{`-public-url / PUBLIC_URL: public URL "http://models.example.com"`},
			not:  []string{"login: public URL"}, // reported once, for the whole gateway
		},
		{
			name: "two secrets",
			args: []string{"-client-id", "abc", "-client-secret-file", secretFile, "-public-url", "https://models.example.com"},
			env:  map[string]string{"AUTH0_CLIENT_SECRET": "from-env"},
			want: []string{"both AUTH0_CLIENT_SECRET and -client-secret-file are set"},
		},
		{
			name: "missing secret file",
			args: []string{"-client-id", "abc", "-client-secret-file", filepath.Join(t.TempDir(), "nope"), "-public-url", "https://models.example.com"},
			want: []string{"-client-secret-file: open"},
		},
		{
			name: "short session secret",
			args: []string{"-client-id", "abc", "-public-url", "https://models.example.com"},
			env:  map[string]string{"AUTH0_CLIENT_SECRET": "s", "SESSION_SECRET": "too-short"},
			want: []string{"session secret is 9 bytes"},
		},
		{
			name: "-dev replaces the tenant settings",
			args: []string{"-dev", "-domain", "t.us.auth0.com", "-public-url", "https://models.example.com", "-listen", "0.0.0.0:8080"},
			want: []string{"-dev: drop -domain", "-dev: drop -public-url", "loopback only"},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			vars := minimalEnv()
			for k, v := range c.env {
				vars[k] = v
			}
			err := run(context.Background(), c.args, env(vars), io.Discard, nil)
			require.Error(t, err)
			for _, w := range c.want {
				assert.Contains(t, err.Error(), w)
			}
			for _, n := range c.not {
				assert.NotContains(t, err.Error(), n)
			}
			for _, secret := range []string{"from-env", "from-a-file", ":pw@", "too-short"} {
				assert.NotContains(t, err.Error(), secret, "secrets are never repeated")
			}
		})
	}
}

// The login is configured from the stack outputs' webApp and a secret file.
func TestLoginFromStackOutputs(t *testing.T) {
	iss := testissuer.New(t)
	outputs := filepath.Join(t.TempDir(), "outputs.json")
	b, _ := json.Marshal(map[string]any{"audience": iss.Audience, "issuer": iss.Issuer, "jwksUri": iss.JWKSURL(),
		"webApp": map[string]any{"name": "gateway", "clientId": "web-client-id"}})
	os.WriteFile(outputs, b, 0o644)
	secretFile := filepath.Join(t.TempDir(), "secret")
	os.WriteFile(secretFile, []byte("s3cret\n"), 0o600)
	var logs syncbuf.Buffer
	addr, stop := start(t, []string{"-stack-outputs", outputs, "-upstream", "http://127.0.0.1:9", "-listen", "127.0.0.1:0",
		"-public-url", "http://127.0.0.1:8080", "-client-secret-file", secretFile}, env(nil), &logs)
	defer stop()
	resp, err := http.Get("http://" + addr + "/")
	require.NoError(t, err)
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Contains(t, string(body), `id="login"`)
	assert.Contains(t, logs.String(), `"client_id":"web-client-id"`, "the stack's web app, since its secret is given")
	assert.NotContains(t, logs.String(), "s3cret")
}

// -dev starts a tenant and a model server beside the gateway, prints what
// to open and who to log in as, and the login works end to end.
func TestDevMode(t *testing.T) {
	var out syncbuf.Buffer
	addr, stop := start(t, []string{"-dev", "-dev-project", "../..", "-listen", "127.0.0.1:0"},
		env(map[string]string{"DEVTENANT_PASSWORD": "Dev-Mode-Passw0rd!"}), &out)
	defer stop()
	banner := out.String()
	for _, want := range []string{"Open http://" + addr + "/ in your browser", "alice@acme.example.com", "organization acme: model-admin",
		"bob@globex.example.com", "organization globex: model-user", "password: from DEVTENANT_PASSWORD"} {
		assert.Contains(t, banner, want)
	}
	assert.NotContains(t, banner, "Dev-Mode-Passw0rd!")
	for _, level := range []string{`"level":"WARN"`, `"level":"ERROR"`} {
		assert.NotContains(t, banner, level, "a correct -dev setup starts without warnings")
	}
	// The dev API is the gateway's public URL, so agents can use discovery.
	resp, err := http.Get("http://" + addr + "/.well-known/oauth-protected-resource")
	require.NoError(t, err)
	var metadata struct{ Resource string }
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&metadata))
	resp.Body.Close()
	assert.Equal(t, "http://"+addr+"/", metadata.Resource)

	jar, _ := cookiejar.New(nil)
	hc := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err = hc.Get("http://" + addr + "/login?organization=acme")
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusFound, resp.StatusCode)
	callback, err := devtenant.Login(context.Background(), hc, resp.Header.Get("Location"),
		devtenant.Credentials{Email: "alice@acme.example.com", Password: "Dev-Mode-Passw0rd!", Organization: "acme"})
	require.NoError(t, err)
	resp, err = hc.Get(callback.String())
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)
	for path, want := range map[string]string{"/api/messages/admin": "admin", "/v1/models": "echo"} {
		resp, err = hc.Get("http://" + addr + path)
		require.NoError(t, err)
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		assert.Equal(t, http.StatusOK, resp.StatusCode, path)
		assert.Contains(t, string(body), want, path)
	}
}

// start runs the gateway until the test stops it.
func start(t *testing.T, args []string, env func(string) (string, bool), out io.Writer) (string, func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	ready, done := make(chan string, 1), make(chan error, 1)
	go func() { done <- run(ctx, args, env, out, ready) }()
	select {
	case addr := <-ready:
		return addr, func() {
			cancel()
			select {
			case err := <-done:
				assert.NoError(t, err)
			case <-time.After(10 * time.Second):
				t.Error("the gateway did not shut down")
			}
		}
	case err := <-done:
		cancel()
		t.Fatal(err)
	}
	return "", nil
}

// -trusted-proxies (or TRUSTED_PROXIES) reaches the login's limit.
func TestTrustedProxiesSetting(t *testing.T) {
	vars := map[string]string{"AUTH0_DOMAIN": "t.us.auth0.com", "AUTH0_AUDIENCE": "https://a/", "AUTH0_CLIENT_SECRET": "s", "TRUSTED_PROXIES": "192.0.2.7"}
	for name, args := range map[string][]string{
		"environment": {"-client-id", "abc", "-public-url", "https://models.example.com"},
		"flag wins":   {"-client-id", "abc", "-public-url", "https://models.example.com", "-trusted-proxies", "10.0.0.0/8, 2001:db8::/32"},
	} {
		t.Run(name, func(t *testing.T) {
			s, err := parse(args, env(vars), io.Discard)
			require.NoError(t, err)
			cfg, err := s.login.config(s, env(vars), nil)
			require.NoError(t, err)
			var got []string
			for _, p := range cfg.TrustedProxies {
				got = append(got, p.String())
			}
			want := map[string][]string{"environment": {"192.0.2.7/32"}, "flag wins": {"10.0.0.0/8", "2001:db8::/32"}}[name]
			assert.Equal(t, want, got)
		})
	}
}
