package ledger

import (
	"context"
	"strings"
	"unicode/utf8"
)

const insertColumns = "request_id, ts, org_id, client_id, person, model, server, input_tokens, output_tokens, unmetered, cost_micros, status, duration_us"

const columnsPerRow = 13

// WriteRows writes rows in one statement (one round trip) on PostgreSQL, in
// statements of at most sqliteRowsPerStatement rows on SQLite, keeping the
// row already there for a request ID written before: a batch retried after
// an error that came after its commit (or after some of its statements)
// adds nothing.
func (db *DB) WriteRows(ctx context.Context, rows []Row) error {
	for len(rows) > 0 {
		n := len(rows)
		if db.dialect.maxRowsPerStatement > 0 {
			n = min(n, db.dialect.maxRowsPerStatement)
		}
		if err := db.writeStatement(ctx, rows[:n]); err != nil {
			return err
		}
		rows = rows[n:]
	}
	return nil
}

// sqliteRowsPerStatement bounds SQLite's statements: its driver
// (modernc.org/sqlite) looks each parameter up by a scan of the arguments,
// so that binding a statement of n parameters takes n*n/2 steps. At 500
// rows (6,500 parameters) that was 35 us a row, more than the gateway
// spent on the request; at 100 rows it is a fifth, and a statement per 100
// rows is the ledger's bound on round trips all the same.
const sqliteRowsPerStatement = 100

func (db *DB) writeStatement(ctx context.Context, rows []Row) error {
	var b strings.Builder
	b.Grow(len(rows)*columnsPerRow*5 + 128)
	b.WriteString("INSERT INTO model_usage (" + insertColumns + ") VALUES ")
	args := make([]any, 0, len(rows)*columnsPerRow)
	for i := range rows {
		r := &rows[i]
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteByte('(')
		for c := range columnsPerRow {
			if c > 0 {
				b.WriteByte(',')
			}
			b.WriteString(db.dialect.placeholder(len(args) + c + 1))
		}
		b.WriteByte(')')
		var in, out any // NULL when unmetered
		if !r.Unmetered {
			in, out = r.InputTokens, r.OutputTokens
		}
		args = append(args, clean(r.RequestID), db.dialect.timeArg(r.Time), clean(r.Org), clean(r.Client),
			clean(r.Person), clean(r.Model), clean(r.Server), in, out, r.Unmetered, r.CostMicros, r.Status,
			r.Duration.Microseconds())
	}
	b.WriteString(" ON CONFLICT (request_id) DO NOTHING")
	_, err := db.sql.ExecContext(ctx, b.String(), args...)
	return err
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
