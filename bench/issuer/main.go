// Command issuer is the benchmark's stand-in for an Auth0 tenant: it makes
// an RSA key, serves its JWKS on loopback and writes one access token for
// the gateway under test to a file (never to its output).
//
//	issuer -listen 127.0.0.1:27187 -token-file DIR/token
//
// With -person-token-file it also writes a person's token (as a login
// gives it: sub auth0|..., azp the app, the -permissions in the permissions
// claim), which the gateway's per-person limits count.
//
// It is for bench/gateway.sh only: the key lives in memory and dies with
// the process.
package main

import (
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"math/big"
	"net"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

const kid = "bench-key-1"

func main() {
	listen := flag.String("listen", "127.0.0.1:0", "address to serve the JWKS on (loopback)")
	issuer := flag.String("issuer", "https://bench-tenant.invalid/", "iss of the token; never resolved, the gateway gets -jwks-url")
	audience := flag.String("audience", "https://models.bench.invalid/", "aud of the token")
	scope := flag.String("scope", "read:models invoke:models", "scope claim of the token")
	org := flag.String("org", "org_bench", "org_id claim of the token, so that organization limits apply; empty: none")
	tokenFile := flag.String("token-file", "", "file to write the access token to (mode 0600)")
	personFile := flag.String("person-token-file", "", "file to write a person's access token to (mode 0600); empty: none")
	permissions := flag.String("permissions", "read:models invoke:models", "permissions claim of the person's token, space-separated (model:NAME for each model)")
	lifetime := flag.Duration("lifetime", 2*time.Hour, "token lifetime")
	flag.Parse()
	if err := run(*listen, *issuer, *audience, *scope, *org, *tokenFile, *personFile, *permissions, *lifetime); err != nil {
		fmt.Fprintln(os.Stderr, "issuer:", err)
		os.Exit(1)
	}
}

func run(listen, issuer, audience, scope, org, tokenFile, personFile, permissions string, lifetime time.Duration) error {
	var problems []error
	if tokenFile == "" {
		problems = append(problems, errors.New("-token-file is required: the token is never printed"))
	}
	if host, _, err := net.SplitHostPort(listen); err != nil || !isLoopback(host) {
		problems = append(problems, fmt.Errorf("-listen %q: want a loopback address such as 127.0.0.1:27187", listen))
	}
	if !strings.HasSuffix(issuer, "/") {
		problems = append(problems, fmt.Errorf("-issuer %q: want a URL ending in /, as Auth0 issues them", issuer))
	}
	if err := errors.Join(problems...); err != nil {
		return err
	}

	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return err
	}
	now := time.Now()
	sign := func(file string, claims jwt.MapClaims) error {
		claims["iss"], claims["aud"] = issuer, audience
		claims["iat"], claims["exp"] = now.Unix(), now.Add(lifetime).Unix()
		if org != "" {
			claims["org_id"] = org
		}
		tok := jwt.NewWithClaims(jwt.SigningMethodRS256, claims)
		tok.Header["kid"] = kid
		signed, err := tok.SignedString(key)
		if err != nil {
			return err
		}
		return os.WriteFile(file, []byte(signed), 0o600)
	}
	if err := sign(tokenFile, jwt.MapClaims{
		"sub": "bench-client@clients", "azp": "bench-client", "gty": "client-credentials", "scope": scope,
	}); err != nil {
		return err
	}
	if personFile != "" {
		if err := sign(personFile, jwt.MapClaims{
			"sub": "auth0|bench-person", "azp": "bench-client", "scope": "openid",
			"permissions": strings.Fields(permissions),
		}); err != nil {
			return err
		}
	}
	jwks, err := json.Marshal(map[string]any{"keys": []any{map[string]any{
		"kty": "RSA", "use": "sig", "alg": "RS256", "kid": kid,
		"n": base64.RawURLEncoding.EncodeToString(key.N.Bytes()),
		"e": base64.RawURLEncoding.EncodeToString(big.NewInt(int64(key.E)).Bytes()),
	}}})
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", listen)
	if err != nil {
		return err
	}
	fmt.Printf("issuer: JWKS at http://%s/.well-known/jwks.json\n", ln.Addr())
	mux := http.NewServeMux()
	mux.HandleFunc("GET /.well-known/jwks.json", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write(jwks)
	})
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	return srv.Serve(ln)
}

func isLoopback(host string) bool {
	ip := net.ParseIP(host)
	return host == "localhost" || (ip != nil && ip.IsLoopback())
}
