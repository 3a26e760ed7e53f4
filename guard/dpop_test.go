package guard_test

import (
	"encoding/json"
	"maps"
	"strings"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"

	"github.com/model-api-auth0/model-api-auth0/guard"
	"github.com/model-api-auth0/model-api-auth0/internal/callers/dpop"
)

// TestDPoPAttacks sends what someone holding a copied token, or a proof
// seen on the wire, could try; each must be refused with the DPoP
// challenge naming the error, and the valid cases must pass.
func TestDPoPAttacks(t *testing.T) {
	s := newDPoPSetup(t, nil)
	typ := map[jose.HeaderKey]any{jose.HeaderType: "dpop+jwt"}
	withJWK := func(k any) map[jose.HeaderKey]any {
		h := maps.Clone(typ)
		h["jwk"] = jose.JSONWebKey{Key: k}
		return h
	}
	other := newECKey()
	otherKey := must(dpop.FromPrivate(other))
	changed := func(k string, v any) map[string]any {
		c := s.claimsFor(s.token)
		c[k] = v
		return c
	}
	replayed := s.proof("GET", "/v1/models")
	if w := s.call(guard.Requirement{}, "GET", "/v1/models", "DPoP "+s.token, replayed); w.Code != 200 {
		t.Fatalf("first use of a proof: %d %s", w.Code, w.Body)
	}
	trailing := func() string { // a valid proof's claims, then more bytes after the JSON object
		signer := must(jose.NewSigner(jose.SigningKey{Algorithm: jose.ES256, Key: s.priv}, (&jose.SignerOptions{EmbedJWK: true}).WithType("dpop+jwt")))
		b := must(json.Marshal(s.claimsFor(s.token)))
		return must(must(signer.Sign(append(b, []byte(`{"htm":"POST"}`)...))).CompactSerialize())
	}()
	noneHeader := segment(map[string]any{"alg": "none", "typ": "dpop+jwt", "jwk": jose.JSONWebKey{Key: &s.priv.PublicKey}})
	unbound := s.iss.Token(nil)

	cases := []struct {
		name, auth string
		proofs     []string
		status     int
		code       string // error on the DPoP challenge
	}{
		{"valid", "DPoP " + s.token, []string{s.proof("GET", "/v1/models")}, 200, ""},
		{"scheme in lower case", "dpop " + s.token, []string{s.proof("GET", "/v1/models")}, 200, ""},
		{"htu with default port, other case and a query", "DPoP " + s.token, []string{forge(t, jose.ES256, s.priv, withJWK(&s.priv.PublicKey), changed("htu", "HTTPS://Models.Example.COM:443/v1/models?x=1#f"))}, 200, ""},
		{"replayed jti", "DPoP " + s.token, []string{replayed}, 401, "invalid_dpop_proof"},
		{"wrong htm", "DPoP " + s.token, []string{s.proof("POST", "/v1/models")}, 401, "invalid_dpop_proof"},
		{"wrong htu path", "DPoP " + s.token, []string{s.proof("GET", "/v1/chat/completions")}, 401, "invalid_dpop_proof"},
		{"wrong htu host", "DPoP " + s.token, []string{must(s.key.Proof("GET", "https://evil.example.com/v1/models", s.token, ""))}, 401, "invalid_dpop_proof"},
		{"htu over http", "DPoP " + s.token, []string{must(s.key.Proof("GET", "http://models.example.com/v1/models", s.token, ""))}, 401, "invalid_dpop_proof"},
		{"wrong ath", "DPoP " + s.token, []string{must(s.key.Proof("GET", publicURL+"/v1/models", "another-token", ""))}, 401, "invalid_dpop_proof"},
		{"no ath", "DPoP " + s.token, []string{must(s.key.Proof("GET", publicURL+"/v1/models", "", ""))}, 401, "invalid_dpop_proof"},
		{"expired iat", "DPoP " + s.token, []string{forge(t, jose.ES256, s.priv, withJWK(&s.priv.PublicKey), changed("iat", s.now.Add(-2*time.Minute).Unix()))}, 401, "invalid_dpop_proof"},
		{"future iat", "DPoP " + s.token, []string{forge(t, jose.ES256, s.priv, withJWK(&s.priv.PublicKey), changed("iat", s.now.Add(5*time.Minute).Unix()))}, 401, "invalid_dpop_proof"},
		{"iat as a string", "DPoP " + s.token, []string{forge(t, jose.ES256, s.priv, withJWK(&s.priv.PublicKey), changed("iat", "1767225600"))}, 401, "invalid_dpop_proof"},
		{"no jti", "DPoP " + s.token, []string{forge(t, jose.ES256, s.priv, withJWK(&s.priv.PublicKey), changed("jti", ""))}, 401, "invalid_dpop_proof"},
		{"signed by another key than its jwk", "DPoP " + s.token, []string{forge(t, jose.ES256, other, withJWK(&s.priv.PublicKey), s.claimsFor(s.token))}, 401, "invalid_dpop_proof"},
		{"key's thumbprint is not cnf.jkt", "DPoP " + s.token, []string{must(otherKey.Proof("GET", publicURL+"/v1/models", s.token, ""))}, 401, "invalid_dpop_proof"},
		{"alg none", "DPoP " + s.token, []string{noneHeader + "." + segment(s.claimsFor(s.token)) + "."}, 401, "invalid_dpop_proof"},
		{"HS256 with a jwk", "DPoP " + s.token, []string{forge(t, jose.HS256, []byte(strings.Repeat("k", 32)), withJWK(&s.priv.PublicKey), s.claimsFor(s.token))}, 401, "invalid_dpop_proof"},
		{"private key in the jwk", "DPoP " + s.token, []string{forge(t, jose.ES256, s.priv, withJWK(s.priv), s.claimsFor(s.token))}, 401, "invalid_dpop_proof"},
		{"bytes after the claims", "DPoP " + s.token, []string{trailing}, 401, "invalid_dpop_proof"},
		{"no jwk", "DPoP " + s.token, []string{forge(t, jose.ES256, s.priv, typ, s.claimsFor(s.token))}, 401, "invalid_dpop_proof"},
		{"typ JWT", "DPoP " + s.token, []string{forge(t, jose.ES256, s.priv, map[jose.HeaderKey]any{"typ": "JWT", "jwk": jose.JSONWebKey{Key: &s.priv.PublicKey}}, s.claimsFor(s.token))}, 401, "invalid_dpop_proof"},
		{"no DPoP header", "DPoP " + s.token, nil, 401, "invalid_dpop_proof"},
		{"two DPoP headers", "DPoP " + s.token, []string{s.proof("GET", "/v1/models"), s.proof("GET", "/v1/models")}, 401, "invalid_dpop_proof"},
		{"unbound token as DPoP", "DPoP " + unbound, []string{must(s.key.Proof("GET", publicURL+"/v1/models", unbound, ""))}, 401, "invalid_token"},
		{"bad token as DPoP", "DPoP " + s.token + "x", []string{s.proof("GET", "/v1/models")}, 401, "invalid_token"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			w := s.call(guard.Requirement{}, "GET", "/v1/models", c.auth, c.proofs...)
			if w.Code != c.status {
				t.Fatalf("status %d, want %d; body %s", w.Code, c.status, w.Body)
			}
			if c.status != 200 {
				checkChallenges(t, w.Header().Values("WWW-Authenticate"), "", c.code)
			}
		})
	}
}

// checkChallenges wants a Bearer challenge carrying bearerCode (unless
// bearerCode is "-": none at all) and a DPoP one carrying dpopCode.
func checkChallenges(t *testing.T, got []string, bearerCode, dpopCode string) {
	t.Helper()
	var bearer, dp string
	for _, c := range got {
		switch {
		case strings.HasPrefix(c, "Bearer "):
			bearer = c
		case strings.HasPrefix(c, "DPoP "):
			dp = c
		}
	}
	if !strings.HasPrefix(dp, `DPoP algs="ES256 ES384 ES512 PS256 PS384 PS512 RS256 EdDSA", realm="https://models.example.com/"`) {
		t.Errorf("DPoP challenge %q in %q", dp, got)
	}
	for _, ch := range []struct{ challenge, code string }{{bearer, bearerCode}, {dp, dpopCode}} {
		if ch.code == "-" {
			if ch.challenge != "" {
				t.Errorf("challenge %q, want none", ch.challenge)
			}
			continue
		}
		if ch.challenge == "" && ch.code != "-" {
			t.Errorf("no challenge in %q", got)
		}
		if has := strings.Contains(ch.challenge, "error="); has != (ch.code != "") || !strings.Contains(ch.challenge, `error="`+ch.code+`"`) && ch.code != "" {
			t.Errorf("challenge %q, want error %q", ch.challenge, ch.code)
		}
	}
}
