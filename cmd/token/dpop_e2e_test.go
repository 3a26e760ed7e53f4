package main

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/model-api-auth0/model-api-auth0/guard"
	"github.com/model-api-auth0/model-api-auth0/internal/callers/dpop"
	"github.com/model-api-auth0/model-api-auth0/internal/dev/devtenant"
	"github.com/model-api-auth0/model-api-auth0/internal/dev/devtenant/devtenanttest"
	"github.com/model-api-auth0/model-api-auth0/internal/gateway/proxy"
	"github.com/model-api-auth0/model-api-auth0/internal/tenant/stackconfig"
)

// dpopGateway serves the gateway with DPoP allowed in front of an upstream
// that answers who called; its public URL is its own.
func dpopGateway(t *testing.T, tn *devtenant.Tenant) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	public := "http://" + ln.Addr().String()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	quiet := slog.New(slog.DiscardHandler)
	v, err := guard.New(ctx, guard.Config{Issuer: tn.Issuer(), Audience: tn.Audience(), JWKSURL: tn.JWKSURL(), Logger: quiet,
		DPoP: guard.DPoPConfig{Mode: guard.DPoPAllowed, PublicURL: public}})
	require.NoError(t, err)
	model := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, `{"caller":"`+r.Header.Get(proxy.HeaderSubject)+`"}`)
	}))
	t.Cleanup(model.Close)
	u, _ := url.Parse(model.URL)
	h, err := proxy.New(v, proxy.Config{Upstream: u, Routes: proxy.DefaultRoutes(), Logger: quiet})
	require.NoError(t, err)
	gw := &httptest.Server{Listener: ln, Config: proxy.NewServer(h, proxy.ServerConfig{Logger: quiet})}
	gw.Start()
	t.Cleanup(gw.Close)
	return public
}

// The dev tenant binds the token client's token to its key; the gateway
// takes it with a proof of that key, and refuses it with a proof of any
// other, or as a bearer token.
func TestDPoPThroughGateway(t *testing.T) {
	cfg := devtenanttest.Stack(t, "dev")
	cfg.API.ProofOfPossession = &stackconfig.ProofOfPossessionConfig{Mechanism: "dpop"}
	tn := devtenanttest.Start(t, cfg, devtenant.Options{})
	gw := dpopGateway(t, tn)
	store := tempStore(t)
	run := func(args ...string) (string, string, error) {
		c := &command{env: env(map[string]string{"AUTH0_CLIENT_SECRET": tn.ClientSecret("model-catalog")}), stdin: strings.NewReader(""),
			store: store, browse: func(string) error { return nil }}
		var out, errOut strings.Builder
		c.stdout, c.stderr = &out, &errOut
		err := c.run(context.Background(), append([]string{"-client-id", tn.ClientID("model-catalog"), "-issuer", tn.Issuer(), "-audience", tn.Audience()}, args...))
		return out.String(), errOut.String(), err
	}

	out, stderr, err := run("-dpop", "-call", gw+"/v1/models")
	require.NoError(t, err, stderr)
	assert.Contains(t, out, `"caller":"`+tn.ClientID("model-catalog")+`@clients"`)

	out, stderr, err = run("-dpop", "-dpop-proof", "GET", gw+"/v1/models")
	require.NoError(t, err, stderr)
	headers := http.Header{}
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		name, value, _ := strings.Cut(line, ": ")
		headers.Set(name, value)
	}
	token := strings.TrimPrefix(headers.Get("Authorization"), "DPoP ")
	other, err := dpop.NewKey()
	require.NoError(t, err)
	stolen, err := other.Proof("GET", gw+"/v1/models", token, "")
	require.NoError(t, err)
	call := func(authorization, proof string) *http.Response {
		req, _ := http.NewRequest("GET", gw+"/v1/models", nil)
		req.Header.Set("Authorization", authorization)
		if proof != "" {
			req.Header.Set("DPoP", proof)
		}
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		resp.Body.Close()
		return resp
	}
	resp := call("DPoP "+token, stolen)
	assert.Equal(t, 401, resp.StatusCode, "the token with a proof of another key")
	assert.Contains(t, strings.Join(resp.Header.Values("WWW-Authenticate"), "\n"), `error="invalid_dpop_proof"`)
	assert.Equal(t, 401, call("Bearer "+token, "").StatusCode, "the bound token as a bearer token")
	assert.Equal(t, 200, call(headers.Get("Authorization"), headers.Get("DPoP")).StatusCode, "the printed headers")
	assert.Equal(t, 401, call(headers.Get("Authorization"), headers.Get("DPoP")).StatusCode, "the printed proof, replayed")
}

// A person's login with -dpop is bound to the user's key: calls sign
// proofs, and so does the refresh, whose new token is bound too.
func TestDPoPLogin(t *testing.T) {
	e := newLoginEnv(t, true)
	gw := dpopGateway(t, e.tn)
	alice := &browser{tn: e.tn, email: "alice@acme.example.com"}
	_, stderr, err := e.run(alice, "login", "-dpop", "-stack-outputs", e.outputs, "-org", "acme")
	require.NoError(t, err, stderr)
	first := e.storedLogin("acme")
	assert.Equal(t, "DPoP", first.Token.TokenType)
	// The greeting: /userinfo answered the bound token and its proof.
	assert.Contains(t, stderr, "Logged in as alice@acme.example.com in organization acme")
	assert.Equal(t, "alice@acme.example.com", first.Who)
	store, _ := e.store()
	assertMode(t, store.Dir+"/dpop-key.pem", 0o600)

	out, stderr, err := e.run(nil, "-call", gw+"/v1/models")
	require.NoError(t, err, stderr)
	assert.Contains(t, out, `"caller":"`+e.tn.UserID("alice@acme.example.com")+`"`)

	expire(t, e, "acme")
	out, stderr, err = e.run(nil, "-call", gw+"/v1/models")
	require.NoError(t, err, stderr)
	assert.Contains(t, out, `"caller":"`)
	second := e.storedLogin("acme")
	assert.NotEqual(t, first.Token.AccessToken, second.Token.AccessToken, "refreshed")
	assert.Equal(t, "DPoP", second.Token.TokenType, "the refreshed token is bound too")
}
