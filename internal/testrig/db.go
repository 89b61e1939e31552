// Package testrig is the shared test kit: databases on SQLite and PostgreSQL built by the
// real migrations, fast precomputed keys, and named fixtures.
package testrig

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/atrium-intranet/atrium/storage"
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/driver/pgdriver"
)

// DefaultPostgresURL is used when ATRIUM_TEST_DATABASE_URL is not set.
const DefaultPostgresURL = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"

// Dialects names the databases every storage test runs on.
var Dialects = []string{"sqlite", "postgres"}

// EachDB runs fn once per database as subtests, each on a fresh, migrated database.
func EachDB(t *testing.T, fn func(t *testing.T, store *storage.Store)) {
	t.Helper()
	for _, d := range Dialects {
		t.Run(d, func(t *testing.T) {
			fn(t, NewStore(t, d))
		})
	}
}

// NewStore returns a migrated store on the named dialect ("sqlite" or "postgres").
func NewStore(t testing.TB, dialect string) *storage.Store {
	t.Helper()
	db := NewDB(t, dialect)
	if _, err := storage.Migrate(context.Background(), db); err != nil {
		t.Fatalf("migrate %s: %v", dialect, err)
	}
	return storage.New(db)
}

// NewDB returns an empty database: a SQLite file in a temp dir, or a fresh PostgreSQL
// schema dropped when the test ends. PostgreSQL being unreachable skips the test with a
// visible message, except under CI=true where it fails.
func NewDB(t testing.TB, dialect string) *bun.DB {
	t.Helper()
	if dialect == "sqlite" {
		db, err := storage.Open("", filepath.Join(t.TempDir(), "atrium.db"))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = db.Close() })
		return db
	}
	url := PostgresURL()
	schema := "t_" + randomHex(8)
	admin := sql.OpenDB(pgdriver.NewConnector(pgdriver.WithDSN(url), pgdriver.WithTimeout(5*time.Second)))
	defer admin.Close()
	ctx := context.Background()
	if err := admin.PingContext(ctx); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("PostgreSQL at %s is required under CI=true: %v", url, err)
		}
		t.Skipf("SKIPPED: PostgreSQL at %s unreachable (%v); set ATRIUM_TEST_DATABASE_URL", url, err)
	}
	if _, err := admin.ExecContext(ctx, "CREATE SCHEMA "+schema); err != nil {
		t.Fatalf("create schema: %v", err)
	}
	// Through storage.Open, so tests run on the node's own connection setup.
	sep := "?"
	if strings.Contains(url, "?") {
		sep = "&"
	}
	db, err := storage.Open(url+sep+"search_path="+schema, "")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = db.Close()
		drop := sql.OpenDB(pgdriver.NewConnector(pgdriver.WithDSN(url)))
		defer drop.Close()
		_, _ = drop.ExecContext(context.Background(), "DROP SCHEMA "+schema+" CASCADE")
	})
	return db
}

// PostgresURL is the test database server's URL.
func PostgresURL() string {
	if u := os.Getenv("ATRIUM_TEST_DATABASE_URL"); u != "" {
		return u
	}
	return DefaultPostgresURL
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// DatabaseURL returns a database URL for a whole node under test: "" (SQLite in the node's
// data directory) for "sqlite", or a fresh PostgreSQL schema selected by search_path,
// dropped when the test ends. PostgreSQL being unreachable skips, or fails under CI=true.
func DatabaseURL(t testing.TB, dialect string) string {
	t.Helper()
	if dialect == "sqlite" {
		return ""
	}
	url := PostgresURL()
	schema := "n_" + randomHex(8)
	admin := sql.OpenDB(pgdriver.NewConnector(pgdriver.WithDSN(url), pgdriver.WithTimeout(5*time.Second)))
	defer admin.Close()
	ctx := context.Background()
	if err := admin.PingContext(ctx); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("PostgreSQL at %s is required under CI=true: %v", url, err)
		}
		t.Skipf("SKIPPED: PostgreSQL at %s unreachable (%v); set ATRIUM_TEST_DATABASE_URL", url, err)
	}
	if _, err := admin.ExecContext(ctx, "CREATE SCHEMA "+schema); err != nil {
		t.Fatalf("create schema: %v", err)
	}
	t.Cleanup(func() {
		drop := sql.OpenDB(pgdriver.NewConnector(pgdriver.WithDSN(url)))
		defer drop.Close()
		_, _ = drop.ExecContext(context.Background(), "DROP SCHEMA "+schema+" CASCADE")
	})
	sep := "?"
	if strings.Contains(url, "?") {
		sep = "&"
	}
	return url + sep + "search_path=" + schema
}
