package devtenant_test

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/model-api-auth0/model-api-auth0/guard"
	"github.com/model-api-auth0/model-api-auth0/internal/callers/dpop"
	"github.com/model-api-auth0/model-api-auth0/internal/dev/devtenant"
)

// The discovery document names the proof algorithms the tenant takes:
// guard's, ES256 (what Auth0 advertises, and what `token -dpop` signs
// with) among them.
func TestDiscoveryDPoPAlgs(t *testing.T) {
	tn := startTest(t, devtenant.Options{})
	resp, err := http.Get(tn.Issuer() + ".well-known/openid-configuration")
	require.NoError(t, err)
	defer resp.Body.Close()
	var meta struct {
		Algs []string `json:"dpop_signing_alg_values_supported"`
	}
	require.NoError(t, jsonDecode(resp, &meta))
	assert.Equal(t, guard.DefaultDPoPAlgs, meta.Algs)
	assert.Contains(t, meta.Algs, "ES256")
}

// /userinfo takes a DPoP-bound token as Auth0's does: as DPoP, with a
// proof of its key for this request; every other way is refused.
func TestUserinfoDPoP(t *testing.T) {
	tn := startTest(t, devtenant.Options{})
	key, other := must(t, dpop.NewKey), must(t, dpop.NewKey)
	tokenProof, err := key.Proof("POST", tn.TokenURL(), "", "")
	require.NoError(t, err)
	login := url.Values{"grant_type": {"authorization_code"}, "code": {code(t, tn)}, "redirect_uri": {"http://127.0.0.1:8080/callback"},
		"code_verifier": {verifier}, "client_id": {tn.ClientID("gateway")}, "client_secret": {tn.ClientSecret("gateway")}}
	tr := postTokenDPoP(t, tn, login, tokenProof)
	require.Equal(t, "DPoP", tr.TokenType, tr.Description)
	userinfo := tn.Issuer() + "userinfo"
	proof := func(k *dpop.Key, method, target, token string) string {
		p, err := k.Proof(method, target, token, "")
		require.NoError(t, err)
		return p
	}
	call := func(scheme, token string, proofs ...string) int {
		req, err := http.NewRequest(http.MethodGet, userinfo, nil)
		require.NoError(t, err)
		req.Header.Set("Authorization", scheme+" "+token)
		for _, p := range proofs {
			req.Header.Add("DPoP", p)
		}
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		resp.Body.Close()
		return resp.StatusCode
	}
	good := proof(key, "GET", userinfo, tr.AccessToken)
	assert.Equal(t, 200, call("DPoP", tr.AccessToken, good), "a proof of the token's key")
	for name, c := range map[string]struct {
		scheme string
		proofs []string
	}{
		"the same proof again":       {"DPoP", []string{good}},
		"as Bearer":                  {"Bearer", nil},
		"as Bearer with a proof":     {"Bearer", []string{proof(key, "GET", userinfo, tr.AccessToken)}},
		"no proof":                   {"DPoP", nil},
		"another key's proof":        {"DPoP", []string{proof(other, "GET", userinfo, tr.AccessToken)}},
		"a proof for another method": {"DPoP", []string{proof(key, "POST", userinfo, tr.AccessToken)}},
		"a proof for another URL":    {"DPoP", []string{proof(key, "GET", tn.TokenURL(), tr.AccessToken)}},
		"a proof without ath":        {"DPoP", []string{proof(key, "GET", userinfo, "")}},
	} {
		assert.Equal(t, 401, call(c.scheme, tr.AccessToken, c.proofs...), name)
	}

	// An unbound token stays a bearer token.
	tr = postToken(t, tn, url.Values{"grant_type": {"authorization_code"}, "code": {code(t, tn)}, "redirect_uri": {"http://127.0.0.1:8080/callback"},
		"code_verifier": {verifier}, "client_id": {tn.ClientID("gateway")}, "client_secret": {tn.ClientSecret("gateway")}})
	require.Equal(t, "Bearer", tr.TokenType)
	assert.Equal(t, 200, call("Bearer", tr.AccessToken))
	assert.Equal(t, 401, call("DPoP", tr.AccessToken, proof(key, "GET", userinfo, tr.AccessToken)), "an unbound token as DPoP")
}
