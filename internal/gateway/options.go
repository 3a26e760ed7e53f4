// Package gateway puts the gateway together: from one Options tree, the
// token check (guard), the proxy in front of the model server (proxy),
// people's login (websession), the callers' limits (limits, in memory or in
// Redis), metrics, discovery for agents and the garbage collector's tuning,
// into a running server.
//
// cmd/gateway turns flags and environment into Options; cmd/devtenant
// -gateway builds them from its local tenant. The problems Validate and New
// report name cmd/gateway's flags and environment variables, which is how
// an operator sets each option.
package gateway

import (
	"io"
	"maps"
	"os"
	"time"

	"github.com/model-api-auth0/model-api-auth0/guard/tenanturl"
	"github.com/model-api-auth0/model-api-auth0/internal/gateway/limits"
	"github.com/model-api-auth0/model-api-auth0/internal/gateway/proxy"
	"github.com/model-api-auth0/model-api-auth0/internal/gateway/websession"
	"github.com/model-api-auth0/model-api-auth0/internal/tenant/stackoutputs"
)

// Options are everything the gateway runs with. Start from DefaultOptions:
// some zero values are settings of their own (a GC percent of 0 collects
// all the time; a log buffer of 0 writes each line at once).
type Options struct {
	Tenant Tenant
	// Upstream is the model server's base URL, such as
	// http://127.0.0.1:8000 (-upstream, UPSTREAM_URL). With the routes
	// file's models, it is the default upstream, of the requests that name
	// no model, and may be empty: such requests are then refused.
	Upstream string
	Routes   Routes
	Limits   Limits
	Metrics  Metrics
	// PublicURL is the gateway's external base URL (-public-url,
	// PUBLIC_URL): agents' discovery metadata (RFC 9728) names it, and
	// people's login is called back there. Empty: no metadata is served.
	PublicURL string
	// MCP is whether agents are expected (mcp.go).
	MCP MCP
	// DPoP is sender-constrained tokens (dpop.go).
	DPoP  DPoP
	Login Login
	// Listen is the address of the gateway's listener (-listen,
	// LISTEN_ADDR).
	Listen string
	// Server is what every listener of the gateway allows a client; New
	// sets its Logger.
	Server proxy.ServerConfig
	Log    Log
	GC     GC
	// Ledger is the usage ledger's database (-ledger, LEDGER_DB):
	// sqlite:PATH for one gateway, or a postgres:// URL shared by every
	// replica. Empty: no ledger, calls are not recorded.
	Ledger string
	// LedgerBuffer is how many rows wait in memory while the ledger's
	// database is down or slow (-ledger-buffer, LEDGER_BUFFER; 0:
	// ledger.DefaultBuffer): an outage loses no row while it lasts less
	// than this many rows at the process's call rate.
	LedgerBuffer int
}

// Tenant is whose tokens the gateway accepts: guard.Config's fields, from
// -domain, -audience, -issuer, -jwks-url, -signing-alg or the stack
// outputs.
type Tenant struct {
	Domain, Audience, Issuer, JWKSURL, SigningAlg string
}

// issuer is the tenant's issuer, by the rule guard applies too: Issuer, or
// the domain's; empty when neither is set.
func (t Tenant) issuer() string {
	if t.Issuer == "" && t.Domain != "" {
		return tenanturl.Issuer(t.Domain)
	}
	return t.Issuer
}

// Routes are the routes proxied to the model server.
type Routes struct {
	// File is a routes file (-routes, ROUTES_FILE), with the limits of its
	// `limits:` section; empty: proxy.DefaultRoutes, without limits.
	File string
	// RequireOrg and Orgs are added to every route's requirement
	// (-require-org, -orgs).
	RequireOrg bool
	Orgs       []string
	// SetAside is how long a model's server that failed is left out
	// (-model-set-aside); 0: proxy.DefaultSetAside.
	SetAside time.Duration
}

// Limits are where the routes file's limits are counted.
type Limits struct {
	// RedisURL is the Redis every gateway process shares (-redis,
	// REDIS_URL), for limits and sessions; empty: limits in memory.
	RedisURL string
	// FailMode is what requests get when Redis fails: proxy.FailClosed
	// (503) or proxy.FailOpen (through, unlimited).
	FailMode string
	// Lease is how long a process keeps a busy caller's requests and
	// budgets taken from Redis (limits.Leases); 0: every request goes to
	// Redis.
	Lease time.Duration
	// Names are the stack outputs' organizations and clients (StackNames),
	// which the routes file's limits may name; nil without stack outputs:
	// the limits take IDs only.
	Names *limits.Stack
}

// StackNames are the names the routes file's limits may use, from the
// stack outputs: the organizations, the M2M clients and the applications
// people log in through.
func StackNames(out *stackoutputs.Outputs) *limits.Stack {
	st := &limits.Stack{Organizations: map[string]string{}, Clients: out.ClientIDs()}
	maps.Copy(st.Organizations, out.Organizations)
	return st
}

// Metrics are Prometheus metrics, on their own listener.
type Metrics struct {
	// Listen is their listener's address (-metrics-listen); empty: no
	// metrics.
	Listen string
	// Pprof serves Go's profiles on the same listener (-pprof).
	Pprof bool
}

// Login is people's login at the gateway (websession), on when ClientID is
// set, or when WebAppClientID is and a client secret is given. It is called
// back at Options.PublicURL and keeps its sessions in the limits' Redis, if
// any.
type Login struct {
	// ClientID is the web application's client ID (-client-id,
	// AUTH0_CLIENT_ID).
	ClientID string
	// WebAppClientID is the stack outputs' web application
	// (webApp.clientId): the login's client when ClientID is empty.
	WebAppClientID string
	// ClientSecret (AUTH0_CLIENT_SECRET) or ClientSecretFile
	// (-client-secret-file), not both: never a flag's value, which any
	// user of the machine can read in ps.
	ClientSecret, ClientSecretFile string
	// DefaultOrg is the organization a plain /login asks for, by name or
	// ID (-default-org, AUTH0_DEFAULT_ORG).
	DefaultOrg string
	// Organizations are the stack outputs' organizations, name to ID, to
	// resolve names with; nil without outputs: names are sent as given.
	Organizations stackoutputs.Organizations
	// TrustedProxies are the comma-separated addresses or CIDRs of the
	// proxies in front of the gateway (-trusted-proxies, TRUSTED_PROXIES).
	TrustedProxies  string
	SessionLifetime time.Duration
	// SessionSecret encrypts sessions at rest (SESSION_SECRET); empty
	// derives a key from the client secret.
	SessionSecret []byte
}

// Log is how the JSON log (the access log's line per request and
// everything else) reaches Output.
type Log struct {
	Output io.Writer
	// BufferSize bytes of access log lines are held before a write, as
	// nginx's access_log buffer= (-access-log-buffer); 0 writes each line
	// at once. FlushPeriod is the longest a line is held
	// (-access-log-flush).
	BufferSize  int64
	FlushPeriod time.Duration
}

// GC is the garbage collector's tuning (gc.go).
type GC struct {
	// Percent is GOGC's (-gc-percent); -1 is off.
	Percent int
	// Headroom is the garbage allowed to grow at least, in bytes, whatever
	// Percent gives for a small heap (-gc-headroom); 0: Percent alone.
	Headroom int64
	// MemoryLimit is GOMEMLIMIT's, in bytes (-memory-limit); 0: none.
	MemoryLimit int64
}

// DefaultOptions are the options of a gateway given nothing but a tenant
// and an upstream.
func DefaultOptions() Options {
	return Options{
		Listen: ":8080",
		Routes: Routes{SetAside: proxy.DefaultSetAside},
		Limits: Limits{FailMode: proxy.FailClosed, Lease: limits.DefaultLease},
		Login:  Login{SessionLifetime: websession.DefaultSessionLifetime},
		Server: proxy.ServerConfig{
			ReadHeaderTimeout: proxy.DefaultReadHeaderTimeout, ReadTimeout: proxy.DefaultReadTimeout,
			WriteTimeout: proxy.DefaultWriteTimeout, IdleTimeout: proxy.DefaultIdleTimeout, MaxConns: proxy.DefaultMaxConns,
		},
		Log: Log{Output: os.Stderr, BufferSize: proxy.DefaultLogBufferSize, FlushPeriod: proxy.DefaultLogFlushPeriod},
		GC:  GC{Percent: 100, Headroom: DefaultGCHeadroom},
	}
}
