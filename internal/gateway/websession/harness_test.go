package websession_test

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/require"

	"github.com/model-api-auth0/model-api-auth0/guard"
	"github.com/model-api-auth0/model-api-auth0/internal/dev/devtenant"
	"github.com/model-api-auth0/model-api-auth0/internal/dev/devtenant/devtenanttest"
	"github.com/model-api-auth0/model-api-auth0/internal/gateway/ledger"
	"github.com/model-api-auth0/model-api-auth0/internal/gateway/limits"
	"github.com/model-api-auth0/model-api-auth0/internal/gateway/proxy"
	"github.com/model-api-auth0/model-api-auth0/internal/gateway/proxy/proxytest"
	"github.com/model-api-auth0/model-api-auth0/internal/gateway/websession"
	"github.com/model-api-auth0/model-api-auth0/internal/tenant/stackconfig"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// Test users of the dev stack (Pulumi.dev.yaml).
const (
	bob   = "bob@globex.example.com" // model-user in globex
	alice = "alice@acme.example.com" // model-admin in acme
)

// clock is the time of the tenant, the guard and the login alike, so a
// test can move all three to just before a token expires.
type clock struct{ offset atomic.Int64 }

func (c *clock) Now() time.Time          { return time.Now().Add(time.Duration(c.offset.Load())) }
func (c *clock) Advance(d time.Duration) { c.offset.Add(int64(d)) }

// options of a test stack.
type options struct {
	offline       bool          // the API allows offline access: refresh tokens
	redis         *redis.Client // shared sessions; nil: in memory
	defaultOrg    string
	replicas      int                             // gateways sharing the tenant (and redis)
	idToken       func(map[string]any)            // rewrites ID tokens as the token endpoint returns them
	holdRefresh   chan struct{}                   // refresh calls wait for it to close
	holdCode      chan struct{}                   // authorization code grants wait for it to close
	wrap          func(http.Handler) http.Handler // around each gateway's handler
	refuseRefresh bool                            // the tenant answers invalid_grant to refresh calls
	lateRefreshes int64                           // the first ones are answered as the gateway's wait for them ends
	log           io.Writer                       // the gateways' JSON log; nil: discarded
	loginBurst    int                             // logins one address may start at once; 0: the default
	idsOnly       bool                            // the tenant takes organization IDs only, as Auth0 by default
	organizations bool                            // the login has the stack outputs' organizations
	routes        []proxy.Route                   // the gateways' routes; nil: the default ones
	usage         ledger.Querier                  // the ledger's reports (GET /v1/usage/me); nil: none
	limits        *limits.Enforcer                // the callers' limits (GET /v1/usage/me/budgets); nil: none
	models        []string                        // models served by the upstream (the stack's names); nil: none
	dpop          guard.DPoPMode                  // the gateways' DPoP mode; required also makes the stack require it of all clients
	guardNonces   bool                            // the gateways' guards hand out DPoP nonces
	tenantNonce   string                          // the token endpoint asks proofs for this nonce (use_dpop_nonce)
}

// stack is the dev tenant, an upstream that records what it sees, and
// gateways with the login in front of it.
type stack struct {
	dt        *devtenant.Tenant
	clock     *clock
	upstream  *recorder
	gateways  []*httptest.Server
	webs      []*websession.Web // the login of each gateway
	refreshes atomic.Int64      // refresh_token grants sent to the tenant
	codes     atomic.Int64      // authorization_code grants sent to the tenant
	late      atomic.Int64      // refresh answers held until the gateway stops waiting
	// nonceAsked counts token requests answered use_dpop_nonce.
	nonceAsked atomic.Int64

	mu            sync.Mutex
	refreshTokens []string // issued by the tenant to the gateways, in order
}

func newStack(t testing.TB, o options) *stack {
	t.Helper()
	s := &stack{clock: &clock{}, upstream: newRecorder(t)}
	cfg := devtenanttest.Stack(t, "dev")
	cfg.API.AllowOfflineAccess = o.offline
	if o.dpop == guard.DPoPRequired {
		// As Auth0, the tenant then refuses any token request without a proof.
		cfg.API.ProofOfPossession = &stackconfig.ProofOfPossessionConfig{Mechanism: "dpop", Required: true, RequiredFor: stackconfig.PoPAllClients}
	}
	// The gateways under test listen on any loopback port; the dev stack's
	// web app lists port 8080 only.
	s.dt = devtenanttest.Start(t, cfg, devtenant.Options{Now: s.clock.Now, WebApp: devtenant.DefaultWebApp, OrganizationIDsOnly: o.idsOnly})
	var orgs map[string]string
	if o.organizations {
		out, err := s.dt.Outputs()
		require.NoError(t, err)
		orgs = out.Organizations
	}
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	gcfg := guard.Config{Issuer: s.dt.Issuer(), Audience: s.dt.Audience(), JWKSURL: s.dt.JWKSURL(), Logger: quiet, Now: s.clock.Now}
	v, err := guard.New(ctx, gcfg)
	require.NoError(t, err)
	var nonces *guard.HMACNonces
	if o.guardNonces {
		nonces, err = guard.NewHMACNonces([]byte(strings.Repeat("n", 32)), time.Minute, s.clock.Now)
		require.NoError(t, err)
	}
	hc := &http.Client{Timeout: 10 * time.Second, Transport: &tenantTransport{s: s, o: o}}
	for range max(o.replicas, 1) {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		require.NoError(t, err)
		public := "http://" + ln.Addr().String()
		var nonce func() string
		if o.dpop != "" {
			// A proof names the URL called: each gateway's guard checks
			// them against its own public URL.
			dcfg := gcfg
			dcfg.DPoP = guard.DPoPConfig{Mode: o.dpop, PublicURL: public}
			if nonces != nil {
				dcfg.DPoP.Nonces, nonce = nonces, nonces.Current
			}
			v, err = guard.New(ctx, dcfg)
			require.NoError(t, err)
		}
		web, err := websession.New(websession.Config{
			DPoP: o.dpop, DPoPNonce: nonce,
			Issuer: s.dt.Issuer(), Audience: s.dt.Audience(),
			ClientID: s.dt.ClientID(s.dt.WebAppName()), ClientSecret: s.dt.ClientSecret(s.dt.WebAppName()),
			PublicURL: public, DefaultOrg: o.defaultOrg, Organizations: orgs, Redis: o.redis,
			Validator: v, HTTPClient: hc, Logger: quiet, Now: s.clock.Now, LoginBurst: o.loginBurst,
		})
		require.NoError(t, err)
		up, _ := url.Parse(s.upstream.URL)
		logger := quiet
		if o.log != nil {
			logger = slog.New(slog.NewJSONHandler(o.log, nil))
		}
		routes := o.routes
		if routes == nil {
			routes = proxy.DefaultRoutes()
		}
		var models []proxy.Model
		for _, name := range o.models {
			models = append(models, proxy.Model{Name: name, Servers: []*url.URL{up}})
		}
		h, err := proxy.New(v, proxy.Config{Upstream: up, Routes: routes, Logger: logger, Web: web, Usage: o.usage, Limits: o.limits, Models: models})
		require.NoError(t, err)
		if o.wrap != nil {
			h = o.wrap(h)
		}
		srv := httptest.NewUnstartedServer(h)
		srv.Listener.Close()
		srv.Listener = ln
		srv.Start()
		t.Cleanup(srv.Close)
		s.gateways = append(s.gateways, srv)
		s.webs = append(s.webs, web)
	}
	return s
}

// url is the public URL of the first proxy.
func (s *stack) url() string { return s.gateways[0].URL }

// recorder is the model server: it answers every request (a protocol
// switch with a tunnel that echoes) and keeps the headers it received.
type recorder struct {
	*httptest.Server
	mu   sync.Mutex
	seen []http.Header
}

func newRecorder(t testing.TB) *recorder {
	rec := &recorder{}
	rec.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec.mu.Lock()
		rec.seen = append(rec.seen, r.Header.Clone())
		rec.mu.Unlock()
		if r.Header.Get("Upgrade") != "" {
			proxytest.EchoTunnel(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"object":"list","data":[{"id":"echo"}]}`)
	}))
	t.Cleanup(rec.Close)
	return rec
}

func (rec *recorder) last() http.Header {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	if len(rec.seen) == 0 {
		return nil
	}
	return rec.seen[len(rec.seen)-1]
}

func (rec *recorder) count() int {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	return len(rec.seen)
}
