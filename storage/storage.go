// Package storage holds the node's queries and migrations. The same code runs on the
// embedded SQLite default and on PostgreSQL.
package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/atrium-intranet/atrium/internal/reqlog"
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect"
	"github.com/uptrace/bun/dialect/pgdialect"
	"github.com/uptrace/bun/dialect/sqlitedialect"
	"github.com/uptrace/bun/driver/pgdriver"
	_ "modernc.org/sqlite" // registers the pure-Go "sqlite" driver
)

// ErrNotFound is returned when a looked-up row does not exist.
var ErrNotFound = errors.New("not found")

// ErrConcurrentWrite means another request wrote the same row at the same moment (on
// PostgreSQL a unique violation or deadlock between two upserts of one remote actor): the
// caller's transaction may simply run again.
var ErrConcurrentWrite = errors.New("concurrent write")

// ErrConflict is returned when a unique value (username, email, URI) is already taken.
var ErrConflict = errors.New("already exists")

// Store runs queries against the database or, inside InTx, against one transaction.
type Store struct {
	db  bun.IDB
	raw *bun.DB
	// afterCommit collects what to run once the transaction commits (nil outside one).
	afterCommit *[]func()
	// caches serve AllowedPeer and CachedRemoteAccount; shared with transactions.
	caches *caches
}

// New wraps an open database.
func New(db *bun.DB) *Store { return &Store{db: db, raw: db, caches: newCaches()} }

// DB is the underlying database, for migrations and health checks.
func (s *Store) DB() *bun.DB { return s.raw }

// Postgres reports whether the store runs on PostgreSQL.
func (s *Store) Postgres() bool { return s.raw.Dialect().Name() == dialect.PG }

// InTx runs fn with a Store bound to one transaction, committing when fn returns nil.
// Every multi-row change goes through here so it lands whole or not at all.
func (s *Store) InTx(ctx context.Context, fn func(tx *Store) error) error {
	if _, ok := s.db.(bun.Tx); ok {
		return fn(s) // already inside a transaction
	}
	var hooks []func()
	err := s.raw.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		return fn(&Store{db: tx, raw: s.raw, afterCommit: &hooks, caches: s.caches})
	})
	if err == nil {
		for _, h := range hooks {
			h()
		}
	}
	return err
}

// AfterCommit runs fn once the current transaction has committed, or at once outside a
// transaction. It is how a change wakes the delivery worker without the worker seeing
// rows that may still roll back.
func (s *Store) AfterCommit(fn func()) {
	if s.afterCommit == nil {
		fn()
		return
	}
	*s.afterCommit = append(*s.afterCommit, fn)
}

// Ping checks that the database answers.
func (s *Store) Ping(ctx context.Context) error { return s.raw.PingContext(ctx) }

// Close closes the database.
func (s *Store) Close() error { return s.raw.Close() }

// Open connects to PostgreSQL when databaseURL is set, otherwise to the SQLite file at
// sqlitePath (creating its directory), with WAL, a busy timeout and foreign keys on.
func Open(databaseURL, sqlitePath string) (*bun.DB, error) {
	if databaseURL != "" {
		sqldb := sql.OpenDB(lazyBeginConnector{pgdriver.NewConnector(pgdriver.WithDSN(databaseURL))})
		sqldb.SetMaxOpenConns(20)
		// database/sql keeps only 2 idle connections by default: under concurrent requests
		// every other query would open a new connection (a PostgreSQL backend fork).
		sqldb.SetMaxIdleConns(20)
		return withQueryCount(bun.NewDB(sqldb, pgdialect.New())), nil
	}
	if err := os.MkdirAll(filepath.Dir(sqlitePath), 0o750); err != nil {
		return nil, fmt.Errorf("create data directory: %w", err)
	}
	sqldb, err := sql.Open("sqlite", SQLiteDSN(sqlitePath))
	if err != nil {
		return nil, fmt.Errorf("open sqlite: %w", err)
	}
	// SQLite allows one writer; immediate transactions plus the busy timeout queue writers
	// instead of failing them with SQLITE_BUSY.
	sqldb.SetMaxOpenConns(8)
	// Keep them all open: a new connection re-reads the schema and reruns the pragmas.
	sqldb.SetMaxIdleConns(8)
	return withQueryCount(bun.NewDB(sqldb, sqlitedialect.New())), nil
}

// withQueryCount adds each query's time to its request's count (reqlog.WithQueries),
// which the access log shows as queries and db_ms.
func withQueryCount(db *bun.DB) *bun.DB {
	db.AddQueryHook(queryCounter{})
	return db
}

type queryCounter struct{}

func (queryCounter) BeforeQuery(ctx context.Context, _ *bun.QueryEvent) context.Context { return ctx }

func (queryCounter) AfterQuery(ctx context.Context, e *bun.QueryEvent) {
	reqlog.CountQuery(ctx, time.Since(e.StartTime))
}

// SQLiteDSN is the connection string for a database file with the node's pragmas.
func SQLiteDSN(path string) string {
	return "file:" + path + "?_pragma=journal_mode(WAL)&_pragma=busy_timeout(10000)" +
		"&_pragma=foreign_keys(1)&_pragma=synchronous(NORMAL)&_pragma=cache_size(-16000)&_txlock=immediate"
}

// pgCode is the SQLSTATE of a PostgreSQL error in err's chain, or "".
func pgCode(err error) string {
	var pgErr pgdriver.Error
	if errors.As(err, &pgErr) {
		return pgErr.Field('C')
	}
	return ""
}

// isDeadlock recognises PostgreSQL's deadlock_detected: the statement was aborted to
// break a lock cycle and may be run again.
func isDeadlock(err error) bool { return pgCode(err) == "40P01" }

// isUniqueViolation recognises unique-constraint errors of both databases.
func isUniqueViolation(err error) bool {
	if err == nil {
		return false
	}
	if code := pgCode(err); code != "" {
		return code == "23505"
	}
	msg := err.Error()
	return strings.Contains(msg, "UNIQUE constraint failed") || strings.Contains(msg, "constraint failed: UNIQUE")
}

// notFound maps sql.ErrNoRows to ErrNotFound and wraps other errors with context.
func notFound(err error, what string) error {
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("%s: %w", what, ErrNotFound)
	}
	return fmt.Errorf("%s: %w", what, err)
}
