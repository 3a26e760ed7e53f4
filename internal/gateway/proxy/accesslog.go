package proxy

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/model-api-auth0/model-api-auth0/guard"
)

// requestInfo is what the handlers inside learn of a request, for the access
// log and the metrics written once it is done.
type requestInfo struct {
	identity  *guard.Identity
	start     time.Time // the request came (for the ledger's duration)
	reason    string    // why the request was refused
	degraded  string    // what was not enforced (the limits store failed open)
	proxiedAt time.Time // handed to the model server
	headersAt time.Time // the model server's response headers came

	openAIErrors bool // refusals take OpenAI's shape (errors.go)
	// requirement is the route's, for the challenge of a refusal made
	// after the guard's (modelroute.go).
	requirement guard.Requirement

	model        *routedModel // the model the body names, granted (modelroute.go)
	server       *server      // the model's server picked for it
	serverFailed bool         // which did not answer, or answered 502, 503 or 504

	// stripUsage: the gateway asked the model server for a stream's usage
	// the client did not ask for; the usage event is kept from the client
	// (includeusage.go).
	stripUsage bool
}

type infoKey struct{}

func infoFrom(ctx context.Context) *requestInfo {
	info, _ := ctx.Value(infoKey{}).(*requestInfo)
	return info
}

// refusedBecause gives the access log the reason a handler refused r for.
func refusedBecause(r *http.Request, reason string) {
	if info := infoFrom(r.Context()); info != nil {
		info.reason = reason
	}
}

// observe writes one access log line per request (the caller's subject,
// client and organization, never a token; the reason of a refusal) and
// records the request metrics (m may be nil).
func observe(next http.Handler, logger *slog.Logger, m *Metrics) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		o := &observed{statusRecorder: statusRecorder{ResponseWriter: w, status: http.StatusOK}}
		info, rec := &o.info, &o.statusRecorder
		info.start = start
		r = r.WithContext(context.WithValue(r.Context(), infoKey{}, info))
		next.ServeHTTP(o, r) // the mux sets r.Pattern; o shapes the errors (errors.go)
		end := time.Now()

		route := r.Pattern
		if route == "" {
			route = "unmatched" // refused before routing
		}
		var org string
		if info.identity != nil {
			org = info.identity.OrgID
		}
		if m != nil {
			rm := m.route(route)
			rm.requestCounter(rec.status, org).Inc()
			rm.duration.Observe(end.Sub(start).Seconds())
			if info.proxiedAt.IsZero() {
				rm.processing.Observe(end.Sub(start).Seconds())
			} else {
				rm.processing.Observe(info.proxiedAt.Sub(start).Seconds())
				if !info.headersAt.IsZero() {
					rm.upstream.Observe(info.headersAt.Sub(info.proxiedAt).Seconds())
				}
			}
		}

		logRequest(r, logger.Handler(), route, rec.status, info, start, end)
	})
}

// logRequest writes the access log line of r. The record is made here, at
// end, without the caller's program counter (which the JSON log does not
// show): slog.Logger would read the clock again and walk the stack for it.
func logRequest(r *http.Request, h slog.Handler, route string, status int, info *requestInfo, start, end time.Time) {
	ctx := r.Context()
	if !h.Enabled(ctx, slog.LevelInfo) {
		return
	}
	rec := slog.NewRecord(end, slog.LevelInfo, AccessLogMessage, 0)
	rec.AddAttrs(slog.String("method", r.Method), slog.String("route", route), slog.String("path", r.URL.Path),
		slog.Int("status", status), slog.Int64("duration_ms", end.Sub(start).Milliseconds()))
	if id := info.identity; id != nil {
		rec.AddAttrs(slog.String("sub", id.Subject), slog.String("client_id", id.ClientID), slog.String("org_id", id.OrgID))
	}
	if reason := info.reason; reason != "" || status >= 400 {
		if reason == "" {
			reason = http.StatusText(status)
		}
		rec.AddAttrs(slog.String("reason", reason))
	}
	if info.degraded != "" {
		rec.AddAttrs(slog.String("degraded", info.degraded))
	}
	_ = h.Handle(ctx, rec) // a failing log output has no one else to tell
}

// observed is what observe keeps of one request, in one allocation.
type observed struct {
	statusRecorder
	info requestInfo
}

type statusRecorder struct {
	http.ResponseWriter
	status      int
	wroteHeader bool
}

func (s *statusRecorder) WriteHeader(code int) {
	if !s.wroteHeader && (code < 100 || code >= 200 || code == http.StatusSwitchingProtocols) {
		s.status, s.wroteHeader = code, true
	}
	s.ResponseWriter.WriteHeader(code)
}

// Unwrap lets http.ResponseController reach Flush on the real writer.
func (s *statusRecorder) Unwrap() http.ResponseWriter { return s.ResponseWriter }
