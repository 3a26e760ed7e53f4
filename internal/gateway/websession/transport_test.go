package websession_test

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/golang-jwt/jwt/v5"
	"github.com/stretchr/testify/require"

	"github.com/model-api-auth0/model-api-auth0/internal/testing/testissuer"
)

// tenantTransport is the gateway's way to the tenant. It counts refresh
// grants, can hold them, keeps the refresh tokens the tenant issues, and
// can rewrite the ID token the token endpoint returns (re-signed with the
// tenant's key), to play a tenant that issues a wrong one.
type tenantTransport struct {
	s *stack
	o options
}

func (tt *tenantTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	isToken := r.Method == http.MethodPost && r.URL.Path == "/oauth/token"
	var grant string
	if isToken && tt.o.tenantNonce != "" && proofNonce(r.Header.Get("DPoP")) != tt.o.tenantNonce {
		tt.s.nonceAsked.Add(1)
		return &http.Response{StatusCode: http.StatusBadRequest, Request: r,
			Header: http.Header{"Content-Type": {"application/json"}, "Dpop-Nonce": {tt.o.tenantNonce}},
			Body:   io.NopCloser(strings.NewReader(`{"error":"use_dpop_nonce","error_description":"Authorization server requires nonce in DPoP proof"}`))}, nil
	}
	if isToken && r.Body != nil {
		body, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(body))
		form, _ := url.ParseQuery(string(body))
		if grant = form.Get("grant_type"); grant == "authorization_code" {
			tt.s.codes.Add(1)
			if tt.o.holdCode != nil {
				<-tt.o.holdCode
			}
		} else if grant == "refresh_token" {
			tt.s.refreshes.Add(1)
			if tt.o.holdRefresh != nil {
				<-tt.o.holdRefresh
			}
			if tt.o.refuseRefresh {
				return &http.Response{StatusCode: http.StatusBadRequest, Header: http.Header{"Content-Type": {"application/json"}}, Request: r,
					Body: io.NopCloser(strings.NewReader(`{"error":"invalid_grant","error_description":"revoked"}`))}, nil
			}
		}
	}
	resp, err := http.DefaultTransport.RoundTrip(r)
	if err != nil || !isToken || resp.StatusCode != http.StatusOK {
		return resp, err
	}
	if grant == "refresh_token" && tt.s.late.Add(1) <= tt.o.lateRefreshes {
		<-r.Context().Done() // rotated at the tenant; the answer arrives as the gateway stops waiting
	}
	var body map[string]any
	json.NewDecoder(resp.Body).Decode(&body)
	resp.Body.Close()
	if rt, ok := body["refresh_token"].(string); ok {
		tt.s.issued(rt)
	}
	if raw, ok := body["id_token"].(string); ok && tt.o.idToken != nil {
		claims := jwt.MapClaims{}
		parsed, _, err := jwt.NewParser().ParseUnverified(raw, claims)
		if err != nil {
			return nil, err
		}
		tt.o.idToken(claims)
		forged := jwt.NewWithClaims(jwt.SigningMethodRS256, claims)
		forged.Header["kid"] = parsed.Header["kid"]
		if body["id_token"], err = forged.SignedString(testissuer.NewKey(0)); err != nil {
			return nil, err
		}
	}
	b, _ := json.Marshal(body)
	resp.Body = io.NopCloser(bytes.NewReader(b))
	resp.ContentLength = int64(len(b))
	resp.Header.Del("Content-Length")
	return resp, nil
}

// issued keeps a refresh token the tenant issued to the gateway.
func (s *stack) issued(rt string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.refreshTokens = append(s.refreshTokens, rt)
}

// lastRefreshToken is the refresh token the tenant issued last.
func (s *stack) lastRefreshToken() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.refreshTokens) == 0 {
		return ""
	}
	return s.refreshTokens[len(s.refreshTokens)-1]
}

// redeem uses refresh token rt at the tenant as the gateway would, and
// returns the tenant's status and error code.
func (s *stack) redeem(t testing.TB, rt string) (int, string) {
	t.Helper()
	resp, err := http.PostForm(s.dt.TokenURL(), url.Values{"grant_type": {"refresh_token"}, "refresh_token": {rt},
		"client_id": {s.dt.ClientID(s.dt.WebAppName())}, "client_secret": {s.dt.ClientSecret(s.dt.WebAppName())}})
	require.NoError(t, err)
	defer resp.Body.Close()
	var answer struct{ Error string }
	json.NewDecoder(resp.Body).Decode(&answer)
	return resp.StatusCode, answer.Error
}

// proofNonce is the nonce claim of a DPoP proof ("" if none, or no proof).
func proofNonce(proof string) string {
	var claims struct{ Nonce string }
	if parts := strings.Split(proof, "."); len(parts) == 3 {
		b, _ := base64.RawURLEncoding.DecodeString(parts[1])
		json.Unmarshal(b, &claims)
	}
	return claims.Nonce
}
