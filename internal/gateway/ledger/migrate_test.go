package ledger

import (
	"context"
	"database/sql"
	"strings"
	"testing"
	"time"
)

// A ledger written under 00001 (SQLite: WITHOUT ROWID, keyed by request_id)
// keeps every row through 00002 (a rowid table, request_id unique), and
// its request IDs still take a row once: a batch retried across the
// upgrade adds nothing.
func TestMigrationFrom00001KeepsRowsAndExactlyOnce(t *testing.T) {
	eachDB(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		old, err := connect(dsn, nil)
		if err != nil {
			t.Fatal(err)
		}
		p, err := old.migrations()
		if err != nil {
			t.Fatal(err)
		}
		if _, err := p.UpTo(ctx, 1); err != nil {
			t.Fatal(err)
		}
		at := time.Date(2026, 11, 3, 10, 0, 0, 0, time.UTC)
		unmetered := row(2, at.Add(time.Second))
		unmetered.Unmetered, unmetered.InputTokens, unmetered.OutputTokens = true, 0, 0
		before := []Row{row(1, at), unmetered, row(3, at.Add(-time.Hour))}
		// 00001's own statement, as the gateway of that version wrote it.
		if _, err := old.sql.ExecContext(ctx, insertSQL(old.dialect, len(before)), appendArgs(nil, old.dialect, before)...); err != nil {
			t.Fatal(err)
		}
		want, err := old.Usage(ctx, Filter{}, []Dimension{ByDay, ByOrg, ByPerson, ByModel})
		if err != nil {
			t.Fatal(err)
		}
		old.Close()

		db := openT(t, dsn)
		if v, err := db.SchemaVersion(ctx); err != nil || v != latestVersion {
			t.Fatalf("schema version %d, %v after Open; want %d", v, err, latestVersion)
		}
		if err := db.WriteRows(ctx, append(before, row(4, at))); err != nil {
			t.Fatal(err)
		}
		if n, d := count(t, db); n != 4 || d != 4 {
			t.Fatalf("%d rows (%d distinct) after the upgrade and a retried batch, want 4", n, d)
		}
		got, err := db.Usage(ctx, Filter{To: at.Add(-time.Minute).Add(time.Hour)}, []Dimension{ByDay, ByOrg, ByPerson, ByModel})
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 1 || len(want) != 1 || got[0].Calls != 4 || got[0].Unmetered != 1 ||
			got[0].InputTokens != want[0].InputTokens+4 || got[0].CostMicros != want[0].CostMicros+12 {
			t.Fatalf("usage after the upgrade %+v; before it %+v (and row 4)", got, want)
		}
		if db.dialect.name == "sqlite" {
			checkSQLiteLayout(t, db.sql)
		}
	})
}

// checkSQLiteLayout checks 00002's table: a rowid table with request_id
// unique, and the indexes the reports read by.
func checkSQLiteLayout(t *testing.T, db *sql.DB) {
	t.Helper()
	var table string
	if err := db.QueryRow("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'model_usage'").Scan(&table); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(table, "WITHOUT ROWID") || !strings.Contains(table, "request_id    TEXT    NOT NULL UNIQUE") {
		t.Errorf("model_usage is not a rowid table with request_id unique:\n%s", table)
	}
	rows, err := db.Query("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'model_usage' ORDER BY name")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var names []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			t.Fatal(err)
		}
		names = append(names, n)
	}
	if got, want := strings.Join(names, " "), "model_usage_org_ts model_usage_person_ts model_usage_ts sqlite_autoindex_model_usage_1"; got != want {
		t.Errorf("indexes %q, want %q", got, want)
	}
}
