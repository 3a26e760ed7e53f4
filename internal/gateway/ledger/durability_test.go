package ledger

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/model-api-auth0/model-api-auth0/internal/testing/pgtest"
)

// PostgreSQL stops in the middle of a stream of calls and comes back: every
// call is in the ledger exactly once.
func TestOutageLosesNothing(t *testing.T) {
	srv := pgtest.Start(t)
	db := openT(t, srv.DSN)
	rec := NewRecorder(db, Options{FlushEvery: 50 * time.Millisecond, MaxBackoff: 200 * time.Millisecond, Logger: quiet})
	var recorded atomic.Int64
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() { // a steady stream of calls, about 500 a second
		defer close(done)
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			case <-time.After(2 * time.Millisecond):
			}
			if !rec.Record(row(i, time.Now())) {
				t.Errorf("row %d dropped", i)
			}
			recorded.Add(1)
		}
	}()
	waitFor(t, "rows before the outage", func() bool { return rec.Stats().Written > 100 })
	srv.Stop()
	before := recorded.Load()
	waitFor(t, "calls during the outage", func() bool { return recorded.Load() > before+500 })
	if rec.Stats().WriteErrors == 0 {
		t.Error("no write failed while PostgreSQL was down")
	}
	if err := srv.Restart(); err != nil {
		t.Fatal(err)
	}
	after := recorded.Load()
	waitFor(t, "calls after the outage", func() bool { return recorded.Load() > after+200 })
	close(stop)
	<-done
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if err := rec.Close(ctx); err != nil {
		t.Fatal(err)
	}
	n := int(recorded.Load())
	if rows, distinct := count(t, db); rows != n || distinct != n {
		t.Fatalf("%d rows (%d distinct) in the ledger, %d calls recorded", rows, distinct, n)
	}
	t.Logf("%d calls, %d during the outage; stats %+v", n, after-before, rec.Stats())
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(60 * time.Second); !cond(); time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("waited 60 s for %s", what)
		}
	}
}

const killHelperEnv = "LEDGER_SIGKILL_HELPER_DSN"

// A gateway killed with SIGKILL loses at most the rows of its last
// FlushEvery. The test binary, run again as a helper, records 100 calls a
// second (too few to fill a batch: only the periodic flush writes them)
// until it is killed.
func TestSIGKILLLosesAtMostTheLastSecond(t *testing.T) {
	if dsn := os.Getenv(killHelperEnv); dsn != "" {
		killHelper(dsn)
		return
	}
	dsn := "sqlite:" + filepath.Join(t.TempDir(), "ledger.db")
	cmd := exec.Command(os.Args[0], "-test.run=^TestSIGKILLLosesAtMostTheLastSecond$")
	cmd.Env = append(os.Environ(), killHelperEnv+"="+dsn)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	if line, err := bufio.NewReader(out).ReadString('\n'); err != nil || line != "recording\n" {
		t.Fatalf("the helper said %q, %v", line, err)
	}
	// The helper's flushes come every second from just before it said
	// "recording": killing it 0.9 s after one of them is the worst moment
	// short of the next.
	time.Sleep(3900 * time.Millisecond)
	killedAt := time.Now()
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	cmd.Wait()

	db := openT(t, dsn)
	var rows, last int
	var lastTS int64
	if err := db.sql.QueryRow("SELECT COUNT(*), COALESCE(MAX(request_id), ''), COALESCE(MAX(ts), 0) FROM model_usage").
		Scan(&rows, new(string), &lastTS); err != nil {
		t.Fatal(err)
	}
	if err := db.sql.QueryRow("SELECT COALESCE(MAX(CAST(substr(request_id, 5) AS INTEGER)), -1) FROM model_usage").Scan(&last); err != nil {
		t.Fatal(err)
	}
	if rows == 0 || rows != last+1 {
		t.Fatalf("%d rows, the last numbered %d: the written rows must be every call up to one", rows, last)
	}
	lost := killedAt.Sub(time.UnixMicro(lastTS))
	t.Logf("%d rows written; the last was recorded %v before the kill", rows, lost.Round(time.Millisecond))
	// 0.9 s expected; up to FlushEvery (1 s) plus the writing of one batch
	// and the scheduling of a shared machine. A flush every 2 s would lose
	// 1.9 s here.
	if lost > 1500*time.Millisecond {
		t.Errorf("the rows of the last %v before SIGKILL are missing, want at most about 1 s", lost)
	}
}

func killHelper(dsn string) {
	db, err := Open(context.Background(), dsn)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	rec := NewRecorder(db, Options{Logger: quiet}) // the defaults: a flush every second
	fmt.Println("recording")
	for i := 0; ; i++ {
		rec.Record(row(i, time.Now()))
		time.Sleep(10 * time.Millisecond)
	}
}
