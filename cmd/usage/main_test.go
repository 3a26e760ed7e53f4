package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/model-api-auth0/model-api-auth0/internal/gateway/ledger"
)

func ledgerFile(t *testing.T) string {
	path := filepath.Join(t.TempDir(), "ledger.db")
	db, err := ledger.Open(context.Background(), "sqlite:"+path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	at := time.Date(2026, 11, 2, 12, 0, 0, 0, time.UTC)
	rows := []ledger.Row{
		{RequestID: "1", Time: at, Org: "org_a", Client: "c1", Model: "llama", InputTokens: 10, OutputTokens: 20, CostMicros: 1_500_000, Status: 200},
		{RequestID: "2", Time: at, Org: "org_b", Client: "c2", Model: "llama", InputTokens: 1, OutputTokens: 2, CostMicros: 250_000, Status: 200},
		{RequestID: "3", Time: at.AddDate(0, 1, 0), Org: "org_b", Client: "c2", Model: "llama", Unmetered: true, Status: 200},
	}
	if err := db.WriteRows(context.Background(), rows); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestReport(t *testing.T) {
	path := ledgerFile(t)
	now := time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC)
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"-db", "sqlite:" + path, "-by", "org", "-format", "csv"},
			"org,calls,errors,unmetered,input_tokens,output_tokens,cost\norg_a,1,0,0,10,20,1.500000\norg_b,1,0,0,1,2,0.250000\n"},
		{[]string{"-db", "sqlite:" + path, "-from", "2026-12-01", "-to", "2027-01-01", "-format", "csv"},
			"calls,errors,unmetered,input_tokens,output_tokens,cost\n1,0,1,0,0,0.000000\n"},
		{[]string{"-by", "model", "-org", "org_a"}, // LEDGER_DB, the current month, a table
			"  model  calls  errors  unmetered  input_tokens  output_tokens      cost\n  llama      1       0          0            10             20  1.500000\n"},
	}
	env := func(k string) string {
		if k == "LEDGER_DB" {
			return "sqlite:" + path
		}
		return ""
	}
	for _, c := range cases {
		var out, errOut bytes.Buffer
		if err := run(context.Background(), c.args, env, &out, &errOut, now); err != nil {
			t.Fatalf("%v: %v", c.args, err)
		}
		if out.String() != c.want {
			t.Errorf("%v:\n%s\nwant\n%s", c.args, out.String(), c.want)
		}
	}
}

func TestReportErrors(t *testing.T) {
	path := ledgerFile(t)
	empty := filepath.Join(t.TempDir(), "empty.db")
	if err := os.WriteFile(empty, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	noEnv := func(string) string { return "" }
	for _, c := range []struct {
		args []string
		want string
	}{
		{nil, "which ledger?"},
		{[]string{"-db", "sqlite:/nonexistent/ledger.db"}, "no ledger at /nonexistent/ledger.db"},
		{[]string{"-db", "sqlite:" + path, "-by", "tenant"}, "cannot group by"},
		{[]string{"-db", "sqlite:" + path, "-format", "xml"}, "use table, csv, json"},
		{[]string{"-db", "sqlite:" + path, "-from", "2026-12-01", "-to", "2026-11-01"}, "must come after"},
		{[]string{"-db", "sqlite:" + path, "-from", "yesterday"}, "neither a day"},
		{[]string{"-db", "postgres://u:s3cr3t@127.0.0.1:1/x?connect_timeout=2"}, "xxxxx"},
		{[]string{"-db", "sqlite:" + empty}, "holds no ledger"},
	} {
		err := run(context.Background(), c.args, noEnv, &bytes.Buffer{}, &bytes.Buffer{}, time.Now())
		if err == nil || !strings.Contains(err.Error(), c.want) || strings.Contains(err.Error(), "s3cr3t") {
			t.Errorf("%v: %v, want an error saying %q", c.args, err, c.want)
		}
	}
}
