package dpop_test

import (
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/model-api-auth0/model-api-auth0/internal/callers/dpop"
)

// A server asking for a nonce gets the request again, body included, with
// a proof carrying it; the next request carries it from the start.
func TestTransportNonce(t *testing.T) {
	var seen []string // each request's proof nonce and body
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		parts := strings.Split(r.Header.Get("DPoP"), ".")
		require.Len(t, parts, 3)
		payload, _ := base64.RawURLEncoding.DecodeString(parts[1])
		var claims struct{ Nonce, ATH string }
		require.NoError(t, json.Unmarshal(payload, &claims))
		body, _ := io.ReadAll(r.Body)
		seen = append(seen, claims.Nonce+"|"+string(body))
		assert.NotEmpty(t, claims.ATH, "a proof for a DPoP token has ath")
		if claims.Nonce != "n1" {
			w.Header().Set("DPoP-Nonce", "n1")
			w.Header().Set("WWW-Authenticate", `DPoP error="use_dpop_nonce"`)
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		io.WriteString(w, "ok")
	}))
	defer srv.Close()
	key, err := dpop.NewKey()
	require.NoError(t, err)
	hc := &http.Client{Transport: &dpop.Transport{Key: key}}
	for range 2 {
		req, _ := http.NewRequest("POST", srv.URL+"/v1/chat/completions", strings.NewReader(`{"model":"m"}`))
		req.Header.Set("Authorization", "DPoP tok")
		resp, err := hc.Do(req)
		require.NoError(t, err)
		resp.Body.Close()
		assert.Equal(t, 200, resp.StatusCode)
	}
	assert.Equal(t, []string{`|{"model":"m"}`, `n1|{"model":"m"}`, `n1|{"model":"m"}`}, seen)
}

// A bearer token gets no proof: it would prove nothing.
func TestTransportLeavesBearerAlone(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		assert.Empty(t, r.Header.Get("DPoP"))
	}))
	defer srv.Close()
	key, err := dpop.NewKey()
	require.NoError(t, err)
	req, _ := http.NewRequest("GET", srv.URL, nil)
	req.Header.Set("Authorization", "Bearer tok")
	resp, err := (&http.Client{Transport: &dpop.Transport{Key: key}}).Do(req)
	require.NoError(t, err)
	resp.Body.Close()
}
