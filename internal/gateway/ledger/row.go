// Package ledger records every completed model call in a database, one row
// per call, and reports usage and cost from it.
//
// The gateway hands each call to a Recorder (Record never waits: rows go
// to a bounded buffer that a goroutine writes in batches). The database is
// SQLite in one file by default, or PostgreSQL shared by several gateway
// replicas; Open applies the schema's migrations. DB.Usage answers the
// reports; ReportHandler and PersonHandler serve them over HTTP.
package ledger

import "time"

// Row is one completed model call.
type Row struct {
	// RequestID is the row's unique key: a batch written twice keeps one row
	// per call. It must be the gateway's own random ID, never a header the
	// caller sent: a repeated ID would drop the later calls as duplicates.
	// Empty: the Recorder makes one.
	RequestID string
	Time      time.Time // when the call completed; zero: when Record was called
	Org       string    // organization ID; "" without one
	Client    string    // the token's client ID
	Person    string    // the token's subject when a person called; "" for a machine
	Model     string
	Server    string // the model server that answered

	// InputTokens and OutputTokens are the response's usage. A response
	// that reported none is Unmetered: its tokens are stored as NULL, never
	// as 0, so that a report says how many calls it could not count.
	InputTokens, OutputTokens int64
	Unmetered                 bool

	CostMicros int64 // cost in millionths of the price list's currency unit
	Status     int   // the HTTP status given to the caller
	Duration   time.Duration
}

// Dimension is what a report groups by.
type Dimension string

// The dimensions of a report.
const (
	ByOrg    Dimension = "org"
	ByClient Dimension = "client"
	ByPerson Dimension = "person"
	ByModel  Dimension = "model"
	ByDay    Dimension = "day" // UTC, YYYY-MM-DD
)

// Dimensions are those a report may group by, in their column order.
var Dimensions = []Dimension{ByDay, ByOrg, ByClient, ByPerson, ByModel}

// Filter selects the rows of a report: the period [From, To) and, when set,
// one organization, client, person and model.
type Filter struct {
	From, To                   time.Time
	Org, Client, Person, Model string
}

// Total is one group of a report. Only the fields of the grouping's
// dimensions are set.
type Total struct {
	Day    string `json:"day,omitempty"`
	Org    string `json:"org,omitempty"`
	Client string `json:"client,omitempty"`
	Person string `json:"person,omitempty"`
	Model  string `json:"model,omitempty"`

	Calls        int64 `json:"calls"`
	Errors       int64 `json:"errors"`    // status 400 and above
	Unmetered    int64 `json:"unmetered"` // calls whose response reported no usage
	InputTokens  int64 `json:"inputTokens"`
	OutputTokens int64 `json:"outputTokens"`
	CostMicros   int64 `json:"costMicros"`
}

// field is the value of one dimension of t.
func (t *Total) field(d Dimension) *string {
	switch d {
	case ByDay:
		return &t.Day
	case ByOrg:
		return &t.Org
	case ByClient:
		return &t.Client
	case ByPerson:
		return &t.Person
	case ByModel:
		return &t.Model
	}
	return nil
}
