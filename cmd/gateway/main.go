// Command gateway enforces the tenant's tokens in front of a model server
// (vLLM, TGI, Ollama, any OpenAI-compatible server):
//
//	gateway -stack-outputs outputs.json -upstream http://127.0.0.1:8000
//	AUTH0_DOMAIN=t.us.auth0.com AUTH0_AUDIENCE=https://api.example.com/ UPSTREAM_URL=http://127.0.0.1:8000 gateway
//
// Flags win over the environment, which wins over the stack outputs
// (`pulumi stack output --json > outputs.json`). Bad configuration stops it
// at start with every problem listed.
package main

import (
	"cmp"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/model-api-auth0/model-api-auth0/guard"
	"github.com/model-api-auth0/model-api-auth0/internal/gateway/limits"
	"github.com/model-api-auth0/model-api-auth0/internal/gateway/proxy"
	"github.com/model-api-auth0/model-api-auth0/internal/tenant/stackoutputs"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.LookupEnv, os.Stderr, nil); err != nil {
		fmt.Fprintln(os.Stderr, "gateway:", err)
		os.Exit(1)
	}
}

// settings is the gateway's configuration once flags, environment and stack
// outputs are merged.
type settings struct {
	domain, audience, issuer, jwksURL, upstream, listen, routesFile, outputsFile string
	requireOrg                                                                   bool
	orgs                                                                         string
	// Limits, metrics, discovery (extras.go).
	redisURL, limitsFailMode, metricsListen, publicURL string
	limitsLease                                        string // a duration, read by setUpExtras
	pprof                                              bool

	// Hardening: the signing algorithm and what one client may hold.
	signingAlg string
	server     proxy.ServerConfig

	login loginSettings // people's login (login.go)
	dev   devSettings   // -dev (dev.go)
	log   logSettings   // the access log's buffer (logging.go)
	gc    gcSettings    // the garbage collector (gc.go)
}

func parse(args []string, env func(string) (string, bool), stderr io.Writer) (*settings, error) {
	getenv := func(k, def string) string {
		if v, ok := env(k); ok && v != "" {
			return v
		}
		return def
	}
	s := &settings{}
	fs := flag.NewFlagSet("gateway", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&s.outputsFile, "stack-outputs", getenv("STACK_OUTPUTS", ""), "file written by `pulumi stack output --json` (env STACK_OUTPUTS)")
	fs.StringVar(&s.domain, "domain", getenv("AUTH0_DOMAIN", ""), "tenant domain (env AUTH0_DOMAIN)")
	fs.StringVar(&s.audience, "audience", getenv("AUTH0_AUDIENCE", ""), "API identifier (env AUTH0_AUDIENCE)")
	fs.StringVar(&s.issuer, "issuer", getenv("AUTH0_ISSUER", ""), "token issuer; default https://DOMAIN/ (env AUTH0_ISSUER)")
	fs.StringVar(&s.jwksURL, "jwks-url", getenv("AUTH0_JWKS_URL", ""), "JWKS URL; default ISSUER.well-known/jwks.json (env AUTH0_JWKS_URL)")
	fs.StringVar(&s.upstream, "upstream", getenv("UPSTREAM_URL", ""), "model server base URL (env UPSTREAM_URL)")
	fs.StringVar(&s.listen, "listen", getenv("LISTEN_ADDR", ":8080"), "listen address (env LISTEN_ADDR)")
	fs.StringVar(&s.routesFile, "routes", getenv("ROUTES_FILE", ""), "routes file (env ROUTES_FILE); default: OpenAI-compatible routes")
	fs.BoolVar(&s.requireOrg, "require-org", false, "refuse tokens not issued for an organization on proxied routes")
	fs.StringVar(&s.orgs, "orgs", getenv("ALLOWED_ORGS", ""), "comma-separated organization IDs allowed on proxied routes (env ALLOWED_ORGS)")
	fs.StringVar(&s.redisURL, "redis", getenv("REDIS_URL", ""), "redis:// URL shared by every gateway process, for limits and sessions (env REDIS_URL); default: limits in memory")
	fs.StringVar(&s.limitsFailMode, "limits-fail-mode", getenv("LIMITS_FAIL_MODE", proxy.FailClosed), "when Redis fails: closed (503) or open (requests pass unlimited) (env LIMITS_FAIL_MODE)")
	fs.StringVar(&s.limitsLease, "limits-lease", getenv("LIMITS_LEASE", defaultLimitsLease.String()), "with -redis, how long a gateway process keeps a busy caller's requests and budgets taken from Redis, to go there once per lease rather than per request; 0: every request goes to Redis (env LIMITS_LEASE)")
	fs.StringVar(&s.metricsListen, "metrics-listen", getenv("METRICS_LISTEN", ""), "address of the Prometheus /metrics listener, such as 127.0.0.1:9090 (env METRICS_LISTEN); default: off")
	fs.BoolVar(&s.pprof, "pprof", false, "serve Go's profiles (CPU, heap, goroutines) at /debug/pprof/ on the metrics listener too; needs -metrics-listen")
	fs.StringVar(&s.publicURL, "public-url", getenv("PUBLIC_URL", ""), "the gateway's external base URL, for the RFC 9728 metadata agents read (env PUBLIC_URL); default: not served")
	fs.StringVar(&s.signingAlg, "signing-alg", getenv("AUTH0_SIGNING_ALG", ""), "the API's token signing algorithm, RS256 (default) or PS256: the stack's api.signingAlg (env AUTH0_SIGNING_ALG)")
	fs.DurationVar(&s.server.ReadHeaderTimeout, "read-header-timeout", proxy.DefaultReadHeaderTimeout, "time allowed to read a request's headers")
	fs.DurationVar(&s.server.ReadTimeout, "read-timeout", proxy.DefaultReadTimeout, "time allowed to read a request's body")
	fs.DurationVar(&s.server.WriteTimeout, "write-timeout", proxy.DefaultWriteTimeout, "time allowed for each write of a response (a stream that makes progress is never cut)")
	fs.DurationVar(&s.server.IdleTimeout, "idle-timeout", proxy.DefaultIdleTimeout, "time a keep-alive connection may wait for its next request")
	fs.IntVar(&s.server.MaxConns, "max-conns", proxy.DefaultMaxConns, "most connections open at once; more wait to be accepted")
	s.login.register(fs, getenv)
	s.dev.register(fs)
	s.log.register(fs)
	s.gc.register(fs, getenv)
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	s.dev.checkFlags(fs)
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	if s.outputsFile != "" {
		out, err := stackoutputs.Load(s.outputsFile)
		if err != nil {
			return nil, err
		}
		s.domain = cmp.Or(s.domain, out.TenantDomain)
		s.audience = cmp.Or(s.audience, out.Audience)
		s.issuer = cmp.Or(s.issuer, out.Issuer)
		s.jwksURL = cmp.Or(s.jwksURL, out.JWKSURI)
		s.signingAlg = cmp.Or(s.signingAlg, out.SigningAlg)
	}
	return s, nil
}

// run serves until ctx is done, then shuts down gracefully. ready, if not
// nil, receives the listening address.
func run(ctx context.Context, args []string, env func(string) (string, bool), stderr io.Writer, ready chan<- string) error {
	s, err := parse(args, env, stderr)
	if err != nil {
		return err
	}
	logger, flushLog := s.log.logger(stderr)
	defer flushLog() // after the shutdown below: every access log line is out
	if s.dev.on {
		devEnv, stopDev, err := s.dev.start(s, env, stderr) // dev.go
		if err != nil {
			return err
		}
		defer stopDev()
		env = devEnv
	}

	var problems []error
	upstream, err := url.Parse(s.upstream)
	if s.upstream == "" || err != nil {
		problems = append(problems, fmt.Errorf("upstream %q: set -upstream or UPSTREAM_URL to the model server, such as http://127.0.0.1:8000", s.upstream))
		upstream = nil
	}
	routes := proxy.DefaultRoutes()
	var policies *limits.Policies
	if s.routesFile != "" {
		if rf, err := proxy.LoadRoutesFile(s.routesFile); err != nil {
			problems = append(problems, err)
		} else {
			routes, policies = rf.Routes, rf.Limits
		}
	}
	for i := range routes {
		routes[i].RequireOrg = routes[i].RequireOrg || s.requireOrg
		if s.orgs != "" {
			routes[i].Orgs = append(routes[i].Orgs, strings.Split(s.orgs, ",")...)
		}
	}
	guardConfig := guard.Config{Domain: s.domain, Audience: s.audience, Issuer: s.issuer, JWKSURL: s.jwksURL, SigningAlg: s.signingAlg, Logger: logger}
	x, more := setUpExtras(s, policies, logger)
	problems = append(problems, more...)
	gatewayConfig := proxy.Config{Upstream: upstream, Routes: routes, Logger: logger}
	x.configure(&guardConfig, &gatewayConfig)
	problems = append(problems, guardConfig.Validate(), s.server.Validate(), s.log.validate(), s.gc.validate())
	s.server.Logger = logger
	webConfig, err := s.login.config(s, env, x.redis) // login.go
	problems = append(problems, err)
	if err := errors.Join(problems...); err != nil {
		x.close()
		return err
	}

	defer s.gc.apply()()

	v, err := guard.New(ctx, guardConfig)
	if err != nil {
		return err
	}
	web, err := s.login.start(webConfig, v, logger) // login.go
	if err != nil {
		x.close()
		return err
	}
	gatewayConfig.Web = web
	handler, err := proxy.New(v, gatewayConfig)
	if err != nil {
		x.close()
		return err
	}
	stopExtras, err := x.start(ctx, s, logger)
	defer func() {
		stopCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		stopExtras(stopCtx)
	}()
	if err != nil {
		return err
	}
	ln, err := proxy.Listen(s.listen, s.server)
	if err != nil {
		return err
	}
	srv := proxy.NewServer(handler, s.server)
	logger.Info("gateway listening", "addr", ln.Addr().String(), "upstream", upstream.String(), "audience", s.audience, "routes", len(routes))
	if ready != nil {
		ready <- ln.Addr().String()
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	logger.Info("shutting down: waiting for requests in flight")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	return srv.Shutdown(shutdownCtx)
}
