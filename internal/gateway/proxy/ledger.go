package proxy

import (
	"encoding/hex"
	"math"
	"net/http"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/model-api-auth0/model-api-auth0/internal/gateway/ledger"
)

// Recorder takes the row of each completed model call (ledger.Recorder):
// Record must never wait, a request does not wait for the database.
type Recorder interface {
	Record(ledger.Row) bool
}

// readsUsage reports whether anything needs the usage of responses:
// budgets, metrics or the ledger.
func readsUsage(cfg Config) bool {
	return cfg.Metrics != nil || cfg.Ledger != nil || (cfg.Limits != nil && cfg.Limits.Policies().HasBudgets())
}

// recordCall hands the ledger the row of a call that reached a model
// server. Every field comes from the gateway's own knowledge: the token's
// identity, the routing decision, a request ID made here. Nothing the
// caller sent in a header or the body can forge who, which organization or
// which row.
func (p *proxied) recordCall(info *requestInfo, uw *usageWriter) {
	if p.ledger == nil || info.proxiedAt.IsZero() {
		return
	}
	row := ledger.Row{RequestID: uw.requestID, Time: time.Now(), Status: uw.status}
	if row.Status == 0 {
		row.Status = http.StatusOK // the handler wrote nothing: net/http sends 200
	}
	start := info.start
	if start.IsZero() {
		start = info.proxiedAt
	}
	row.Duration = row.Time.Sub(start)
	if id := info.identity; id != nil {
		row.Org, row.Client, row.Person = id.OrgID, id.ClientID, person(id.Subject)
		if row.Client == "" {
			row.Client = id.Subject
		}
	}
	if info.model != nil {
		row.Model = info.model.Name
	}
	if info.server != nil {
		row.Server = info.server.url.String()
	}
	u, found := uw.usage()
	switch {
	case found:
		row.InputTokens, row.OutputTokens = u.input(), u.output()
		if info.model != nil {
			row.CostMicros = costMicros(info.model.Price, row.InputTokens, row.OutputTokens)
		}
	case row.Status >= 200 && row.Status < 300:
		// A success that said nothing of its tokens: NULL, never 0, so
		// that reports show what could not be counted.
		row.Unmetered = true
	}
	p.ledger.Record(row)
}

// modelLabel is the model of a call as a metric label: a configured
// model's name (bounded), or none.
func modelLabel(info *requestInfo) string {
	if info.model == nil {
		return "none"
	}
	return info.model.Name
}

// person is the subject of a person's token; "" for a machine's: Auth0
// gives client-credentials tokens the subject CLIENT_ID@clients.
func person(sub string) string {
	if strings.HasSuffix(sub, "@clients") {
		return ""
	}
	return sub
}

// costMicros is the cost of the tokens at price (USD per million tokens):
// one token at 1 USD per million is 1 micro-dollar.
func costMicros(price *Price, in, out int64) int64 {
	if price == nil {
		return 0
	}
	return int64(math.Round(float64(in)*price.Input + float64(out)*price.Output))
}

// newRequestID is a UUIDv7 (RFC 9562) in hex: the ledger's key of a row.
// Its first 48 bits are the time in milliseconds, so the ledger's unique
// index grows at its end rather than at a random page of a file that keeps
// growing; the other 74 bits are random, unique across replicas. It is
// never taken from the caller (a repeated ID would make the ledger drop
// calls as duplicates).
func newRequestID() string {
	id, err := uuid.NewV7()
	if err != nil {
		id = uuid.New() // only if the system's random source fails
	}
	var text [32]byte
	hex.Encode(text[:], id[:])
	return string(text[:])
}

// usage is the response's usage object, prompt and completion apart.
func (w *usageWriter) usage() (usage, bool) {
	if w.scan == nil {
		return usage{}, false
	}
	return w.scan.Usage()
}
