package websession_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/model-api-auth0/model-api-auth0/guard"
	"github.com/model-api-auth0/model-api-auth0/internal/callers/dpop"
	"github.com/model-api-auth0/model-api-auth0/internal/gateway/proxy"
	"github.com/model-api-auth0/model-api-auth0/internal/gateway/redisurl"
	"github.com/model-api-auth0/model-api-auth0/internal/gateway/websession"
	"github.com/model-api-auth0/model-api-auth0/internal/testing/redistest"
)

// A session's tokens are bound to a key of the session's own when the
// gateway takes DPoP, and stay bearer tokens when it does not. Its calls
// pass the guard (with the guard's nonces, and through a tenant that asks
// for one at the token endpoint); a refresh stays bound to the same key;
// the token copied out of the session store is refused as Bearer, without
// a proof, and with a proof of another key.
func TestDPoPSessions(t *testing.T) {
	for _, c := range []struct {
		name  string
		o     options
		bound bool
	}{
		{"disabled: bearer sessions as before", options{}, false},
		{"allowed", options{dpop: guard.DPoPAllowed}, true},
		{"required, of all clients by the tenant too", options{dpop: guard.DPoPRequired}, true},
		{"required, with the guard's and the tenant's nonces", options{dpop: guard.DPoPRequired, guardNonces: true, tenantNonce: "tenant-nonce-1"}, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			c.o.offline = true
			s := newStack(t, c.o)
			b := s.browser(t)
			b.login(s.url(), bob, "globex")
			call := func() {
				t.Helper()
				r := b.get(s.url() + "/api/messages/protected")
				require.Equal(t, http.StatusOK, r.StatusCode, r.message())
				models := b.get(s.url() + "/v1/models")
				require.Equal(t, http.StatusOK, models.StatusCode, models.message())
				seen := s.upstream.last()
				assert.Equal(t, s.dt.UserID(bob), seen.Get(proxy.HeaderSubject))
				assert.Empty(t, seen.Get("Authorization")+seen.Get("DPoP"), "the upstream sees neither the token nor the proof")
			}
			call()
			token, tokenType, jkt := sessionToken(t, s, 0, b)
			if !c.bound {
				assert.True(t, strings.EqualFold(tokenType, "Bearer"), "token_type %q", tokenType)
				assert.Empty(t, jkt, "no key")
				assert.Nil(t, cnf(t, token), "an unbound token")
				assert.Equal(t, http.StatusOK, bearer(t, s.url()+"/api/messages/protected", token).StatusCode, "a bearer session's token is a bearer token")
				return
			}
			require.Equal(t, "DPoP", tokenType)
			require.NotEmpty(t, jkt)
			assert.Equal(t, map[string]any{"jkt": jkt}, cnf(t, token), "bound to the session's key")
			if c.o.tenantNonce != "" {
				assert.EqualValues(t, 1, s.nonceAsked.Load(), "asked once; the nonce is then sent")
			}
			stolen(t, s.url(), token)

			s.clock.Advance(time.Hour - 30*time.Second) // within the refresh margin
			call()
			assert.EqualValues(t, 1, s.refreshes.Load(), "renewed")
			renewed, renewedType, renewedJKT := sessionToken(t, s, 0, b)
			assert.NotEqual(t, token, renewed)
			assert.Equal(t, "DPoP", renewedType)
			assert.Equal(t, jkt, renewedJKT, "the same key")
			assert.Equal(t, map[string]any{"jkt": jkt}, cnf(t, renewed), "the renewed token is bound to it")
			stolen(t, s.url(), renewed)
		})
	}
}

// Two replicas sharing Redis serve one DPoP session: the key travels in the
// sealed record, so the replica that did not log the person in signs the
// proofs and renews the tokens with it.
func TestDPoPSessionAcrossReplicas(t *testing.T) {
	srv := redistest.Start(t)
	client, err := redisurl.Client(srv.URL)
	require.NoError(t, err)
	s := newStack(t, options{dpop: guard.DPoPRequired, redis: client, replicas: 2, offline: true})
	b := s.browser(t)
	b.login(s.gateways[0].URL, alice, "acme")
	other := s.gateways[1].URL
	r := b.get(other + "/api/messages/admin") // the cookie is the host's: both replicas get it
	require.Equal(t, http.StatusOK, r.StatusCode, r.message())
	_, _, jkt := sessionToken(t, s, 1, b)
	require.NotEmpty(t, jkt)

	s.clock.Advance(time.Hour - 30*time.Second)
	r = b.get(other + "/api/messages/admin")
	require.Equal(t, http.StatusOK, r.StatusCode, r.message())
	assert.EqualValues(t, 1, s.refreshes.Load(), "renewed at the other replica")
	token, tokenType, renewedJKT := sessionToken(t, s, 0, b)
	assert.Equal(t, "DPoP", tokenType)
	assert.Equal(t, jkt, renewedJKT)
	assert.Equal(t, map[string]any{"jkt": jkt}, cnf(t, token))
	r = b.get(s.gateways[0].URL + "/api/messages/admin")
	assert.Equal(t, http.StatusOK, r.StatusCode, r.message())
}

// sessionToken is what replica i's store holds for b's session.
func sessionToken(t *testing.T, s *stack, i int, b *browser) (token, tokenType, jkt string) {
	t.Helper()
	token, tokenType, jkt, err := websession.SessionToken(context.Background(), s.webs[i], b.cookie(s.gateways[i].URL).Value)
	require.NoError(t, err)
	return token, tokenType, jkt
}

// cnf is the cnf claim of a JWT, unverified (nil: none).
func cnf(t *testing.T, token string) any {
	t.Helper()
	parts := strings.Split(token, ".")
	require.Len(t, parts, 3)
	b, err := base64.RawURLEncoding.DecodeString(parts[1])
	require.NoError(t, err)
	var claims map[string]any
	require.NoError(t, json.Unmarshal(b, &claims))
	return claims["cnf"]
}

// bearer calls target with token as a bearer token, no cookie.
func bearer(t *testing.T, target, token string, headers ...string) *http.Response {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, target, nil)
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+token)
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	return resp
}

// stolen tries a session's token as whoever copied it out of the store
// would, without the session's key: each is refused.
func stolen(t *testing.T, gateway, token string) {
	t.Helper()
	target := gateway + "/api/messages/protected"
	thief, err := dpop.NewKey()
	require.NoError(t, err)
	proof, err := thief.Proof(http.MethodGet, target, token, "")
	require.NoError(t, err)
	for name, headers := range map[string][]string{
		"as Bearer":                 {"Authorization", "Bearer " + token},
		"as DPoP without a proof":   {"Authorization", "DPoP " + token},
		"with another key's proof":  {"Authorization", "DPoP " + token, "DPoP", proof},
		"as Bearer with that proof": {"Authorization", "Bearer " + token, "DPoP", proof},
	} {
		resp := bearer(t, target, token, headers...)
		assert.Equal(t, http.StatusUnauthorized, resp.StatusCode, name)
	}
}
