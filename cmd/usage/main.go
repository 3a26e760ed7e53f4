// Command usage prints the usage and cost recorded in the gateway's ledger:
//
//	go run ./cmd/usage -db sqlite:/var/lib/gateway/ledger.db -from 2026-11-01 -to 2026-12-01 -by org,model
//	LEDGER_DB=postgres://reports@db:5432/gateway go run ./cmd/usage -by day -org org_123 -format csv > nov.csv
//
// The period is [from, to) in UTC; without -from and -to, the current
// month. -by groups by any of day, org, client, person and model (none: one
// line for everything); -org, -client, -person and -model keep only the
// calls they name. Formats: table (for people, with a total line), csv and
// json. With -stack-outputs, -org and -client take the stack's names too,
// and the report shows organizations and clients by those names.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/model-api-auth0/model-api-auth0/internal/gateway/ledger"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr, time.Now()); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "usage:", err)
		}
		os.Exit(2)
	}
}

func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer, now time.Time) error {
	fs := flag.NewFlagSet("usage", flag.ContinueOnError)
	fs.SetOutput(stderr)
	dsn := fs.String("db", getenv("LEDGER_DB"), "the ledger: sqlite:PATH or postgres://USER@HOST:5432/DB (env LEDGER_DB); a password is better given in PGPASSWORD or ~/.pgpass")
	month := time.Date(now.UTC().Year(), now.UTC().Month(), 1, 0, 0, 0, 0, time.UTC)
	from := fs.String("from", month.Format(time.DateOnly), "the first day (UTC) or RFC 3339 time of the period")
	to := fs.String("to", month.AddDate(0, 1, 0).Format(time.DateOnly), "the end of the period, excluded")
	by := fs.String("by", "", "group by: a comma-separated list of day, org, client, person, model")
	format := fs.String("format", "table", "table, csv or json")
	var f ledger.Filter
	outputs := fs.String("stack-outputs", getenv("STACK_OUTPUTS"), "the stack outputs (pulumi stack output --json): organizations and clients by name in -org, -client and the report (env STACK_OUTPUTS)")
	fs.StringVar(&f.Org, "org", "", "only this organization: org_... (or its name, with -stack-outputs)")
	fs.StringVar(&f.Client, "client", "", "only this client ID (or its name, with -stack-outputs)")
	fs.StringVar(&f.Person, "person", "", "only this person (the token's subject)")
	fs.StringVar(&f.Model, "model", "", "only this model")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q: every setting is a flag (-h lists them)", fs.Args())
	}
	var err error
	if f.From, err = ledger.ParseTime("-from", *from); err != nil {
		return err
	}
	if f.To, err = ledger.ParseTime("-to", *to); err != nil {
		return err
	}
	if !f.To.After(f.From) {
		return fmt.Errorf("-to (%s) must come after -from (%s): the period is [from, to)", *to, *from)
	}
	dims, err := ledger.ParseDimensions(*by)
	if err != nil {
		return fmt.Errorf("-by: %w", err)
	}
	if !slices.Contains(ledger.Formats, *format) {
		return fmt.Errorf("-format %q: use %s", *format, strings.Join(ledger.Formats, ", "))
	}
	var stack *names
	if *outputs != "" {
		if stack, err = loadNames(*outputs); err != nil {
			return err
		}
		if err := stack.resolve(&f); err != nil {
			return err
		}
	}
	if *dsn == "" {
		return errors.New("which ledger? give -db sqlite:PATH or -db postgres://..., or set LEDGER_DB")
	}
	db, err := ledger.OpenReports(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	totals, err := db.Usage(ctx, f, dims)
	if err != nil {
		return err
	}
	if stack != nil {
		stack.rename(totals)
	}
	return ledger.WriteReport(stdout, *format, dims, totals)
}
