package ledger

import (
	"context"
	"fmt"
	"strings"
)

// Querier answers reports; DB is one, and tests may give another.
type Querier interface {
	Usage(ctx context.Context, f Filter, by []Dimension) ([]Total, error)
}

// column is the SQL of each dimension.
func (d dialect) column(dim Dimension) string {
	switch dim {
	case ByDay:
		return d.dayExpr
	case ByOrg:
		return "org_id"
	case ByClient:
		return "client_id"
	case ByPerson:
		return "person"
	case ByModel:
		return "model"
	}
	return ""
}

// Usage is the usage and cost of the rows f selects, one Total per group of
// the dimensions by (none: one Total for everything), ordered by them.
func (db *DB) Usage(ctx context.Context, f Filter, by []Dimension) ([]Total, error) {
	if err := checkGrouping(by); err != nil {
		return nil, err
	}
	d := db.dialect
	var where []string
	var args []any
	cond := func(expr string, v any) {
		args = append(args, v)
		where = append(where, expr+d.placeholder(len(args)))
	}
	if !f.From.IsZero() {
		cond("ts >= ", d.timeArg(f.From))
	}
	if !f.To.IsZero() {
		cond("ts < ", d.timeArg(f.To))
	}
	for _, c := range []struct{ col, v string }{{"org_id", f.Org}, {"client_id", f.Client}, {"person", f.Person}, {"model", f.Model}} {
		if c.v != "" {
			cond(c.col+" = ", c.v)
		}
	}
	cols := make([]string, len(by))
	for i, dim := range by {
		cols[i] = d.column(dim)
	}
	q := "SELECT "
	if len(cols) > 0 {
		q += strings.Join(cols, ", ") + ", "
	}
	q += "COUNT(*), COUNT(CASE WHEN status >= 400 THEN 1 END), COUNT(CASE WHEN unmetered THEN 1 END), " +
		"COALESCE(SUM(input_tokens), 0), COALESCE(SUM(output_tokens), 0), COALESCE(SUM(cost_micros), 0) FROM model_usage"
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	if len(cols) > 0 {
		order := make([]string, len(cols))
		for i := range cols {
			order[i] = fmt.Sprint(i + 1)
		}
		q += " GROUP BY " + strings.Join(order, ", ") + " ORDER BY " + strings.Join(order, ", ")
	}
	rows, err := db.sql.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("ledger: reading usage from %s: %w", db.where, err)
	}
	defer rows.Close()
	var out []Total
	for rows.Next() {
		var t Total
		dest := make([]any, 0, len(by)+6)
		for _, dim := range by {
			dest = append(dest, t.field(dim))
		}
		dest = append(dest, &t.Calls, &t.Errors, &t.Unmetered, &t.InputTokens, &t.OutputTokens, &t.CostMicros)
		if err := rows.Scan(dest...); err != nil {
			return nil, err
		}
		if len(by) == 0 && t.Calls == 0 {
			continue // no rows: no group
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// checkGrouping refuses unknown and repeated dimensions.
func checkGrouping(by []Dimension) error {
	seen := map[Dimension]bool{}
	for _, d := range by {
		if sqliteDialect.column(d) == "" {
			return fmt.Errorf("cannot group by %q: use %s", d, dimensionList())
		}
		if seen[d] {
			return fmt.Errorf("%q is named twice in the grouping", d)
		}
		seen[d] = true
	}
	return nil
}

func dimensionList() string {
	s := make([]string, len(Dimensions))
	for i, d := range Dimensions {
		s[i] = string(d)
	}
	return strings.Join(s, ", ")
}

// ParseDimensions reads a comma-separated grouping ("org,model").
func ParseDimensions(s string) ([]Dimension, error) {
	var by []Dimension
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			by = append(by, Dimension(strings.ToLower(p)))
		}
	}
	return by, checkGrouping(by)
}
