package ledger

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"
)

// latestVersion is the last migration's number, the same in both dialects.
const latestVersion = 2

func TestMigrationsFromEmptyAndIdempotent(t *testing.T) {
	eachDB(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		db := openT(t, dsn)
		v, err := db.SchemaVersion(ctx)
		if err != nil || v != latestVersion {
			t.Fatalf("schema version %d, %v; want %d", v, err, latestVersion)
		}
		at := time.Date(2026, 11, 3, 10, 0, 0, 0, time.UTC)
		if err := db.WriteRows(ctx, []Row{row(1, at)}); err != nil {
			t.Fatal(err)
		}
		// Opening again applies nothing and keeps the rows.
		again := openT(t, dsn)
		if v, err := again.SchemaVersion(ctx); err != nil || v != latestVersion {
			t.Fatalf("after a second Open: schema version %d, %v", v, err)
		}
		if n, _ := count(t, again); n != 1 {
			t.Fatalf("%d rows after a second Open, want 1", n)
		}
	})
}

func TestWriteRowsIsIdempotentAndKeepsUnmetered(t *testing.T) {
	eachDB(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		db := openT(t, dsn)
		at := time.Date(2026, 11, 3, 10, 0, 0, 0, time.UTC)
		unmetered := row(2, at)
		unmetered.Unmetered, unmetered.InputTokens, unmetered.OutputTokens = true, 0, 0
		odd := row(3, at)
		odd.Model = "bad\x00name\xff" // PostgreSQL's text refuses both
		batch := []Row{row(1, at), unmetered, odd}
		for range 2 { // a batch retried after its commit
			if err := db.WriteRows(ctx, batch); err != nil {
				t.Fatal(err)
			}
		}
		if n, d := count(t, db); n != 3 || d != 3 {
			t.Fatalf("%d rows (%d distinct) after writing 3 twice, want 3", n, d)
		}
		var nulls int
		if err := db.sql.QueryRow("SELECT COUNT(*) FROM model_usage WHERE input_tokens IS NULL AND output_tokens IS NULL AND unmetered").Scan(&nulls); err != nil {
			t.Fatal(err)
		}
		if nulls != 1 {
			t.Fatalf("%d unmetered rows with NULL tokens, want 1 (never 0 tokens)", nulls)
		}
	})
}

func TestOpenErrorsHideThePassword(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for _, dsn := range []string{
		"postgres://user:s3cr3tpw@127.0.0.1:1/db?sslmode=disable&connect_timeout=2",
		"postgres://user@127.0.0.1:1/db?password=s3cr3tpw&sslmode=disable&connect_timeout=2",
		"postgres://user:s3cr3tpw@127.0.0.1:notaport/db",
		"mysql://user:s3cr3tpw@host/db",
	} {
		_, err := Open(ctx, dsn)
		if err == nil {
			t.Fatalf("Open(%s) succeeded", Redact(dsn))
		}
		if strings.Contains(err.Error(), "s3cr3tpw") {
			t.Errorf("the error shows the password: %v", err)
		}
	}
	if _, err := Open(ctx, "sqlite:"); err == nil || errors.Is(err, context.Canceled) {
		t.Errorf("sqlite: without a path: %v", err)
	}
}

func TestRedact(t *testing.T) {
	for in, want := range map[string]string{
		"postgres://u:pw@h:5432/d?sslmode=require": "postgres://u:xxxxx@h:5432/d?sslmode=require",
		"postgres://u@h/d?password=pw":             "postgres://u@h/d?password=xxxxx",
		"sqlite:/var/lib/ledger.db":                "sqlite:/var/lib/ledger.db",
	} {
		if got := Redact(in); got != want {
			t.Errorf("Redact(%q) = %q, want %q", in, got, want)
		}
	}
}

// Replicas starting together on PostgreSQL migrate one at a time: a
// replica waits while another holds the migration lock.
func TestMigrationWaitsForTheLock(t *testing.T) {
	dsn := backends[1].dsn(t)
	ctx := context.Background()
	holder, err := connect(dsn, nil) // the database is empty: Open has work to do
	if err != nil {
		t.Fatal(err)
	}
	defer holder.Close()
	conn, err := holder.sql.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "SELECT pg_advisory_lock($1)", int64(migrationLockID)); err != nil {
		t.Fatal(err)
	}
	opened := make(chan error, 1)
	go func() {
		db, err := Open(ctx, dsn)
		if err == nil {
			db.Close()
		}
		opened <- err
	}()
	select {
	case err := <-opened:
		t.Fatalf("Open returned (%v) while another replica held the migration lock", err)
	case <-time.After(1500 * time.Millisecond):
	}
	if _, err := conn.ExecContext(ctx, "SELECT pg_advisory_unlock($1)", int64(migrationLockID)); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-opened:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(60 * time.Second):
		t.Fatal("Open still waits 60 s after the lock was released")
	}
}

// OpenReports reads a ledger and never makes one.
func TestOpenReports(t *testing.T) {
	eachDB(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		if strings.HasPrefix(dsn, "sqlite:") {
			if _, err := OpenReports(ctx, dsn); err == nil || !strings.Contains(err.Error(), "no ledger at") {
				t.Fatalf("a missing file: %v", err)
			}
		} else if _, err := OpenReports(ctx, dsn); err == nil || !strings.Contains(err.Error(), "holds no ledger") {
			t.Fatalf("an empty database: %v", err)
		}
		w := openT(t, dsn)
		if err := w.WriteRows(ctx, known()); err != nil {
			t.Fatal(err)
		}
		r, err := OpenReports(ctx, dsn)
		if err != nil {
			t.Fatal(err)
		}
		defer r.Close()
		if totals, err := r.Usage(ctx, Filter{}, nil); err != nil || len(totals) != 1 || totals[0].Calls != 7 {
			t.Fatalf("%+v, %v", totals, err)
		}
	})
}
