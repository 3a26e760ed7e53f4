// Command jwtmw is a row of the benchmark table: the same bare
// httputil.ReverseProxy as bench/bareproxy, behind Auth0's
// go-jwt-middleware v3 (RS256, issuer, audience, JWKS from loopback). It is
// its own module so that the project's go.mod does not carry a library
// only the benchmark uses.
//
//	jwtmw -listen 127.0.0.1:27186 -upstream http://127.0.0.1:27181 \
//	  -issuer https://bench-tenant.invalid/ -audience https://models.bench.invalid/ \
//	  -jwks-url http://127.0.0.1:27187/.well-known/jwks.json
package main

import (
	"flag"
	"fmt"
	"net/http"
	"net/http/httputil"
	"net/url"
	"os"
	"time"

	jwtmiddleware "github.com/auth0/go-jwt-middleware/v3"
	"github.com/auth0/go-jwt-middleware/v3/jwks"
	"github.com/auth0/go-jwt-middleware/v3/validator"
)

func main() {
	listen := flag.String("listen", "127.0.0.1:27186", "listen address")
	upstream := flag.String("upstream", "http://127.0.0.1:27181", "upstream base URL")
	issuer := flag.String("issuer", "https://bench-tenant.invalid/", "token issuer")
	audience := flag.String("audience", "https://models.bench.invalid/", "API identifier")
	jwksURL := flag.String("jwks-url", "", "JWKS URL on loopback")
	idle := flag.Int("idle-per-host", 0, "idle upstream connections kept per host; 0 keeps http.DefaultTransport (2)")
	flag.Parse()
	if err := run(*listen, *upstream, *issuer, *audience, *jwksURL, *idle); err != nil {
		fmt.Fprintln(os.Stderr, "jwtmw:", err)
		os.Exit(1)
	}
}

func run(listen, upstream, issuer, audience, jwksURL string, idle int) error {
	up, err := url.Parse(upstream)
	if err != nil || up.Host == "" {
		return fmt.Errorf("-upstream %q: want a base URL such as http://127.0.0.1:27181", upstream)
	}
	iss, err := url.Parse(issuer)
	if err != nil {
		return fmt.Errorf("-issuer %q: %w", issuer, err)
	}
	keys, err := url.Parse(jwksURL)
	if err != nil || keys.Host == "" {
		return fmt.Errorf("-jwks-url %q: want the issuer's JWKS URL on loopback", jwksURL)
	}
	provider, err := jwks.NewCachingProvider(jwks.WithIssuerURL(iss), jwks.WithCustomJWKSURI(keys))
	if err != nil {
		return err
	}
	v, err := validator.New(
		validator.WithKeyFunc(provider.KeyFunc),
		validator.WithAlgorithm(validator.RS256),
		validator.WithIssuer(issuer),
		validator.WithAudience(audience),
	)
	if err != nil {
		return err
	}
	mw, err := jwtmiddleware.New(jwtmiddleware.WithValidator(v))
	if err != nil {
		return err
	}
	proxy := &httputil.ReverseProxy{Rewrite: func(pr *httputil.ProxyRequest) {
		pr.SetURL(up)
		pr.SetXForwarded()
		pr.Out.Header.Del("Authorization")
	}}
	if idle > 0 {
		t := http.DefaultTransport.(*http.Transport).Clone()
		t.MaxIdleConns, t.MaxIdleConnsPerHost = idle, idle
		proxy.Transport = t
	}
	srv := &http.Server{Addr: listen, Handler: mw.CheckJWT(proxy), ReadHeaderTimeout: 10 * time.Second}
	return srv.ListenAndServe()
}
