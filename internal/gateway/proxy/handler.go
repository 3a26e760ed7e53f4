// Package proxy is the enforcing reverse proxy in front of a model
// server: every route needs a valid token from the tenant with the scopes or
// permissions the route names; the upstream sees no Authorization header,
// only the caller's identity.
package proxy

import (
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"time"

	"github.com/model-api-auth0/model-api-auth0/guard"
	"github.com/model-api-auth0/model-api-auth0/internal/gateway/ledger"
	"github.com/model-api-auth0/model-api-auth0/internal/gateway/limits"
	"github.com/model-api-auth0/model-api-auth0/internal/gateway/websession"
)

// Identity headers the upstream receives. Any the caller sends, in any
// spelling (case, underscores), are dropped.
const (
	HeaderSubject  = "X-Auth-Subject"
	HeaderClientID = "X-Auth-Client-Id"
	HeaderOrgID    = "X-Auth-Org-Id"
)

// Reference messages, as Auth0's API samples answer them.
const (
	PublicMessage    = "The API doesn't require an access token to share this message."
	ProtectedMessage = "The API successfully validated your access token."
	AdminMessage     = "The API successfully recognized you as an admin."
	AdminPermission  = "read:admin-messages"
)

// Config is what the gateway serves.
type Config struct {
	// Upstream is the default upstream: of every request when Models is
	// empty, else of those that name no model. It may be nil with Models.
	Upstream *url.URL
	// Models, when set, are enforced and routed to their servers
	// (modelroute.go); a failing server is set aside for SetAside
	// (DefaultSetAside if 0), by Clock (time.Now if nil).
	Models   []Model
	SetAside time.Duration
	Clock    func() time.Time
	Routes   []Route
	Logger   *slog.Logger
	// UpstreamIdleTimeout closes a pooled upstream connection that waited
	// this long for its next request (0: DefaultUpstreamIdleTimeout). Keep
	// it below the model server's own keep-alive timeout, or a request may
	// go out on a connection the server is closing, and fail.
	UpstreamIdleTimeout time.Duration

	// Limits, if set, are enforced per client and organization on proxied
	// routes; LimitsFailMode (FailOpen, or FailClosed by default) is what
	// requests get when the limits store fails (limits.go).
	Limits         *limits.Enforcer
	LimitsFailMode string
	// Metrics, if set, are recorded (metrics.go; served apart, by Metrics.Handler).
	Metrics *Metrics
	// Ledger, if set, gets one row per model call that reached a model
	// server (ledger.go); streams are then always metered (includeusage.go).
	Ledger Recorder
	// Usage, if set, is the ledger's reports: GET /v1/usage for admins and
	// GET /v1/usage/me for the person asking (usagereport.go).
	Usage ledger.Querier
	// Discovery, if set, serves the RFC 9728 metadata for agents (discovery.go).
	Discovery *Discovery

	// Web, when set, logs people in (/login, /callback, /logout, the page
	// at /) and lets their browser call the guarded routes with its session.
	Web *websession.Web
}

// New returns the gateway's handler. Bad routes or upstream are reported
// together, before anything is served.
func New(v *guard.Validator, cfg Config) (http.Handler, error) {
	var errs []error
	if u := cfg.Upstream; (u == nil && len(cfg.Models) == 0) || (u != nil && ((u.Scheme != "http" && u.Scheme != "https") || u.Host == "")) {
		errs = append(errs, fmt.Errorf("upstream %v: want the model server's base URL, such as http://127.0.0.1:8000", cfg.Upstream))
	}
	for _, m := range cfg.Models {
		if len(m.Servers) == 0 {
			errs = append(errs, fmt.Errorf("model %q: no server to route it to", m.Name))
		}
	}
	if len(cfg.Routes) == 0 {
		errs = append(errs, errors.New("no routes to proxy"))
	}
	errs = append(errs, validateRoutes(cfg.Routes), checkWebRoutes(cfg.Web, cfg.Routes), checkUsageRoutes(cfg.Usage, cfg.Routes), checkBudgetsRoute(cfg.Limits, cfg.Routes))
	if cfg.UpstreamIdleTimeout < 0 {
		errs = append(errs, fmt.Errorf("upstream idle timeout %v: want a positive duration such as 10s (0 means %v)", cfg.UpstreamIdleTimeout, DefaultUpstreamIdleTimeout))
	}
	if m := cfg.LimitsFailMode; m != "" && m != FailOpen && m != FailClosed {
		errs = append(errs, fmt.Errorf("limits fail mode %q: want %q or %q", m, FailOpen, FailClosed))
	}
	if cfg.Discovery != nil {
		errs = append(errs, cfg.Discovery.validate(cfg.Routes))
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}

	mux := http.NewServeMux()
	auth := sessionAuth(cfg.Web)   // web.go
	registerAnswered(mux, v, auth) // reference.go
	registerUsage(mux, v, auth, cfg.Usage)
	registerBudgets(mux, v, auth, cfg.Limits, cfg.Models, cfg.Logger)
	var proxy http.Handler = newProxied(balanced(newProxy(cfg.Upstream, cmp.Or(cfg.UpstreamIdleTimeout, DefaultUpstreamIdleTimeout), cfg.Logger)), cfg)
	switch {
	case len(cfg.Models) > 0:
		proxy = newModelRouter(proxy, cfg, v)
	case readsUsage(cfg):
		proxy = meterStreams(proxy)
	}
	for _, r := range cfg.Routes {
		require := func(h http.Handler) http.Handler { return auth(v.Require(r.Requirement())(h)) }
		mux.Handle(r.Pattern, routeHandler(r, require, proxy))
	}
	if cfg.Web != nil {
		cfg.Web.Register(mux)
	}
	if d := cfg.Discovery; d != nil {
		mux.Handle("GET "+d.MetadataPath(), d.handler(cfg.Routes))
	}
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		if info := infoFrom(r.Context()); info != nil {
			info.openAIErrors = defaultShape(r.URL.Path) == ErrorsOpenAI // an OpenAI client calling an endpoint not served
		}
		refusedBecause(r, "no such route")
		refuse(w, r, http.StatusNotFound, "unknown_url", "no such route: "+r.Method+" "+r.URL.Path)
	})
	return observe(checkPath(mux), cfg.Logger, cfg.Metrics), nil
}

func setIf(h http.Header, key, value string) {
	if value != "" {
		h.Set(key, value)
	}
}

func message(text string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { writeMessage(w, text) })
}

func writeMessage(w http.ResponseWriter, text string) {
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(struct {
		Message string `json:"message"`
	}{text})
}
