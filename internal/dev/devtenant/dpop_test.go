package devtenant_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/model-api-auth0/model-api-auth0/internal/callers/dpop"
	"github.com/model-api-auth0/model-api-auth0/internal/dev/devtenant"
	"github.com/model-api-auth0/model-api-auth0/internal/dev/devtenant/devtenanttest"
	"github.com/model-api-auth0/model-api-auth0/internal/tenant/stackconfig"
)

// postTokenDPoP is postToken with DPoP headers.
func postTokenDPoP(t *testing.T, tn *devtenant.Tenant, form url.Values, proofs ...string) tokenResponse {
	t.Helper()
	req, err := http.NewRequest("POST", tn.TokenURL(), strings.NewReader(form.Encode()))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for _, p := range proofs {
		req.Header.Add("DPoP", p)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	var tr tokenResponse
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&tr))
	tr.Status = resp.StatusCode
	return tr
}

func TestDPoPBoundTokens(t *testing.T) {
	cfg := testStack(t)
	cfg.API.ProofOfPossession = &stackconfig.ProofOfPossessionConfig{Mechanism: "dpop"}
	for i := range cfg.Clients {
		cfg.Clients[i].RequireProofOfPossession = cfg.Clients[i].Name == "model-catalog"
	}
	tn := devtenanttest.Start(t, cfg, devtenant.Options{})
	key, other := must(t, dpop.NewKey), must(t, dpop.NewKey)
	proof := func(k *dpop.Key, target string) string {
		p, err := k.Proof("POST", target, "", "")
		require.NoError(t, err)
		return p
	}

	first := proof(key, tn.TokenURL())
	tr := postTokenDPoP(t, tn, m2mForm(tn, "batch-scorer"), first)
	require.Equal(t, 200, tr.Status, tr.Description)
	assert.Equal(t, "DPoP", tr.TokenType)
	claims := verify(t, tn, tr.AccessToken, tn.Audience())
	assert.Equal(t, map[string]any{"jkt": key.Thumbprint()}, claims["cnf"], "bound to the proof's key")

	for name, c := range map[string]struct {
		client string
		proofs []string
		error  string
	}{
		"a replayed proof":                   {"batch-scorer", []string{first}, "invalid_dpop_proof"},
		"a proof for another URL":            {"batch-scorer", []string{proof(key, tn.Issuer()+"authorize")}, "invalid_dpop_proof"},
		"two proofs":                         {"batch-scorer", []string{proof(key, tn.TokenURL()), proof(other, tn.TokenURL())}, "invalid_dpop_proof"},
		"not a proof":                        {"batch-scorer", []string{"x.y.z"}, "invalid_dpop_proof"},
		"requireProofOfPossession, no proof": {"model-catalog", nil, "invalid_request"},
	} {
		t.Run(name, func(t *testing.T) {
			tr := postTokenDPoP(t, tn, m2mForm(tn, c.client), c.proofs...)
			assert.Equal(t, 400, tr.Status)
			assert.Equal(t, c.error, tr.Error, tr.Description)
		})
	}
	tr = postTokenDPoP(t, tn, m2mForm(tn, "model-catalog"), proof(other, tn.TokenURL()))
	require.Equal(t, 200, tr.Status, tr.Description)
	assert.Equal(t, map[string]any{"jkt": other.Thumbprint()}, verify(t, tn, tr.AccessToken, tn.Audience())["cnf"])
	tr = postTokenDPoP(t, tn, m2mForm(tn, "batch-scorer"))
	require.Equal(t, 200, tr.Status)
	assert.Equal(t, "Bearer", tr.TokenType, "without a proof, a client that does not require one gets a bearer token")
	assert.Nil(t, verify(t, tn, tr.AccessToken, tn.Audience())["cnf"])
}

func must[T any](t *testing.T, f func() (T, error)) T {
	t.Helper()
	v, err := f()
	require.NoError(t, err)
	return v
}

// A refresh token issued to a DPoP-bound login is refreshed with a proof
// of its key only.
func TestDPoPBoundRefreshToken(t *testing.T) {
	tn := startTest(t, devtenant.Options{})
	key, other := must(t, dpop.NewKey), must(t, dpop.NewKey)
	proof := func(k *dpop.Key) string {
		p, err := k.Proof("POST", tn.TokenURL(), "", "")
		require.NoError(t, err)
		return p
	}
	login := url.Values{"grant_type": {"authorization_code"}, "code": {code(t, tn)}, "redirect_uri": {"http://127.0.0.1:8080/callback"},
		"code_verifier": {verifier}, "client_id": {tn.ClientID("gateway")}, "client_secret": {tn.ClientSecret("gateway")}}
	tr := postTokenDPoP(t, tn, login, proof(key))
	require.Equal(t, 200, tr.Status, tr.Description)
	require.Equal(t, "DPoP", tr.TokenType)
	require.NotEmpty(t, tr.RefreshToken)
	form := refreshForm(tn, tr.RefreshToken)
	for name, proofs := range map[string][]string{"no proof": nil, "another key's proof": {proof(other)}} {
		tr := postTokenDPoP(t, tn, form, proofs...)
		assert.Equal(t, "invalid_dpop_proof", tr.Error, name)
	}
	tr = postTokenDPoP(t, tn, form, proof(key))
	require.Equal(t, 200, tr.Status, tr.Description)
	assert.Equal(t, "DPoP", tr.TokenType)
}

// The web app is a confidential client (client_secret): with the API's
// proofOfPossession required of all_clients, the tenant refuses its
// unbound code exchange, as Auth0 does, and binds the tokens of one that
// carries a proof; required of public_clients only, it still takes an
// unbound one.
func TestDPoPRequiredOfAllClientsBindsTheWebApp(t *testing.T) {
	for _, c := range []struct {
		requiredFor string
		unbound     int // the status of a code exchange without a proof
	}{
		{stackconfig.PoPAllClients, 400},
		{stackconfig.PoPPublicClients, 200},
	} {
		t.Run(c.requiredFor, func(t *testing.T) {
			cfg := testStack(t)
			cfg.API.ProofOfPossession = &stackconfig.ProofOfPossessionConfig{Mechanism: "dpop", Required: true, RequiredFor: c.requiredFor}
			tn := devtenanttest.Start(t, cfg, devtenant.Options{})
			exchange := func() url.Values {
				return url.Values{"grant_type": {"authorization_code"}, "code": {code(t, tn)}, "redirect_uri": {"http://127.0.0.1:8080/callback"},
					"code_verifier": {verifier}, "client_id": {tn.ClientID("gateway")}, "client_secret": {tn.ClientSecret("gateway")}}
			}
			tr := postTokenDPoP(t, tn, exchange())
			require.Equal(t, c.unbound, tr.Status, tr.Description)
			if c.unbound == 400 {
				assert.Equal(t, "invalid_request", tr.Error)
				assert.Contains(t, tr.Description, "requires proof of possession")
			} else {
				assert.Equal(t, "Bearer", tr.TokenType)
			}
			key := must(t, dpop.NewKey)
			proof, err := key.Proof("POST", tn.TokenURL(), "", "")
			require.NoError(t, err)
			tr = postTokenDPoP(t, tn, exchange(), proof)
			require.Equal(t, 200, tr.Status, tr.Description)
			assert.Equal(t, "DPoP", tr.TokenType)
			assert.Equal(t, map[string]any{"jkt": key.Thumbprint()}, verify(t, tn, tr.AccessToken, tn.Audience())["cnf"])
		})
	}
}
