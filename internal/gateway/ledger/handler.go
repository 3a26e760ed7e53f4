package ledger

import (
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"time"

	"github.com/model-api-auth0/model-api-auth0/guard"
)

// Scope is the caller's authorization decision for a report request: the
// one organization it may see, or all of them (a platform admin). An error
// refuses the request (403, with the error's text).
type Scope func(r *http.Request) (org string, all bool, err error)

// MaxPeriod is the longest period one report covers.
const MaxPeriod = 366 * 24 * time.Hour

var reportParams = []string{"from", "to", "by", "org", "client", "person", "model", "format"}

// ReportHandler serves usage reports:
//
//	GET ?from=2026-11-01&to=2026-12-01&by=org,model[&org=&client=&person=&model=][&format=json|csv]
//
// from and to are UTC days (or RFC 3339 times); to is excluded; both are
// required. An organization's admin sees their organization only, whatever
// the query says: scope decides, and the handler applies it to the filter.
func ReportHandler(q Querier, scope Scope) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			guard.WriteJSONError(w, http.StatusMethodNotAllowed, "use GET")
			return
		}
		org, all, err := scope(r)
		if err != nil {
			guard.WriteJSONError(w, http.StatusForbidden, err.Error())
			return
		}
		f, by, format, err := parseReport(r.URL.Query())
		if err != nil {
			guard.WriteJSONError(w, http.StatusBadRequest, err.Error())
			return
		}
		if !all {
			if org == "" {
				guard.WriteJSONError(w, http.StatusForbidden, "usage reports are for an organization's admins and platform admins")
				return
			}
			if f.Org != "" && f.Org != org {
				guard.WriteJSONError(w, http.StatusForbidden, fmt.Sprintf("you may see the usage of organization %s only", org))
				return
			}
			f.Org = org
		}
		totals, err := q.Usage(r.Context(), f, by)
		if err != nil {
			// The reason goes to the log (slog's default logger), not to
			// the caller: it may name the database.
			slog.Default().ErrorContext(r.Context(), "ledger: reading a usage report failed", "error", err)
			guard.WriteJSONError(w, http.StatusServiceUnavailable, "the usage ledger cannot be read now; try again later")
			return
		}
		w.Header().Set("Cache-Control", "no-store")
		if format == "csv" {
			w.Header().Set("Content-Type", "text/csv; charset=utf-8")
			w.Header().Set("Content-Disposition", `attachment; filename="usage.csv"`)
		} else {
			w.Header().Set("Content-Type", "application/json")
		}
		WriteReport(w, format, by, totals)
	})
}

// parseReport reads and checks a report's query.
func parseReport(v url.Values) (f Filter, by []Dimension, format string, err error) {
	for k, vs := range v {
		if !slices.Contains(reportParams, k) {
			return f, nil, "", fmt.Errorf("unknown parameter %q: use from, to, by, org, client, person, model, format", k)
		}
		if len(vs) > 1 {
			return f, nil, "", fmt.Errorf("%s is given %d times; give it once", k, len(vs))
		}
	}
	if f.From, err = ParseTime("from", v.Get("from")); err != nil {
		return
	}
	if f.To, err = ParseTime("to", v.Get("to")); err != nil {
		return
	}
	if err = checkPeriod(f.From, f.To); err != nil {
		return
	}
	if by, err = ParseDimensions(v.Get("by")); err != nil {
		return
	}
	format = v.Get("format")
	switch format {
	case "":
		format = "json"
	case "json", "csv":
	default:
		return f, nil, "", fmt.Errorf("format %q: use json or csv", format)
	}
	f.Org, f.Client, f.Person, f.Model = v.Get("org"), v.Get("client"), v.Get("person"), v.Get("model")
	return f, by, format, nil
}

// ParseTime reads a UTC day (2026-11-01) or an RFC 3339 time.
func ParseTime(name, s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, fmt.Errorf("%s is required: a day (2026-11-01, UTC) or an RFC 3339 time", name)
	}
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		return t, nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("%s=%q is neither a day (2026-11-01, UTC) nor an RFC 3339 time", name, s)
	}
	return t, nil
}

func checkPeriod(from, to time.Time) error {
	if !to.After(from) {
		return fmt.Errorf("the period is empty: to (%s) must come after from (%s); to is excluded", to.Format(time.RFC3339), from.Format(time.RFC3339))
	}
	if to.Sub(from) > MaxPeriod {
		return fmt.Errorf("the period is longer than 366 days: ask for a year at a time")
	}
	return nil
}
