package ledger

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"
	_ "modernc.org/sqlite" // the "sqlite" database/sql driver, pure Go
)

// DB is the ledger's database: SQLite or PostgreSQL.
type DB struct {
	sql     *sql.DB
	dialect dialect
	where   string        // the database, for messages: a path, or a DSN without its password
	sqlite  *sqliteInsert // SQLite's prepared insert; nil on PostgreSQL
}

// DialFunc dials PostgreSQL; tests count the round trips through it.
type DialFunc func(ctx context.Context, network, addr string) (net.Conn, error)

// Open opens the database named by dsn and brings its schema up to date:
//
//	sqlite:PATH                          one file, created if missing (the default of one gateway)
//	postgres://USER:PASS@HOST:5432/DB    shared by every gateway replica (also postgresql://)
func Open(ctx context.Context, dsn string) (*DB, error) {
	return open(ctx, dsn, nil)
}

func open(ctx context.Context, dsn string, dial DialFunc) (*DB, error) {
	db, err := connect(dsn, dial)
	if err != nil {
		return nil, err
	}
	if err := db.migrate(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

func connect(dsn string, dial DialFunc) (*DB, error) {
	switch {
	case strings.HasPrefix(dsn, "sqlite:"):
		path := strings.TrimPrefix(strings.TrimPrefix(dsn, "sqlite:"), "//")
		if path == "" {
			return nil, errors.New("ledger: sqlite: needs a file path, as in sqlite:/var/lib/gateway/ledger.db")
		}
		keepBalanceScratch()
		db, err := sql.Open("sqlite", sqliteSource(path))
		if err != nil {
			return nil, fmt.Errorf("ledger: opening %s: %w", path, err)
		}
		return &DB{sql: db, dialect: sqliteDialect, where: path, sqlite: &sqliteInsert{}}, nil
	case strings.HasPrefix(dsn, "postgres://"), strings.HasPrefix(dsn, "postgresql://"):
		where := Redact(dsn)
		cfg, err := pgx.ParseConfig(dsn)
		if err != nil {
			return nil, fmt.Errorf("ledger: %s is not a PostgreSQL URL we can use: %s", where, redactErr(err, dsn))
		}
		// One round trip per statement: the exec mode sends parse, bind
		// and execute together (the default would prepare each new
		// statement first, and a batch's statement varies with its rows).
		cfg.DefaultQueryExecMode = pgx.QueryExecModeExec
		if dial != nil {
			cfg.DialFunc = pgconn.DialFunc(dial)
		}
		db := stdlib.OpenDB(*cfg)
		db.SetMaxOpenConns(8)
		db.SetConnMaxIdleTime(5 * time.Minute)
		return &DB{sql: db, dialect: postgresDialect, where: where}, nil
	}
	return nil, fmt.Errorf("ledger: the database %q is neither sqlite:PATH nor postgres://...", Redact(dsn))
}

// sqliteSource is the SQLite driver's data source for the file at path.
// WAL lets reports read while the writer writes; busy_timeout makes a
// second process (cmd/usage) wait for a lock instead of failing.
func sqliteSource(path string) string {
	return "file:" + path + "?_pragma=journal_mode(WAL)&_pragma=busy_timeout(10000)&_pragma=synchronous(NORMAL)"
}

// Close closes the database.
func (db *DB) Close() error {
	if db.sqlite != nil {
		return errors.Join(db.sqlite.close(), db.sql.Close())
	}
	return db.sql.Close()
}

// Redact is dsn with its password (in the URL or as a password= parameter)
// replaced by "xxxxx", for messages and logs.
func Redact(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil || u.Scheme == "" || u.Opaque != "" {
		if strings.Contains(dsn, "@") || strings.Contains(strings.ToLower(dsn), "password") {
			return "(a database URL that does not parse; not shown, as it may hold a password)"
		}
		return dsn
	}
	if _, ok := u.User.Password(); ok {
		u.User = url.UserPassword(u.User.Username(), "xxxxx")
	}
	q := u.Query()
	if q.Has("password") {
		q.Set("password", "xxxxx")
		u.RawQuery = q.Encode()
	}
	return u.String()
}

// redactErr is err's text without dsn's password, which some drivers quote.
func redactErr(err error, dsn string) string {
	msg := err.Error()
	if u, perr := url.Parse(dsn); perr == nil {
		if pw, ok := u.User.Password(); ok && pw != "" {
			msg = strings.ReplaceAll(msg, pw, "xxxxx")
			msg = strings.ReplaceAll(msg, url.QueryEscape(pw), "xxxxx")
		}
		if pw := u.Query().Get("password"); pw != "" {
			msg = strings.ReplaceAll(msg, pw, "xxxxx")
		}
	}
	return msg
}
