package ledger

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"os"
	"strings"

	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
)

// The schema's migrations, one directory per dialect (the types differ:
// SQLite has no time or boolean type). A new migration is a new numbered
// file in both, one that does nothing where the change is not needed (as
// PostgreSQL's 00002): the versions stay the same in both.
//
//go:embed migrations
var migrations embed.FS

// versionTable is the migrations' bookkeeping, named for the ledger so that
// it can share a database with other schemas.
const versionTable = "ledger_schema_version"

// migrationLockID is the PostgreSQL advisory lock held while migrating
// ("ledg" in ASCII: a number of the ledger's own).
const migrationLockID = 0x6c656467

// migrate applies the migrations not applied yet. On PostgreSQL, replicas
// starting together take turns through an advisory lock.
func (db *DB) migrate(ctx context.Context) error {
	p, err := db.migrations()
	if err != nil {
		return err
	}
	if _, err := p.Up(ctx); err != nil {
		return fmt.Errorf("ledger: bringing the schema of %s up to date: %w (check that the database is reachable and the user may create tables)", db.where, err)
	}
	return nil
}

// migrations is the goose provider of db's dialect.
func (db *DB) migrations() (*goose.Provider, error) {
	fsys, err := fs.Sub(migrations, "migrations/"+db.dialect.name)
	if err != nil {
		return nil, err
	}
	opts := []goose.ProviderOption{goose.WithTableName(versionTable), goose.WithDisableGlobalRegistry(true)}
	gd := goose.DialectSQLite3
	if db.dialect.name == "postgres" {
		gd = goose.DialectPostgres
		// The ledger's own lock (goose's default is shared by every goose
		// user of the database), tried every second for five minutes.
		locker, err := lock.NewPostgresSessionLocker(lock.WithLockID(migrationLockID), lock.WithLockTimeout(1, 300))
		if err != nil {
			return nil, err
		}
		opts = append(opts, goose.WithSessionLocker(locker))
	}
	p, err := goose.NewProvider(gd, db.sql, fsys, opts...)
	if err != nil {
		return nil, fmt.Errorf("ledger: migrations of %s: %w", db.where, err)
	}
	return p, nil
}

// SchemaVersion is the version of the last migration applied.
func (db *DB) SchemaVersion(ctx context.Context) (int64, error) {
	var v int64
	err := db.sql.QueryRowContext(ctx, "SELECT COALESCE(MAX(version_id), 0) FROM "+versionTable+" WHERE is_applied").Scan(&v)
	return v, err
}

// OpenReports opens the ledger named by dsn to read reports, without
// migrating it: a reporting user may only read, and a report must not
// create a ledger where there was none.
func OpenReports(ctx context.Context, dsn string) (*DB, error) {
	if path, ok := strings.CutPrefix(dsn, "sqlite:"); ok {
		if _, err := os.Stat(strings.TrimPrefix(path, "//")); err != nil {
			return nil, fmt.Errorf("ledger: no ledger at %s: give the file the gateway writes", path)
		}
	}
	db, err := connect(dsn, nil)
	if err != nil {
		return nil, err
	}
	if _, err := db.SchemaVersion(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("ledger: %s holds no ledger, or cannot be read (%w): give the database the gateway writes to", db.where, err)
	}
	return db, nil
}
