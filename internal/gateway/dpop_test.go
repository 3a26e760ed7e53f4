package gateway

import (
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/model-api-auth0/model-api-auth0/internal/callers/dpop"
	"github.com/model-api-auth0/model-api-auth0/internal/testing/redistest"
	"github.com/model-api-auth0/model-api-auth0/internal/testing/testissuer"
)

func TestDPoPOptionsProblems(t *testing.T) {
	iss := testissuer.New(t)
	routes := writeFile(t, "routes.yaml", "routes:\n  - {pattern: GET /v1/models, allOf: [read:models], dpop: true}\n")
	for name, c := range map[string]struct {
		change func(*Options)
		want   string
	}{
		"no public URL":         {func(o *Options) { o.DPoP.Mode = "allowed" }, "-dpop allowed needs -public-url"},
		"unknown mode":          {func(o *Options) { o.DPoP.Mode, o.PublicURL = "maybe", "https://models.example.com" }, `DPoP mode "maybe"`},
		"a route needs it, off": {func(o *Options) { o.Routes.File = routes }, "routes: GET /v1/models has dpop: true but DPoP is disabled"},
		"a short nonce secret": {func(o *Options) {
			o.DPoP.Mode, o.PublicURL, o.DPoP.NonceSecret = "required", "https://models.example.com", []byte("short")
		}, "DPOP_NONCE_SECRET: guard: DPoP nonces need a secret of at least 32 bytes"},
		"a nonce secret, no DPoP": {func(o *Options) { o.DPoP.NonceSecret = make([]byte, 32) }, "DPOP_NONCE_SECRET is set but DPoP is disabled"},
		"required of all clients, disabled here": {func(o *Options) { o.DPoP.Mode, o.DPoP.RequiredOfAll = "disabled", true },
			"-dpop disabled (DPOP_MODE), but the stack outputs' proofOfPossession requires DPoP of all_clients"},
	} {
		t.Run(name, func(t *testing.T) {
			o := issuerOptions(iss, "http://127.0.0.1:1", io.Discard)
			c.change(&o)
			err := o.Validate()
			require.Error(t, err)
			assert.Contains(t, err.Error(), c.want)
		})
	}
}

// Two gateway processes sharing one Redis share the proofs' jti: a proof
// used at one is refused at the other. The proof names the public URL,
// which both serve.
func TestDPoPReplayAcrossGateways(t *testing.T) {
	iss := testissuer.New(t)
	rs := redistest.Start(t)
	upstream := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		assert.Empty(t, r.Header.Get("DPoP"), "the proof is not forwarded")
		io.WriteString(w, `{"data":[]}`)
	}))
	defer upstream.Close()
	var addrs []string
	for range 2 {
		o := issuerOptions(iss, upstream.URL, io.Discard)
		o.PublicURL, o.DPoP.Mode, o.Limits.RedisURL = "https://models.example.com", "allowed", rs.URL
		addr, stop := start(t, o)
		defer stop()
		addrs = append(addrs, addr)
	}
	key, err := dpop.NewKey()
	require.NoError(t, err)
	token := iss.Token(map[string]any{"cnf": map[string]string{"jkt": key.Thumbprint()}})
	proof, err := key.Proof("GET", "https://models.example.com/v1/models", token, "")
	require.NoError(t, err)
	get := func(addr string) *http.Response {
		req, _ := http.NewRequest("GET", "http://"+addr+"/v1/models", nil)
		req.Header.Set("Authorization", "DPoP "+token)
		req.Header.Set("DPoP", proof)
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		resp.Body.Close()
		return resp
	}
	require.Equal(t, 200, get(addrs[0]).StatusCode, "the first use")
	resp := get(addrs[1])
	assert.Equal(t, 401, resp.StatusCode, "the same proof at the other gateway")
	assert.Contains(t, resp.Header.Values("WWW-Authenticate"), `DPoP algs="ES256 ES384 ES512 PS256 PS384 PS512 RS256 EdDSA", realm="`+iss.Audience+`", error="invalid_dpop_proof", error_description="invalid DPoP proof: jti was already used: sign a new proof for each request", scope="read:models", resource_metadata="https://models.example.com/.well-known/oauth-protected-resource"`)
}
