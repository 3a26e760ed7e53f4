package ledger

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// testScope reads the caller's role from headers the test sets: X-Org for
// an organization's admin, X-Platform for a platform admin.
func testScope(r *http.Request) (string, bool, error) {
	switch {
	case r.Header.Get("X-Platform") != "":
		return "", true, nil
	case r.Header.Get("X-Org") != "":
		return r.Header.Get("X-Org"), false, nil
	}
	return "", false, errors.New("you are not an admin")
}

func knownDB(t *testing.T) *DB {
	db := openT(t, backends[0].dsn(t))
	if err := db.WriteRows(context.Background(), known()); err != nil {
		t.Fatal(err)
	}
	return db
}

func TestReportHandlerScopesAndValidates(t *testing.T) {
	h := ReportHandler(knownDB(t), testScope)
	const nov = "from=2026-11-01&to=2026-12-01"
	cases := []struct {
		name, query, org string
		platform         bool
		status           int
		wantOrgs         string // the organizations of the answer, in order
		wantText         string // in the body
	}{
		{"org admin sees their org", nov + "&by=org", "org_a", false, 200, "org_a", ""},
		{"org admin, no grouping", nov, "org_b", false, 200, "-", `"calls": 2`},
		{"forged org parameter", nov + "&by=org&org=org_b", "org_a", false, 403, "", "organization org_a only"},
		{"forged, grouped by something else", nov + "&by=model&org=org_b", "org_a", false, 403, "", "org_a only"},
		{"filters inside the org still apply", nov + "&by=org&person=carol", "org_a", false, 200, "", "[]"},
		{"platform admin sees all", nov + "&by=org", "", true, 200, "org_a,org_b", ""},
		{"platform admin filters one org", nov + "&by=org&org=org_b", "", true, 200, "org_b", ""},
		{"no role", nov, "", false, 403, "", "not an admin"},
		{"csv", nov + "&by=org&format=csv", "org_a", false, 200, "", "org,calls"},
		{"from missing", "to=2026-12-01", "org_a", false, 400, "", "from is required"},
		{"bad day", "from=2026-13-01&to=2026-12-01", "org_a", false, 400, "", "neither a day"},
		{"empty period", "from=2026-12-01&to=2026-11-01", "org_a", false, 400, "", "must come after"},
		{"too long", "from=2024-01-01&to=2026-01-01", "org_a", false, 400, "", "366 days"},
		{"unknown dimension", nov + "&by=tenant", "org_a", false, 400, "", "cannot group by"},
		{"unknown parameter", nov + "&orgs=org_b", "org_a", false, 400, "", `unknown parameter \"orgs\"`},
		{"repeated parameter", nov + "&org=org_a&org=org_b", "org_a", false, 400, "", "given 2 times"},
		{"bad format", nov + "&format=xml", "org_a", false, 400, "", "use json or csv"},
		{"RFC 3339 times", "from=2026-11-01T00:00:00Z&to=2026-11-01T02:00:00Z", "org_a", false, 200, "", `"calls": 1`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			req := httptest.NewRequest("GET", "/usage?"+c.query, nil)
			if c.org != "" {
				req.Header.Set("X-Org", c.org)
			}
			if c.platform {
				req.Header.Set("X-Platform", "1")
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			body := rec.Body.String()
			if rec.Code != c.status {
				t.Fatalf("status %d, want %d: %s", rec.Code, c.status, body)
			}
			if c.wantText != "" && !strings.Contains(body, c.wantText) {
				t.Errorf("body %s does not say %q", body, c.wantText)
			}
			if c.wantOrgs != "" && c.wantOrgs != "-" {
				var totals []Total
				if err := json.Unmarshal(rec.Body.Bytes(), &totals); err != nil {
					t.Fatal(err)
				}
				var orgs []string
				for _, tot := range totals {
					orgs = append(orgs, tot.Org)
				}
				if got := strings.Join(orgs, ","); got != c.wantOrgs {
					t.Errorf("organizations %q, want %q", got, c.wantOrgs)
				}
			}
		})
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("POST", "/usage", nil))
	if rec.Code != http.StatusMethodNotAllowed {
		t.Errorf("POST: %d", rec.Code)
	}
}

func TestPersonSummary(t *testing.T) {
	db := knownDB(t)
	now := day1.AddDate(0, 0, 2).Add(15 * time.Hour) // 2026-11-03 15:00
	s, err := Summary(context.Background(), db, "carol", now)
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Days) != 30 || s.Days[0] != "2026-10-05" || s.Days[29] != "2026-11-03" {
		t.Fatalf("days %v", s.Days)
	}
	if len(s.Models) != 2 || s.Models[0].Model != "llama" || s.Models[1].Model != "qwen" {
		t.Fatalf("models %+v", s.Models)
	}
	if m := s.Models[0]; m.Calls[27] != 1 || m.InputTokens[27] != 100 || m.CostMicros[27] != 1000 || m.Calls[28] != 0 {
		t.Errorf("llama %+v", m)
	}
	if m := s.Models[1]; m.Calls[29] != 1 || m.Unmetered[29] != 1 || m.InputTokens[29] != 0 {
		t.Errorf("qwen %+v", m)
	}

	h := PersonHandler(db, func(r *http.Request) (string, error) { return r.Header.Get("X-Person"), nil })
	rec := httptest.NewRecorder()
	req := httptest.NewRequest("GET", "/me/usage?person=carol", nil) // the parameter is ignored
	req.Header.Set("X-Person", "alice")
	h.ServeHTTP(rec, req)
	var got PersonSummary
	if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil || rec.Code != 200 || got.Person != "alice" {
		t.Fatalf("%d %s %v", rec.Code, rec.Body, err)
	}
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/me/usage", nil))
	if rec.Code != http.StatusForbidden {
		t.Errorf("no person: %d", rec.Code)
	}
}

type brokenQuerier struct{}

func (brokenQuerier) Usage(context.Context, Filter, []Dimension) ([]Total, error) {
	return nil, errors.New("dial tcp db.internal:5432: connection refused")
}

// A database failure is a 503 that does not name the database.
func TestReportHandlerDatabaseDown(t *testing.T) {
	rec := httptest.NewRecorder()
	req := httptest.NewRequest("GET", "/usage?from=2026-11-01&to=2026-12-01", nil)
	req.Header.Set("X-Platform", "1")
	ReportHandler(brokenQuerier{}, testScope).ServeHTTP(rec, req)
	if rec.Code != http.StatusServiceUnavailable || strings.Contains(rec.Body.String(), "db.internal") {
		t.Errorf("%d %s", rec.Code, rec.Body)
	}
}
