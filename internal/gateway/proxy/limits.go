package proxy

import (
	"context"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"time"

	"golang.org/x/time/rate"

	"github.com/model-api-auth0/model-api-auth0/guard"
	"github.com/model-api-auth0/model-api-auth0/internal/gateway/limits"
)

// Fail modes: what a request gets when the limits store (Redis) fails.
const (
	FailOpen   = "open"   // through, unlimited, logged and counted
	FailClosed = "closed" // 503 with Retry-After
)

// proxied is the handler of every proxied route, after the token check: it
// applies the caller's limits, hands the request to the model server, and
// counts the model tokens of the response.
type proxied struct {
	next      http.Handler
	limits    *limits.Enforcer // nil: no limits
	failOpen  bool
	metrics   *Metrics // nil: no metrics
	readUsage bool     // budgets, metrics or the ledger need the usage of responses (readsUsage)
	ledger    Recorder // nil: no ledger
	logger    *slog.Logger
	storeLog  *rate.Sometimes // a failing store is logged at most every 10 s
}

func newProxied(next http.Handler, cfg Config) *proxied {
	p := &proxied{
		next: next, limits: cfg.Limits, failOpen: cfg.LimitsFailMode == FailOpen, metrics: cfg.Metrics,
		readUsage: readsUsage(cfg),
		ledger:    cfg.Ledger,
		logger:    cfg.Logger, storeLog: &rate.Sometimes{Interval: 10 * time.Second},
	}
	if p.limits != nil {
		p.limits.OnCrossing(p.reportCrossing)
	}
	return p
}

func (p *proxied) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	info := infoFrom(r.Context())
	if info == nil {
		info = &requestInfo{}
	}
	id, _ := guard.IdentityFrom(r.Context())
	info.identity = id
	caller := callerOf(id)
	if info.model != nil {
		caller.Model = info.model.Name
	}
	if p.limits != nil {
		v, err := p.limits.Admit(r.Context(), caller)
		switch {
		case err != nil:
			if !p.storeFailed(w, r, info, err) {
				return
			}
		case len(v.Outcomes) > 0:
			setRateLimitFields(w.Header(), v.Outcomes)
			setOpenAIRateLimitFields(w.Header(), v.Outcomes)
			if v.Denied != nil {
				p.refuse(w, r, info, v.Denied)
				return
			}
		}
	}
	if !p.readUsage || !mayCarryUsage(r.Method) {
		hw := &headerClock{ResponseWriter: w}
		info.proxiedAt = time.Now()
		p.next.ServeHTTP(hw, r)
		info.headersAt = hw.at
		return
	}
	// The model server must answer in plain bytes for its usage to be read;
	// the transport still takes gzip from it and unpacks it.
	r.Header.Del("Accept-Encoding")
	uw := &usageWriter{ResponseWriter: stripUsage(w, info)}
	if p.ledger != nil {
		uw.requestID = newRequestID()
	}
	info.proxiedAt = time.Now()
	p.next.ServeHTTP(uw, r)
	uw.finish()
	info.headersAt = uw.headersAt
	p.recordCall(info, uw)
	u, found := uw.usage()
	switch tokens := u.total(); {
	case found && tokens > 0:
		if p.metrics != nil {
			p.metrics.tokens.WithLabelValues(caller.ClientID, orgLabel(caller.OrgID)).Add(float64(tokens))
		}
		if p.limits != nil {
			sp := limits.Spend{Tokens: tokens}
			if info.model != nil {
				sp.Micros = costMicros(info.model.Price, u.input(), u.output())
			}
			// The caller may be gone; the count must still land.
			if err := p.limits.RecordSpend(context.WithoutCancel(r.Context()), caller, sp); err != nil {
				p.storeError(r, err, "model tokens not counted")
			}
		}
	case !found && p.metrics != nil && r.Method == http.MethodPost && uw.status >= 200 && uw.status < 300:
		p.metrics.route(r.Pattern).withoutUsage.WithLabelValues(modelLabel(info)).Inc()
	}
}

// mayCarryUsage reports whether the response to a request with this method
// may carry model-token usage: inference is a POST (chat, completions,
// embeddings), never a GET or HEAD (a model list, a model's card), whose
// responses are therefore passed on unread.
func mayCarryUsage(method string) bool {
	return method != http.MethodGet && method != http.MethodHead
}

// headerClock notes when the model server's response headers came, for a
// response whose usage is not read (usageWriter notes it for the others).
type headerClock struct {
	http.ResponseWriter
	at time.Time
}

func (w *headerClock) WriteHeader(code int) {
	if w.at.IsZero() && (code >= 200 || code == http.StatusSwitchingProtocols) {
		w.at = time.Now()
	}
	w.ResponseWriter.WriteHeader(code)
	startStream(w.ResponseWriter, code)
}

func (w *headerClock) Write(p []byte) (int, error) {
	if w.at.IsZero() {
		w.at = time.Now()
	}
	return w.ResponseWriter.Write(p)
}

// Unwrap lets http.ResponseController reach Flush and Hijack on the real writer.
func (w *headerClock) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// refuse answers 429 for the policy that refused the request.
func (p *proxied) refuse(w http.ResponseWriter, r *http.Request, info *requestInfo, o *limits.Outcome) {
	retry := o.RetryAfter
	var msg string
	if o.Policy.Rate != nil {
		msg = fmt.Sprintf("rate limit reached: %s; retry in %s s", o.Policy.Describe(), limits.Seconds(retry))
	} else {
		// Spread the callers of a day's budget over a minute past midnight,
		// rather than all at once.
		retry += rand.N(time.Minute)
		what, renews := "model-token", "at 00:00 UTC"
		if o.Policy.Money {
			what = "money"
		}
		if o.Policy.Monthly {
			renews = "on the 1st of the month, 00:00 UTC"
		}
		msg = fmt.Sprintf("%s budget spent: %s; it renews %s", what, o.Policy.Describe(), renews)
	}
	w.Header().Set("Retry-After", limits.Seconds(retry))
	info.reason = msg
	if p.metrics != nil {
		p.metrics.limited.WithLabelValues(o.Policy.Name).Inc()
	}
	refuseLimited(w, r, info, o.Policy.Rate == nil, msg)
}

// storeFailed applies the fail mode; it reports whether the request goes on.
func (p *proxied) storeFailed(w http.ResponseWriter, r *http.Request, info *requestInfo, err error) bool {
	if p.failOpen {
		p.storeError(r, err, "request let through unlimited (fail mode open)")
		info.degraded = "limits not enforced: the limits store failed"
		return true
	}
	p.storeError(r, err, "request refused (fail mode closed)")
	info.reason = "the limits store failed (fail mode closed)"
	w.Header().Set("Retry-After", "1")
	guard.WriteJSONError(w, http.StatusServiceUnavailable, "the gateway cannot check your limits right now; retry shortly")
	return false
}

func (p *proxied) storeError(r *http.Request, err error, what string) {
	if p.metrics != nil {
		p.metrics.storeErrors.Inc()
	}
	p.storeLog.Do(func() {
		p.logger.WarnContext(r.Context(), "limits store failed: "+what+" (logged at most every 10 s; see gateway_limits_store_errors_total)", "error", err)
	})
}

// setRateLimitFields writes the RateLimit-Policy and RateLimit fields
// (draft-ietf-httpapi-ratelimit-headers, structured-field lists): each
// policy, then what is left of it and in how many seconds it is whole again.
// Every limited request carries them: both values are built in one buffer
// and stored under their canonical names, in two allocations.
func setRateLimitFields(h http.Header, outcomes []limits.Outcome) {
	// Built in one buffer of the size they need (no large frame on the
	// request's stack), which becomes the string without a copy: the fields
	// live as long as the response, all of a stream's.
	size := 0
	for _, o := range outcomes {
		// Item; the name quoted; ";r=" and ";t=" with up to 20 digits each;
		// two ", ".
		size += len(o.Policy.Item) + len(o.Policy.Name) + 2 + 2*(3+20) + 4
	}
	var b strings.Builder
	b.Grow(size)
	for i, o := range outcomes {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(o.Policy.Item)
	}
	policyLen := b.Len()
	var scratch [64]byte // a number, or a policy's name quoted
	for i, o := range outcomes {
		if i > 0 {
			b.WriteString(", ")
		}
		t := o.ResetAfter
		if !o.Allowed {
			t = o.RetryAfter
		}
		b.Write(strconv.AppendQuote(scratch[:0], o.Policy.Name))
		b.WriteString(";r=")
		b.Write(strconv.AppendInt(scratch[:0], o.Remaining, 10))
		b.WriteString(";t=")
		b.Write(limits.AppendSeconds(scratch[:0], t))
	}
	both := b.String()
	values := []string{both[:policyLen], both[policyLen:]}
	h[rateLimitPolicyField] = values[0:1:1]
	h[rateLimitField] = values[1:2:2]
}

// The fields' names as http.Header keeps them (CanonicalHeaderKey), so
// that setting them costs no conversion.
var (
	rateLimitPolicyField = http.CanonicalHeaderKey("RateLimit-Policy")
	rateLimitField       = http.CanonicalHeaderKey("RateLimit")
)
