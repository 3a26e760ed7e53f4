package proxy

import (
	"net/http"
	"strconv"
	"sync"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/model-api-auth0/model-api-auth0/guard"
)

// Metrics are the gateway's Prometheus metrics, in a registry of their own
// (never the global one), for Handler to serve on a separate listener.
// Labels stay bounded: routes are the configured patterns, never raw paths;
// clients and organizations come only from verified tokens of the tenant.
type Metrics struct {
	registry *prometheus.Registry

	requests                       *prometheus.CounterVec   // route, status, org
	duration, processing, upstream *prometheus.HistogramVec // route
	withoutUsage                   *prometheus.CounterVec   // route, model
	validations                    map[string]prometheus.Counter
	cacheHits                      prometheus.Counter
	jwksFetched, jwksFailed        prometheus.Counter
	limited                        *prometheus.CounterVec // policy
	budgetCrossings                *prometheus.CounterVec // policy, percent (budgets.go)
	storeErrors                    prometheus.Counter
	tokens                         *prometheus.CounterVec // client, org

	routes sync.Map // pattern -> *routeMetrics
}

// routeMetrics are one route's series, curried once.
type routeMetrics struct {
	requests                       *prometheus.CounterVec // status, org
	duration, processing, upstream prometheus.Observer
	withoutUsage                   *prometheus.CounterVec // model

	// counters are the requests' series met so far, by status and
	// organization: a lookup without the vector's hashing and label
	// checks. Their number is the series', bounded as the labels are.
	counters sync.Map // requestLabels -> prometheus.Counter
}

type requestLabels struct {
	status int
	org    string
}

// requestCounter is the series of a request answered with status, for org.
func (rm *routeMetrics) requestCounter(status int, org string) prometheus.Counter {
	key := requestLabels{status, org}
	if c, ok := rm.counters.Load(key); ok {
		return c.(prometheus.Counter)
	}
	c, _ := rm.counters.LoadOrStore(key, rm.requests.WithLabelValues(statusLabel(status), orgLabel(org)))
	return c.(prometheus.Counter)
}

// Latency buckets: the gateway's own time is sub-millisecond; a model's
// first byte can take a minute.
var (
	ownBuckets      = prometheus.ExponentialBuckets(0.0001, 2, 14) // 100 µs .. 0.8 s
	upstreamBuckets = []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60, 120, 300}
)

// NewMetrics registers the gateway's metrics, and Go and process metrics,
// in a new registry.
func NewMetrics() *Metrics {
	reg := prometheus.NewRegistry()
	f := func(c prometheus.Collector) { reg.MustRegister(c) }
	m := &Metrics{registry: reg}
	m.requests = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "gateway_requests_total",
		Help: "Requests, by route pattern, status code and organization (org_id; none without)."}, []string{"route", "status", "org"})
	m.duration = prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "gateway_request_duration_seconds",
		Help: "Time from a request's arrival to the end of its handling, streamed body included.", Buckets: upstreamBuckets}, []string{"route"})
	m.processing = prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "gateway_processing_seconds",
		Help: "The gateway's own time: until the request is handed to the model server, or answered by the gateway (token, scope, limits).", Buckets: ownBuckets}, []string{"route"})
	m.upstream = prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "gateway_upstream_response_seconds",
		Help: "The model server's time: from handing it the request to its response headers.", Buckets: upstreamBuckets}, []string{"route"})
	m.withoutUsage = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "gateway_responses_without_usage_total",
		Help: "Successful POST responses (inference) whose model-token usage could not be read (unmetered), by route and model (none: to the default upstream): a server that reports none, or a stream cut short."}, []string{"route", "model"})
	validations := prometheus.NewCounterVec(prometheus.CounterOpts{Name: "gateway_token_validations_total",
		Help: "Token validations, by result: valid, invalid, keys_unavailable."}, []string{"result"})
	m.validations = map[string]prometheus.Counter{}
	for _, r := range []string{guard.ResultValid, guard.ResultInvalid, guard.ResultKeysUnavailable} {
		m.validations[r] = validations.WithLabelValues(r)
	}
	m.cacheHits = prometheus.NewCounter(prometheus.CounterOpts{Name: "gateway_token_cache_hits_total",
		Help: "Validations answered by the verified-token cache, without verifying a signature."})
	jwks := prometheus.NewCounterVec(prometheus.CounterOpts{Name: "gateway_jwks_fetches_total",
		Help: "Fetches of the tenant's JWKS (at start, in the background, for an unknown kid), by result: ok, error."}, []string{"result"})
	m.jwksFetched, m.jwksFailed = jwks.WithLabelValues("ok"), jwks.WithLabelValues("error")
	m.limited = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "gateway_limited_requests_total",
		Help: "Requests refused with 429, by the policy that refused them: per-client, per-org, per-client-tokens, per-org-tokens."}, []string{"policy"})
	m.budgetCrossings = newBudgetCrossings()
	m.storeErrors = prometheus.NewCounter(prometheus.CounterOpts{Name: "gateway_limits_store_errors_total",
		Help: "Calls to the limits store (Redis) that failed; the fail mode then let the request through or refused it."})
	m.tokens = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "gateway_model_tokens_total",
		Help: "Model tokens used (the usage of responses), by client (azp) and organization (org_id; none without)."}, []string{"client", "org"})
	for _, c := range []prometheus.Collector{m.requests, m.duration, m.processing, m.upstream, m.withoutUsage, validations,
		m.cacheHits, jwks, m.limited, m.budgetCrossings, m.storeErrors, m.tokens,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{})} {
		f(c)
	}
	return m
}

// Registry is where the metrics are registered, to add more or to gather.
func (m *Metrics) Registry() *prometheus.Registry { return m.registry }

// Handler serves the metrics in the Prometheus exposition formats.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.registry, promhttp.HandlerOpts{Registry: m.registry})
}

// route returns the series of a route pattern, curried at first use.
func (m *Metrics) route(pattern string) *routeMetrics {
	if rm, ok := m.routes.Load(pattern); ok {
		return rm.(*routeMetrics)
	}
	labels := prometheus.Labels{"route": pattern}
	rm, _ := m.routes.LoadOrStore(pattern, &routeMetrics{
		requests:     m.requests.MustCurryWith(labels),
		duration:     m.duration.With(labels),
		processing:   m.processing.With(labels),
		upstream:     m.upstream.With(labels),
		withoutUsage: m.withoutUsage.MustCurryWith(labels),
	})
	return rm.(*routeMetrics)
}

// statusLabels are the status codes as label values, made once.
var statusLabels = func() (s [600]string) {
	for i := range s {
		s[i] = strconv.Itoa(i)
	}
	return s
}()

func statusLabel(code int) string {
	if code >= 0 && code < len(statusLabels) {
		return statusLabels[code]
	}
	return strconv.Itoa(code)
}

func orgLabel(org string) string {
	if org == "" {
		return "none" // organization IDs start with org_: no clash
	}
	return org
}

// GuardObserver returns the guard.Observer the gateway's validator needs:
// it counts validations and key fetches in m (nil: no metrics) and gives
// the access log the reason of every request the guard refuses.
func GuardObserver(m *Metrics) guard.Observer { return guardObserver{m} }

type guardObserver struct{ m *Metrics }

func (o guardObserver) TokenValidated(result string, cached bool) {
	if o.m == nil {
		return
	}
	if c, ok := o.m.validations[result]; ok {
		c.Inc()
	}
	if cached {
		o.m.cacheHits.Inc()
	}
}

func (o guardObserver) KeysRefreshed(err error) {
	switch {
	case o.m == nil:
	case err == nil:
		o.m.jwksFetched.Inc()
	default:
		o.m.jwksFailed.Inc()
	}
}

func (o guardObserver) Denied(r *http.Request, status int, reason string) { refusedBecause(r, reason) }
