package benchdata

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"syscall"
	"time"

	"github.com/atrium-intranet/atrium/storage"
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/pgdialect"
	"github.com/uptrace/bun/driver/pgdriver"
)

// describeTable holds the JSON description of a complete set; a node ignores it.
const describeTable = "atrium_bench_dataset"

// lockSet takes an exclusive lock on one set in the cache dir so two processes do not
// seed it at once; the returned function releases it.
func lockSet(dir, dialect string, n int) (func(), error) {
	f, err := os.OpenFile(filepath.Join(dir, Name(n)+"."+dialect+".lock"), os.O_CREATE|os.O_RDWR, 0o640)
	if err != nil {
		return nil, fmt.Errorf("benchdata: lock: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		f.Close()
		return nil, fmt.Errorf("benchdata: lock: %w", err)
	}
	return func() {
		_ = syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
		f.Close()
	}, nil
}

// SQLitePath is the file of the SQLite set of n posts in cacheDir ("" : the default).
func SQLitePath(cacheDir string, n int) string {
	if cacheDir == "" {
		cacheDir = DefaultCacheDir()
	}
	return filepath.Join(cacheDir, Name(n)+".db")
}

// openSQLite opens or seeds the SQLite set. Seeding writes to a temporary file renamed
// into place when complete.
func openSQLite(ctx context.Context, opts Options) (*storage.Store, *Set, error) {
	path := SQLitePath(opts.CacheDir, opts.Posts)
	if _, err := os.Stat(path); err == nil {
		store, set, err := openSQLiteFile(ctx, path)
		if err == nil {
			opts.Logf("benchdata: reusing %s", path)
			return store, set, nil
		}
		opts.Logf("benchdata: %s unusable (%v), seeding again", path, err)
	}
	tmp := path + ".seeding"
	for _, suffix := range []string{"", "-wal", "-shm"} {
		if err := os.Remove(tmp + suffix); err != nil && !errors.Is(err, os.ErrNotExist) {
			return nil, nil, err
		}
	}
	db, err := storage.Open("", tmp)
	if err != nil {
		return nil, nil, err
	}
	store, set, err := migrateAndSeed(ctx, db, opts)
	if err == nil {
		_, err = db.ExecContext(ctx, "PRAGMA wal_checkpoint(TRUNCATE)")
	}
	if cerr := db.Close(); err == nil {
		err = cerr
	}
	_ = store
	if err != nil {
		return nil, nil, fmt.Errorf("benchdata: seed %s: %w", tmp, err)
	}
	for _, suffix := range []string{"-wal", "-shm"} {
		_ = os.Remove(tmp + suffix)
	}
	if err := os.Rename(tmp, path); err != nil {
		return nil, nil, err
	}
	store, set2, err := openSQLiteFile(ctx, path)
	if err != nil {
		return nil, nil, err
	}
	set2.Seeded = set.Seeded
	return store, set2, nil
}

// openSQLiteFile opens a complete SQLite set.
func openSQLiteFile(ctx context.Context, path string) (*storage.Store, *Set, error) {
	db, err := storage.Open("", path)
	if err != nil {
		return nil, nil, err
	}
	set, err := openDescribed(ctx, db)
	if err != nil {
		db.Close()
		return nil, nil, err
	}
	set.SQLitePath = path
	return storage.New(db), set, nil
}

// DatabaseURL is the URL of the PostgreSQL set of n posts on the server of adminURL.
func DatabaseURL(adminURL string, n int) (string, error) {
	u, err := url.Parse(adminURL)
	if err != nil {
		return "", fmt.Errorf("benchdata: postgres url: %w", err)
	}
	u.Path = "/" + Name(n)
	q := u.Query()
	q.Del("search_path")
	u.RawQuery = q.Encode()
	return u.String(), nil
}

// openPostgres opens or seeds the PostgreSQL set. Seeding writes to a database with
// the suffix _seeding, renamed when complete.
func openPostgres(ctx context.Context, opts Options) (*storage.Store, *Set, error) {
	name := Name(opts.Posts)
	dbURL, err := DatabaseURL(opts.PostgresURL, opts.Posts)
	if err != nil {
		return nil, nil, err
	}
	// CREATE, DROP and ALTER DATABASE wait for checkpoints: minutes on a busy machine.
	admin := sql.OpenDB(pgdriver.NewConnector(pgdriver.WithDSN(opts.PostgresURL), pgdriver.WithTimeout(5*time.Minute)))
	defer admin.Close()
	var exists bool
	if err := admin.QueryRowContext(ctx, "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)", name).Scan(&exists); err != nil {
		return nil, nil, fmt.Errorf("benchdata: %w", err)
	}
	if exists {
		db, err := storage.Open(dbURL, "")
		if err != nil {
			return nil, nil, err
		}
		set, err := openDescribed(ctx, db)
		if err == nil {
			opts.Logf("benchdata: reusing PostgreSQL database %s", name)
			set.DatabaseURL = dbURL
			return storage.New(db), set, nil
		}
		db.Close()
		opts.Logf("benchdata: database %s unusable (%v), seeding again", name, err)
		if _, err := admin.ExecContext(ctx, "DROP DATABASE "+name); err != nil {
			return nil, nil, fmt.Errorf("benchdata: %w", err)
		}
	}
	tmpName := name + "_seeding"
	if _, err := admin.ExecContext(ctx, "DROP DATABASE IF EXISTS "+tmpName); err != nil {
		return nil, nil, fmt.Errorf("benchdata: %w", err)
	}
	if _, err := admin.ExecContext(ctx, "CREATE DATABASE "+tmpName); err != nil {
		return nil, nil, fmt.Errorf("benchdata: %w", err)
	}
	tmpURL, _ := url.Parse(dbURL)
	tmpURL.Path = "/" + tmpName
	// Bulk statements and the index build outlast the driver's default 10 s timeout.
	seedDB := bun.NewDB(sql.OpenDB(pgdriver.NewConnector(pgdriver.WithDSN(tmpURL.String()),
		pgdriver.WithReadTimeout(2*time.Hour), pgdriver.WithWriteTimeout(2*time.Hour))), pgdialect.New())
	_, set, err := migrateAndSeed(ctx, seedDB, opts)
	seedDB.Close()
	if err != nil {
		return nil, nil, fmt.Errorf("benchdata: seed %s: %w", tmpName, err)
	}
	if _, err := admin.ExecContext(ctx, "ALTER DATABASE "+tmpName+" RENAME TO "+name); err != nil {
		return nil, nil, fmt.Errorf("benchdata: %w", err)
	}
	db, err := storage.Open(dbURL, "")
	if err != nil {
		return nil, nil, err
	}
	set.DatabaseURL = dbURL
	return storage.New(db), set, nil
}

// migrateAndSeed runs the migrations on an empty database, seeds it and writes the
// description that marks it complete.
func migrateAndSeed(ctx context.Context, db *bun.DB, opts Options) (*storage.Store, *Set, error) {
	if _, err := storage.Migrate(ctx, db); err != nil {
		return nil, nil, err
	}
	store := storage.New(db)
	start := time.Now()
	set, err := seed(ctx, store, opts)
	if err != nil {
		return nil, nil, err
	}
	set.Name, set.Dialect, set.Seeded = Name(opts.Posts), opts.Dialect, true
	opts.Logf("benchdata: seeded %s in %s", set.Name, time.Since(start).Round(time.Second))
	if err := writeDescription(ctx, db, set); err != nil {
		return nil, nil, err
	}
	return store, set, nil
}

func writeDescription(ctx context.Context, db *bun.DB, set *Set) error {
	b, err := json.Marshal(set)
	if err != nil {
		return err
	}
	if _, err := db.ExecContext(ctx, "CREATE TABLE "+describeTable+" (description TEXT NOT NULL)"); err != nil {
		return fmt.Errorf("benchdata: describe: %w", err)
	}
	if _, err := db.ExecContext(ctx, "INSERT INTO "+describeTable+" (description) VALUES (?)", string(b)); err != nil {
		return fmt.Errorf("benchdata: describe: %w", err)
	}
	return nil
}

// openDescribed reads the description of a complete set and brings its schema up to
// date: migrations newer than the set run on it as on a node's database.
func openDescribed(ctx context.Context, db *bun.DB) (*Set, error) {
	set, err := readDescription(ctx, db)
	if err != nil {
		return nil, err
	}
	if _, err := storage.Migrate(ctx, db); err != nil {
		return nil, err
	}
	return set, nil
}

// readDescription reads the description of a complete set; an incomplete set has none.
func readDescription(ctx context.Context, db *bun.DB) (*Set, error) {
	var text string
	if err := db.QueryRowContext(ctx, "SELECT description FROM "+describeTable).Scan(&text); err != nil {
		return nil, fmt.Errorf("no description: %w", err)
	}
	set := new(Set)
	if err := json.Unmarshal([]byte(text), set); err != nil {
		return nil, err
	}
	return set, nil
}
