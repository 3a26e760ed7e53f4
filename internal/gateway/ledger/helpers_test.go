package ledger

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"net"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/model-api-auth0/model-api-auth0/internal/testing/pgtest"
)

// backend is a database a test runs on.
type backend struct {
	name string
	dsn  func(t testing.TB) string
}

var backends = []backend{
	{"sqlite", func(t testing.TB) string { return "sqlite:" + filepath.Join(t.TempDir(), "ledger.db") }},
	{"postgres", func(t testing.TB) string { return pgtest.Start(t).DSN }},
}

// eachDB runs f on both databases.
func eachDB(t *testing.T, f func(t *testing.T, dsn string)) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) { f(t, b.dsn(t)) })
	}
}

func openT(t testing.TB, dsn string) *DB {
	t.Helper()
	db, err := Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// row is a call with every field set from n.
func row(n int, at time.Time) Row {
	return Row{RequestID: fmt.Sprintf("req-%07d", n), Time: at, Org: "org_a", Client: "client_1", Person: "auth0|p1",
		Model: "llama", Server: "http://10.0.0.1:8000", InputTokens: int64(n), OutputTokens: 2 * int64(n),
		CostMicros: 3 * int64(n), Status: 200, Duration: time.Duration(n) * time.Millisecond}
}

// count is the rows of the ledger, and how many distinct request IDs.
func count(t testing.TB, db *DB) (rows, distinct int) {
	t.Helper()
	if err := db.sql.QueryRow("SELECT COUNT(*), COUNT(DISTINCT request_id) FROM model_usage").Scan(&rows, &distinct); err != nil {
		t.Fatal(err)
	}
	return rows, distinct
}

// countingWriter counts the batches written through it.
type countingWriter struct {
	w       Writer
	mu      sync.Mutex
	batches []int
}

func (c *countingWriter) WriteRows(ctx context.Context, rows []Row) error {
	err := c.w.WriteRows(ctx, rows)
	if err == nil {
		c.mu.Lock()
		c.batches = append(c.batches, len(rows))
		c.mu.Unlock()
	}
	return err
}

// roundTrips counts a PostgreSQL client's round trips on the wire: each
// time it writes after having read (or first writes) starts one.
type roundTrips struct{ n atomic.Int64 }

func (rt *roundTrips) dial(ctx context.Context, network, addr string) (net.Conn, error) {
	c, err := (&net.Dialer{}).DialContext(ctx, network, addr)
	if err != nil {
		return nil, err
	}
	return &tripConn{Conn: c, rt: rt}, nil
}

type tripConn struct {
	net.Conn
	rt      *roundTrips
	writing bool
}

func (c *tripConn) Write(p []byte) (int, error) {
	if !c.writing {
		c.writing = true
		c.rt.n.Add(1)
	}
	return c.Conn.Write(p)
}

func (c *tripConn) Read(p []byte) (int, error) {
	c.writing = false
	return c.Conn.Read(p)
}

// countWrites makes db (SQLite, which has no wire to count round trips on)
// count its writes from now on: each transaction (BEGIN to COMMIT, which
// appends to the WAL once) and each statement outside one. Statements
// inside a transaction are calls into the same process, not round trips.
func countWrites(t testing.TB, db *DB) *atomic.Int64 {
	t.Helper()
	if db.dialect.name != "sqlite" {
		t.Fatalf("countWrites: %s: count its round trips on the wire (roundTrips)", db.dialect.name)
	}
	n := new(atomic.Int64)
	old := db.sql
	if err := db.sqlite.close(); err != nil { // prepared on old
		t.Fatal(err)
	}
	db.sql = sql.OpenDB(countingConnector{drv: old.Driver(), name: sqliteSource(db.where), n: n})
	old.Close()
	return n
}

type countingConnector struct {
	drv  driver.Driver
	name string
	n    *atomic.Int64
}

func (c countingConnector) Connect(context.Context) (driver.Conn, error) {
	conn, err := c.drv.Open(c.name)
	if err != nil {
		return nil, err
	}
	full, ok := conn.(fullConn)
	if !ok {
		conn.Close()
		return nil, fmt.Errorf("the driver's connection %T lacks the context methods", conn)
	}
	return &countingConn{fullConn: full, n: c.n}, nil
}

func (c countingConnector) Driver() driver.Driver { return c.drv }

type fullConn interface {
	driver.Conn
	driver.ExecerContext
	driver.QueryerContext
	driver.ConnPrepareContext
	driver.ConnBeginTx
}

type fullStmt interface {
	driver.Stmt
	driver.StmtExecContext
	driver.StmtQueryContext
}

// countingConn counts transactions begun, and statements run outside one
// (directly or prepared).
type countingConn struct {
	fullConn
	n    *atomic.Int64
	inTx bool // database/sql uses a connection from one goroutine at a time
}

func (c *countingConn) count() {
	if !c.inTx {
		c.n.Add(1)
	}
}

func (c *countingConn) ExecContext(ctx context.Context, q string, args []driver.NamedValue) (driver.Result, error) {
	c.count()
	return c.fullConn.ExecContext(ctx, q, args)
}

func (c *countingConn) QueryContext(ctx context.Context, q string, args []driver.NamedValue) (driver.Rows, error) {
	c.count()
	return c.fullConn.QueryContext(ctx, q, args)
}

func (c *countingConn) PrepareContext(ctx context.Context, q string) (driver.Stmt, error) {
	s, err := c.fullConn.PrepareContext(ctx, q)
	if err != nil {
		return nil, err
	}
	full, ok := s.(fullStmt)
	if !ok {
		s.Close()
		return nil, fmt.Errorf("the driver's statement %T lacks the context methods", s)
	}
	return &countingStmt{fullStmt: full, c: c}, nil
}

func (c *countingConn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	tx, err := c.fullConn.BeginTx(ctx, opts)
	if err != nil {
		return nil, err
	}
	c.n.Add(1)
	c.inTx = true
	return &countingTx{Tx: tx, c: c}, nil
}

type countingTx struct {
	driver.Tx
	c *countingConn
}

func (t *countingTx) Commit() error   { t.c.inTx = false; return t.Tx.Commit() }
func (t *countingTx) Rollback() error { t.c.inTx = false; return t.Tx.Rollback() }

type countingStmt struct {
	fullStmt
	c *countingConn
}

func (s *countingStmt) ExecContext(ctx context.Context, args []driver.NamedValue) (driver.Result, error) {
	s.c.count()
	return s.fullStmt.ExecContext(ctx, args)
}

func (s *countingStmt) QueryContext(ctx context.Context, args []driver.NamedValue) (driver.Rows, error) {
	s.c.count()
	return s.fullStmt.QueryContext(ctx, args)
}
