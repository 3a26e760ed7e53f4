package guard_test

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/model-api-auth0/model-api-auth0/guard"
)

// The API identifier of the examples: the stack output audience.
const audience = "https://models.example.com/"

// fakeTenant stands in for an Auth0 tenant in the examples: an RSA key, its
// JWKS served on loopback (the one place guard accepts http), and access
// tokens signed with it as the tenant signs them.
type fakeTenant struct {
	*httptest.Server
	key *rsa.PrivateKey
}

func newTenant() *fakeTenant {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		panic(err)
	}
	n := base64.RawURLEncoding.EncodeToString(key.N.Bytes())
	jwks := fmt.Sprintf(`{"keys":[{"kty":"RSA","use":"sig","alg":"RS256","kid":"k1","n":%q,"e":"AQAB"}]}`, n)
	return &fakeTenant{Server: httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, jwks)
	})), key: key}
}

// config is what a service sets from the stack outputs (issuer, audience,
// jwksUri); with a real tenant, Domain alone derives the other two.
func (t *fakeTenant) config() guard.Config {
	return guard.Config{Issuer: t.URL + "/", Audience: audience, JWKSURL: t.URL + "/.well-known/jwks.json",
		Logger: slog.New(slog.DiscardHandler)} // the examples' denials are not logged
}

// token is an M2M client's access token with these scopes, for the
// organization orgID unless it is empty.
func (t *fakeTenant) token(scope, orgID string) string {
	now := time.Now()
	claims := jwt.MapClaims{"iss": t.URL + "/", "aud": audience, "sub": "batch-scorer@clients", "azp": "batch-scorer",
		"scope": scope, "iat": now.Unix(), "exp": now.Add(time.Hour).Unix()}
	if orgID != "" {
		claims["org_id"] = orgID
	}
	tok := jwt.NewWithClaims(jwt.SigningMethodRS256, claims)
	tok.Header["kid"] = "k1"
	signed, err := tok.SignedString(t.key)
	if err != nil {
		panic(err)
	}
	return signed
}

// A Validator fetches the tenant's keys once, then checks tokens on its own.
func ExampleNew() {
	tenant := newTenant()
	defer tenant.Close()
	ctx, stop := context.WithCancel(context.Background())
	defer stop() // stops the background refresh of the keys

	v, err := guard.New(ctx, tenant.config())
	if err != nil {
		fmt.Println(err)
		return
	}
	id, err := v.Validate(ctx, tenant.token("read:models invoke:models", "org_acme"))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(id.Subject, id.OrgID, id.Scopes)
	_, err = v.Validate(ctx, tenant.token("read:models", "")+"x") // altered on the way
	fmt.Println(errors.Is(err, guard.ErrInvalidToken))
	// Output:
	// batch-scorer@clients org_acme [read:models invoke:models]
	// true
}

// Require puts a Requirement in front of a handler: a request without a
// valid token gets 401, one whose token lacks the scope 403, both with the
// WWW-Authenticate challenge of RFC 6750; the handler finds the caller in
// the request's context.
func ExampleValidator_Require() {
	tenant := newTenant()
	defer tenant.Close()
	ctx, stop := context.WithCancel(context.Background())
	defer stop()
	v, err := guard.New(ctx, tenant.config())
	if err != nil {
		fmt.Println(err)
		return
	}

	mux := http.NewServeMux()
	invoke := v.Require(guard.Requirement{AllOf: []string{"invoke:models"}})
	mux.Handle("POST /v1/chat/completions", invoke(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id, _ := guard.IdentityFrom(r.Context())
		fmt.Fprintf(w, "hello, %s", id.ClientID)
	})))

	for _, token := range []string{"", tenant.token("read:models", ""), tenant.token("invoke:models", "")} {
		r := httptest.NewRequest("POST", "/v1/chat/completions", nil)
		if token != "" {
			r.Header.Set("Authorization", "Bearer "+token)
		}
		w := httptest.NewRecorder()
		mux.ServeHTTP(w, r)
		fmt.Println(w.Code, strings.TrimSpace(w.Body.String()))
		if challenge := w.Header().Get("WWW-Authenticate"); challenge != "" {
			fmt.Println("  WWW-Authenticate:", challenge)
		}
	}
	// Output:
	// 401 {"message":"a bearer token is required"}
	//   WWW-Authenticate: Bearer realm="https://models.example.com/", scope="invoke:models"
	// 403 {"message":"insufficient scope: needs invoke:models"}
	//   WWW-Authenticate: Bearer realm="https://models.example.com/", error="insufficient_scope", error_description="insufficient scope: needs invoke:models", scope="invoke:models"
	// 200 hello, batch-scorer
}

// A Requirement is checked against the identity of a valid token: scopes
// and RBAC permissions count alike, and Orgs limits the organizations.
func ExampleRequirement_Check() {
	id := &guard.Identity{Subject: "auth0|alice", OrgID: "org_acme", Permissions: []string{"read:models", "invoke:models"}}
	for _, req := range []guard.Requirement{
		{AllOf: []string{"invoke:models"}},
		{AnyOf: []string{"read:admin-messages", "manage:models"}},
		{AllOf: []string{"read:models"}, Orgs: []string{"org_globex"}},
		{AllOf: []string{"read:models"}, RequireOrg: true},
	} {
		fmt.Println(req.Check(id))
	}
	// Output:
	// <nil>
	// insufficient scope: needs one of read:admin-messages, manage:models
	// organization not allowed: organization "org_acme" may not call this route
	// <nil>
}

// Validate reports every problem of a configuration at once, before
// anything is fetched.
func ExampleConfig_Validate() {
	err := guard.Config{Domain: "https://example.us.auth0.com", SigningAlg: "HS256"}.Validate()
	fmt.Println(err)
	// Output:
	// guard: domain "https://example.us.auth0.com": want the tenant host, such as example.us.auth0.com (AUTH0_DOMAIN)
	// guard: audience is empty: set it to the API identifier, the stack output `audience` (AUTH0_AUDIENCE)
	// guard: signing algorithm "HS256": want RS256 or PS256, the API's signingAlg in the stack (AUTH0_SIGNING_ALG)
}
