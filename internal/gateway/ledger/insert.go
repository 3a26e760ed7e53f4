package ledger

import (
	"context"
	"strings"
	"unicode/utf8"
)

const insertColumns = "request_id, ts, org_id, client_id, person, model, server, input_tokens, output_tokens, unmetered, cost_micros, status, duration_us"

const columnsPerRow = 13

// WriteRows writes rows in one statement (one round trip) on PostgreSQL,
// in one transaction on SQLite (writeSQLite), keeping the row already there
// for a request ID written before: a batch retried after an error that
// came after its commit adds nothing.
func (db *DB) WriteRows(ctx context.Context, rows []Row) error {
	if len(rows) == 0 {
		return nil
	}
	if db.sqlite != nil {
		return db.writeSQLite(ctx, rows)
	}
	_, err := db.sql.ExecContext(ctx, insertSQL(db.dialect, len(rows)), appendArgs(nil, db.dialect, rows)...)
	return err
}

// insertSQL is the statement inserting n rows.
func insertSQL(d dialect, n int) string {
	var b strings.Builder
	b.Grow(n*columnsPerRow*5 + 128)
	b.WriteString("INSERT INTO model_usage (" + insertColumns + ") VALUES ")
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteByte('(')
		for c := range columnsPerRow {
			if c > 0 {
				b.WriteByte(',')
			}
			b.WriteString(d.placeholder(i*columnsPerRow + c + 1))
		}
		b.WriteByte(')')
	}
	b.WriteString(" ON CONFLICT (request_id) DO NOTHING")
	return b.String()
}

// appendArgs appends the parameters of rows, in insertColumns' order.
func appendArgs(args []any, d dialect, rows []Row) []any {
	for i := range rows {
		r := &rows[i]
		var in, out any // NULL when unmetered
		if !r.Unmetered {
			in, out = r.InputTokens, r.OutputTokens
		}
		args = append(args, clean(r.RequestID), d.timeArg(r.Time), clean(r.Org), clean(r.Client),
			clean(r.Person), clean(r.Model), clean(r.Server), in, out, r.Unmetered, r.CostMicros, r.Status,
			r.Duration.Microseconds())
	}
	return args
}

// clean makes s storable in PostgreSQL's text, which refuses NUL and
// invalid UTF-8: a row that the database would refuse would otherwise fail
// its whole batch at every retry. (Values come from verified tokens and the
// gateway's configuration, so this is a guard, not a common path.)
func clean(s string) string {
	if utf8.ValidString(s) && strings.IndexByte(s, 0) < 0 {
		return s
	}
	return strings.ReplaceAll(strings.ToValidUTF8(s, "\uFFFD"), "\x00", "\uFFFD")
}
