package ledger

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"time"

	"github.com/model-api-auth0/model-api-auth0/guard"
)

// SummaryDays is how many days a person's summary covers, today included.
const SummaryDays = 30

// PersonSummary is one person's usage per model and UTC day, for a chart:
// each series has one value per day of Days, oldest first, zero on a day
// without calls.
type PersonSummary struct {
	Person string        `json:"person"`
	Days   []string      `json:"days"`
	Models []ModelSeries `json:"models"` // by model name
}

// ModelSeries is one model's daily values.
type ModelSeries struct {
	Model        string  `json:"model"`
	Calls        []int64 `json:"calls"`
	Unmetered    []int64 `json:"unmetered"`
	InputTokens  []int64 `json:"inputTokens"`
	OutputTokens []int64 `json:"outputTokens"`
	CostMicros   []int64 `json:"costMicros"`
}

// Summary is person's usage over the SummaryDays days up to now's.
func Summary(ctx context.Context, q Querier, person string, now time.Time) (*PersonSummary, error) {
	today := now.UTC().Truncate(24 * time.Hour)
	from := today.AddDate(0, 0, 1-SummaryDays)
	totals, err := q.Usage(ctx, Filter{From: from, To: today.AddDate(0, 0, 1), Person: person}, []Dimension{ByModel, ByDay})
	if err != nil {
		return nil, err
	}
	s := &PersonSummary{Person: person, Days: make([]string, SummaryDays), Models: []ModelSeries{}}
	index := make(map[string]int, SummaryDays)
	for i := range s.Days {
		s.Days[i] = from.AddDate(0, 0, i).Format(time.DateOnly)
		index[s.Days[i]] = i
	}
	for _, t := range totals { // ordered by model, then day
		if n := len(s.Models); n == 0 || s.Models[n-1].Model != t.Model {
			s.Models = append(s.Models, newSeries(t.Model))
		}
		m, i := &s.Models[len(s.Models)-1], index[t.Day]
		m.Calls[i], m.Unmetered[i], m.InputTokens[i], m.OutputTokens[i], m.CostMicros[i] =
			t.Calls, t.Unmetered, t.InputTokens, t.OutputTokens, t.CostMicros
	}
	return s, nil
}

func newSeries(model string) ModelSeries {
	z := func() []int64 { return make([]int64, SummaryDays) }
	return ModelSeries{Model: model, Calls: z(), Unmetered: z(), InputTokens: z(), OutputTokens: z(), CostMicros: z()}
}

// PersonHandler serves the summary of the person who asks, as JSON. person
// says who that is (the session's or token's subject); an error refuses the
// request (403, with the error's text). There is no parameter: a person
// sees their own usage only.
func PersonHandler(q Querier, person func(r *http.Request) (string, error)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			guard.WriteJSONError(w, http.StatusMethodNotAllowed, "use GET")
			return
		}
		who, err := person(r)
		if err == nil && who == "" {
			err = errUnknownPerson
		}
		if err != nil {
			guard.WriteJSONError(w, http.StatusForbidden, err.Error())
			return
		}
		s, err := Summary(r.Context(), q, who, time.Now())
		if err != nil {
			slog.Default().ErrorContext(r.Context(), "ledger: reading a person's usage failed", "error", err)
			guard.WriteJSONError(w, http.StatusServiceUnavailable, "the usage ledger cannot be read now; try again later")
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "no-store")
		json.NewEncoder(w).Encode(s)
	})
}

var errUnknownPerson = errors.New("usage summaries are for people who are logged in")
