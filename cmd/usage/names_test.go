package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// outputsFile is stack outputs naming org_a "acme" and client c1
// "batch-scorer" (org_b and c2 are not in them).
func outputsFile(t *testing.T) string {
	path := filepath.Join(t.TempDir(), "outputs.json")
	body := `{"audience": "https://api.example.com/", "issuer": "https://tenant.example.com/",
		"organizations": {"acme": "org_a"}, "clients": {"batch-scorer": {"clientId": "c1"}}}`
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestReportByStackNames(t *testing.T) {
	ledgerPath, outputs := ledgerFile(t), outputsFile(t)
	now := time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC)
	noEnv := func(string) string { return "" }
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"-by", "org,client", "-format", "csv"},
			"org,client,calls,errors,unmetered,input_tokens,output_tokens,cost\nacme,batch-scorer,1,0,0,10,20,1.500000\norg_b,c2,1,0,0,1,2,0.250000\n"},
		{[]string{"-by", "client", "-org", "acme", "-format", "csv"},
			"client,calls,errors,unmetered,input_tokens,output_tokens,cost\nbatch-scorer,1,0,0,10,20,1.500000\n"},
		{[]string{"-by", "org", "-client", "batch-scorer", "-format", "csv"},
			"org,calls,errors,unmetered,input_tokens,output_tokens,cost\nacme,1,0,0,10,20,1.500000\n"},
		{[]string{"-by", "org", "-org", "org_a", "-format", "csv"}, // an ID still works
			"org,calls,errors,unmetered,input_tokens,output_tokens,cost\nacme,1,0,0,10,20,1.500000\n"},
	} {
		var out bytes.Buffer
		args := append([]string{"-db", "sqlite:" + ledgerPath, "-stack-outputs", outputs}, c.args...)
		if err := run(context.Background(), args, noEnv, &out, &bytes.Buffer{}, now); err != nil {
			t.Fatalf("%v: %v", c.args, err)
		}
		if out.String() != c.want {
			t.Errorf("%v:\n%s\nwant\n%s", c.args, out.String(), c.want)
		}
	}
	err := run(context.Background(), []string{"-db", "sqlite:" + ledgerPath, "-stack-outputs", outputs, "-org", "acmee", "-client", "scorer"},
		noEnv, &bytes.Buffer{}, &bytes.Buffer{}, now)
	for _, want := range []string{`-org "acmee": the stack outputs have no organization of that name or ID (it has: acme)`,
		`-client "scorer": the stack outputs have no client of that name or ID (it has: batch-scorer)`} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("unknown names: %v, want %q", err, want)
		}
	}
}
