package devtenant_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"testing"

	"github.com/MicahParks/keyfunc/v3"
	"github.com/golang-jwt/jwt/v5"
	"github.com/stretchr/testify/require"

	"github.com/model-api-auth0/model-api-auth0/internal/dev/devtenant"
	"github.com/model-api-auth0/model-api-auth0/internal/dev/devtenant/devtenanttest"
	"github.com/model-api-auth0/model-api-auth0/internal/tenant/stackconfig"
)

// testStack is testdata/Pulumi.test.yaml: every organization and grant case.
func testStack(t testing.TB) *stackconfig.Config {
	t.Helper()
	cfg, _, err := devtenant.LoadStack(filepath.Join(devtenanttest.RepoRoot(t), "Pulumi.yaml"), "testdata/Pulumi.test.yaml", devtenanttest.Password)
	require.NoError(t, err)
	return cfg
}

func startTest(t testing.TB, opts devtenant.Options) *devtenant.Tenant {
	t.Helper()
	return devtenanttest.Start(t, testStack(t), opts)
}

// tokenResponse is /oauth/token's answer, success or error.
type tokenResponse struct {
	Status       int
	AccessToken  string `json:"access_token"`
	IDToken      string `json:"id_token"`
	RefreshToken string `json:"refresh_token"`
	Scope        string `json:"scope"`
	ExpiresIn    int    `json:"expires_in"`
	TokenType    string `json:"token_type"`
	Error        string `json:"error"`
	Description  string `json:"error_description"`
}

func postToken(t testing.TB, tn *devtenant.Tenant, form url.Values) tokenResponse {
	t.Helper()
	resp, err := http.PostForm(tn.TokenURL(), form)
	require.NoError(t, err)
	defer resp.Body.Close()
	var tr tokenResponse
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&tr))
	tr.Status = resp.StatusCode
	require.Equal(t, "no-store", resp.Header.Get("Cache-Control"))
	return tr
}

func m2mForm(tn *devtenant.Tenant, client string, extra ...string) url.Values {
	f := url.Values{"grant_type": {"client_credentials"}, "client_id": {tn.ClientID(client)},
		"client_secret": {tn.ClientSecret(client)}, "audience": {tn.Audience()}}
	for i := 0; i+1 < len(extra); i += 2 {
		f.Set(extra[i], extra[i+1])
	}
	return f
}

// verify checks a token's signature with the tenant's published keys and
// its issuer and audience, and returns its claims.
func verify(t testing.TB, tn *devtenant.Tenant, token, audience string) jwt.MapClaims {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	k, err := keyfunc.NewDefaultCtx(ctx, []string{tn.JWKSURL()})
	require.NoError(t, err)
	claims := jwt.MapClaims{}
	_, err = jwt.ParseWithClaims(token, claims, k.Keyfunc, jwt.WithIssuer(tn.Issuer()), jwt.WithAudience(audience),
		jwt.WithExpirationRequired(), jwt.WithIssuedAt(), jwt.WithValidMethods([]string{"RS256", "PS256"}))
	require.NoError(t, err)
	return claims
}

func strs(v any) []string {
	out := []string{}
	switch v := v.(type) {
	case string:
		out = strings.Fields(v)
	case []any:
		for _, x := range v {
			out = append(out, x.(string))
		}
	}
	return out
}

func jsonDecode(resp *http.Response, v any) error { return json.NewDecoder(resp.Body).Decode(v) }
