package ledger

import (
	"strconv"
	"time"
)

// dialect is what differs between SQLite and PostgreSQL.
type dialect struct {
	name        string
	placeholder func(n int) string // the nth (from 1) parameter
	timeArg     func(t time.Time) any
	dayExpr     string // the UTC day of ts, as YYYY-MM-DD
}

var sqliteDialect = dialect{
	name:        "sqlite",
	placeholder: func(int) string { return "?" },
	timeArg:     func(t time.Time) any { return t.UnixMicro() },
	dayExpr:     "strftime('%Y-%m-%d', ts / 1000000, 'unixepoch')",
}

var postgresDialect = dialect{
	name:        "postgres",
	placeholder: func(n int) string { return "$" + strconv.Itoa(n) },
	timeArg:     func(t time.Time) any { return t.UTC() },
	dayExpr:     "to_char(ts AT TIME ZONE 'UTC', 'YYYY-MM-DD')",
}
