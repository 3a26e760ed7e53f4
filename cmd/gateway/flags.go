package main

import (
	"cmp"
	"errors"
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/model-api-auth0/model-api-auth0/internal/gateway"
	"github.com/model-api-auth0/model-api-auth0/internal/gateway/proxy"
	"github.com/model-api-auth0/model-api-auth0/internal/tenant/stackoutputs"
)

// errDevMoved answers -dev, which the production binary no longer links.
var errDevMoved = errors.New("-dev moved: run `go run ./cmd/devtenant -gateway` for the local tenant, the echo model server and the gateway on loopback")

// defaultOrgHelp is -default-org's help.
const defaultOrgHelp = "organization a plain /login asks for, by `name|org_ID` (env AUTH0_DEFAULT_ORG): with stack outputs a name is resolved to its ID " +
	"(an unknown name stops the start), as is ?organization= of /login; without, it is sent as given, which Auth0 accepts only if the tenant " +
	"allows organization names in the Authentication API (tenant setting allowOrganizationNameInAuthenticationApi)"

// parse turns the command line and the environment into the gateway's
// options. Flags win over the environment, which wins over the stack
// outputs.
func parse(args []string, env func(string) (string, bool), stderr io.Writer) (gateway.Options, error) {
	getenv := func(k, def string) string {
		if v, ok := env(k); ok && v != "" {
			return v
		}
		return def
	}
	o := gateway.DefaultOptions()
	o.Log.Output = stderr
	var outputsFile, orgs, lease, ledgerBuffer string
	var dev bool
	fs := flag.NewFlagSet("gateway", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&outputsFile, "stack-outputs", getenv("STACK_OUTPUTS", ""), "file written by `pulumi stack output --json` (env STACK_OUTPUTS)")
	fs.StringVar(&o.Tenant.Domain, "domain", getenv("AUTH0_DOMAIN", ""), "tenant domain (env AUTH0_DOMAIN)")
	fs.StringVar(&o.Tenant.Audience, "audience", getenv("AUTH0_AUDIENCE", ""), "API identifier (env AUTH0_AUDIENCE)")
	fs.StringVar(&o.Tenant.Issuer, "issuer", getenv("AUTH0_ISSUER", ""), "token issuer; default https://DOMAIN/ (env AUTH0_ISSUER)")
	fs.StringVar(&o.Tenant.JWKSURL, "jwks-url", getenv("AUTH0_JWKS_URL", ""), "JWKS URL; default ISSUER.well-known/jwks.json (env AUTH0_JWKS_URL)")
	fs.StringVar(&o.Tenant.SigningAlg, "signing-alg", getenv("AUTH0_SIGNING_ALG", ""), "the API's token signing algorithm, RS256 (default) or PS256: the stack's api.signingAlg (env AUTH0_SIGNING_ALG)")
	fs.StringVar(&o.Upstream, "upstream", getenv("UPSTREAM_URL", ""), "model server base URL (env UPSTREAM_URL)")
	fs.StringVar(&o.Listen, "listen", getenv("LISTEN_ADDR", o.Listen), "listen address (env LISTEN_ADDR)")
	fs.StringVar(&o.Routes.File, "routes", getenv("ROUTES_FILE", ""), "routes file (env ROUTES_FILE); default: OpenAI-compatible routes")
	fs.BoolVar(&o.Routes.RequireOrg, "require-org", false, "refuse tokens not issued for an organization on proxied routes")
	fs.DurationVar(&o.Routes.SetAside, "model-set-aside", o.Routes.SetAside, "how long a server of the routes file's models is left out after it failed (no connection, or a 502, 503 or 504)")
	fs.StringVar(&orgs, "orgs", getenv("ALLOWED_ORGS", ""), "comma-separated organization IDs allowed on proxied routes (env ALLOWED_ORGS)")
	fs.StringVar(&o.Limits.RedisURL, "redis", getenv("REDIS_URL", ""), "redis:// URL shared by every gateway process, for limits and sessions (env REDIS_URL); default: limits in memory")
	fs.StringVar(&o.Limits.FailMode, "limits-fail-mode", getenv("LIMITS_FAIL_MODE", o.Limits.FailMode), "when Redis fails: closed (503) or open (requests pass unlimited) (env LIMITS_FAIL_MODE)")
	fs.StringVar(&lease, "limits-lease", getenv("LIMITS_LEASE", o.Limits.Lease.String()), "with -redis, how long a gateway process keeps a busy caller's requests and budgets taken from Redis, to go there once per lease rather than per request; 0: every request goes to Redis (env LIMITS_LEASE)")
	fs.StringVar(&o.Metrics.Listen, "metrics-listen", getenv("METRICS_LISTEN", ""), "address of the Prometheus /metrics listener, such as 127.0.0.1:9090 (env METRICS_LISTEN); default: off")
	fs.BoolVar(&o.Metrics.Pprof, "pprof", false, "serve Go's profiles (CPU, heap, goroutines) at /debug/pprof/ on the metrics listener too; needs -metrics-listen")
	fs.StringVar(&o.Ledger, "ledger", getenv("LEDGER_DB", ""), "usage ledger, one row per model call: sqlite:PATH (one gateway) or postgres://USER@HOST/DB (shared by replicas; the password in PGPASSWORD or the URL) (env LEDGER_DB); default: off")
	fs.StringVar(&ledgerBuffer, "ledger-buffer", getenv("LEDGER_BUFFER", "0"), "`rows` of the ledger held in memory while its database is down or slow, written when it returns (env LEDGER_BUFFER); "+
		"an outage loses no row while it lasts less than this many calls of the process; 0: 300000, five minutes at 1,000 calls a second (about 60 MB when full)")
	fs.StringVar(&o.PublicURL, "public-url", getenv("PUBLIC_URL", ""), "the gateway's external base URL, for the RFC 9728 metadata agents read and people's login (env PUBLIC_URL); default: not served")
	fs.DurationVar(&o.Server.ReadHeaderTimeout, "read-header-timeout", o.Server.ReadHeaderTimeout, "time allowed to read a request's headers")
	fs.DurationVar(&o.Server.ReadTimeout, "read-timeout", o.Server.ReadTimeout, "time allowed to read a request's body")
	fs.DurationVar(&o.Server.WriteTimeout, "write-timeout", o.Server.WriteTimeout, "time allowed for each write of a response (a stream that makes progress is never cut)")
	fs.DurationVar(&o.Server.IdleTimeout, "idle-timeout", o.Server.IdleTimeout, "time a keep-alive connection may wait for its next request")
	fs.IntVar(&o.Server.MaxConns, "max-conns", o.Server.MaxConns, "most connections open at once; more wait to be accepted")
	registerLogin(fs, &o.Login, getenv)
	registerDPoP(fs, &o.DPoP, getenv)
	mcpErr := registerMCP(fs, &o.MCP, env)
	registerLog(fs, &o.Log)
	registerGC(fs, &o.GC, getenv)
	fs.BoolVar(&dev, "dev", false, "moved: run 'go run ./cmd/devtenant -gateway'")
	if err := fs.Parse(args); err != nil {
		if dev {
			return o, errDevMoved // a -dev- flag after it failed first
		}
		return o, err
	}
	if mcpErr != nil {
		return o, mcpErr
	}
	switch {
	case dev:
		return o, errDevMoved
	case fs.NArg() > 0:
		return o, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	if orgs != "" {
		o.Routes.Orgs = strings.Split(orgs, ",")
	}
	d, err := time.ParseDuration(lease)
	if err != nil {
		return o, fmt.Errorf("-limits-lease / LIMITS_LEASE %q: want a duration such as %s, or 0 (no leases)", lease, o.Limits.Lease)
	}
	o.Limits.Lease = d
	if o.LedgerBuffer, err = strconv.Atoi(ledgerBuffer); err != nil {
		return o, fmt.Errorf("-ledger-buffer / LEDGER_BUFFER %q: want a number of rows such as 300000, or 0 (that default)", ledgerBuffer)
	}
	o.Login.ClientSecret, _ = env("AUTH0_CLIENT_SECRET")
	if v, ok := env("SESSION_SECRET"); ok && v != "" {
		o.Login.SessionSecret = []byte(v)
	}
	var pop *stackoutputs.ProofOfPossession
	if outputsFile != "" {
		out, err := stackoutputs.Load(outputsFile)
		if err != nil {
			return o, err
		}
		fromStackOutputs(&o, out)
		pop = out.ProofOfPossession
	}
	dpopFromOutputs(&o.DPoP, pop)
	return o, nil
}

// fromStackOutputs fills what flags and environment left unset from the
// stack's outputs.
func fromStackOutputs(o *gateway.Options, out *stackoutputs.Outputs) {
	t := &o.Tenant
	t.Domain = cmp.Or(t.Domain, out.TenantDomain)
	t.Audience = cmp.Or(t.Audience, out.Audience)
	t.Issuer = cmp.Or(t.Issuer, out.Issuer)
	t.JWKSURL = cmp.Or(t.JWKSURL, out.JWKSURI)
	t.SigningAlg = cmp.Or(t.SigningAlg, out.SigningAlg)
	if out.WebApp != nil {
		o.Login.WebAppClientID = out.WebApp.ClientID
	}
	mcpFromStackOutputs(o, out)
	o.Login.Organizations = out.Organizations
	o.Limits.Names = gateway.StackNames(out)
	if o.Login.Organizations == nil {
		o.Login.Organizations = stackoutputs.Organizations{} // outputs without any: every name is unknown
	}
}

func registerLogin(fs *flag.FlagSet, l *gateway.Login, getenv func(k, def string) string) {
	fs.StringVar(&l.ClientID, "client-id", getenv("AUTH0_CLIENT_ID", ""), "web application's client ID: turns on people's login at /login (env AUTH0_CLIENT_ID; default the stack output webApp.clientId)")
	fs.StringVar(&l.ClientSecretFile, "client-secret-file", getenv("AUTH0_CLIENT_SECRET_FILE", ""), "file holding the web application's client secret (or env AUTH0_CLIENT_SECRET)")
	fs.StringVar(&l.DefaultOrg, "default-org", getenv("AUTH0_DEFAULT_ORG", ""), defaultOrgHelp)
	fs.StringVar(&l.TrustedProxies, "trusted-proxies", getenv("TRUSTED_PROXIES", ""), "comma-separated addresses or CIDRs of the proxies in front of the gateway: /login is limited per client address, taken from their X-Forwarded-For (env TRUSTED_PROXIES); default: none, the connection's address")
	fs.DurationVar(&l.SessionLifetime, "session-lifetime", l.SessionLifetime, "absolute lifetime of a login session")
}

func registerLog(fs *flag.FlagSet, l *gateway.Log) {
	fs.Var((*byteSizeFlag)(&l.BufferSize), "access-log-buffer", "`size` of the access log lines held in memory before a write, such as 32KiB, as nginx's access_log buffer=; 0 writes each line at once")
	fs.DurationVar(&l.FlushPeriod, "access-log-flush", l.FlushPeriod, "longest `time` an access log line is held, as nginx's access_log flush=")
}

func registerGC(fs *flag.FlagSet, g *gateway.GC, getenv func(k, def string) string) {
	if v := getenv("GOGC", ""); v == "off" {
		g.Percent = -1
	} else if n, err := strconv.Atoi(v); err == nil {
		g.Percent = n
	}
	fs.IntVar(&g.Percent, "gc-percent", g.Percent, "garbage the collector lets grow, in percent of the live heap, as GOGC (env GOGC; -1 is off)")
	fs.Var((*byteSizeFlag)(&g.Headroom), "gc-headroom", "`size` of garbage the collector lets grow at least, such as 32MiB, whatever the percent gives for a small heap; 0: the percent alone")
	fs.Var((*byteSizeFlag)(&g.MemoryLimit), "memory-limit", "soft limit of the process's memory, a `size` such as 1GiB, as GOMEMLIMIT (env GOMEMLIMIT): the collector works harder near it; in a container, about 90% of its memory; 0: none")
}

// byteSizeFlag is a size such as 32KiB, or 0.
type byteSizeFlag int64

func (b *byteSizeFlag) String() string { return proxy.ByteSize(*b).String() }

func (b *byteSizeFlag) Set(s string) error {
	if s == "0" {
		*b = 0
		return nil
	}
	n, err := proxy.ParseByteSize(s)
	if err != nil {
		return fmt.Errorf("%w, or 0", err)
	}
	*b = byteSizeFlag(n)
	return nil
}
