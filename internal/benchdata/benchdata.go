// Package benchdata seeds the large data set of the search and load benchmarks: N posts
// of German and English text by 2,000 accounts in 40 groups, with follows, hashtags and
// search rows, on SQLite or PostgreSQL. Seeding a million posts takes about twenty
// minutes, so a seeded set is kept in a cache and reused by later runs:
//
//   - SQLite: the file <cache dir>/<name>.db, where the cache dir is $ATRIUM_BENCH_CACHE,
//     else os.UserCacheDir()/atrium-bench.
//   - PostgreSQL: a database <name> on the server of the given admin URL.
//
// The name holds the number of posts and DataVersion (atrium_bench_posts_1000000_v1), so
// a change of the data shape seeds a new set instead of reusing a stale one. A change of
// the schema does not: a reused set gets the migrations it lacks when opened, as a node's
// database does on upgrade, which also runs each new migration on a million posts. A set
// counts as complete only once its description row is written, the last step of
// seeding; an incomplete one (an interrupted run) is dropped and seeded again.
package benchdata

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/atrium-intranet/atrium/storage"
)

// DataVersion changes whenever the seeded data changes shape; it is part of the name.
const DataVersion = 1

// Shape of the data set besides the number of posts.
const (
	Users     = 2_000
	Groups    = 40 // the viewer is a member of five
	Tags      = 300
	Followees = 50 // accounts the viewer follows
)

// Password is the password of every seeded account (argon2id with default parameters,
// as a node stores it), for load programs that log in through the login form.
const Password = "atrium-bench-password"

// Options selects the data set to open.
type Options struct {
	// Posts is the number of posts (comments included).
	Posts int
	// Dialect is "sqlite" or "postgres".
	Dialect string
	// CacheDir holds the SQLite files and a lock; "" means DefaultCacheDir().
	CacheDir string
	// PostgresURL is a URL of the PostgreSQL server with the right to create
	// databases (the database named in it is only used to create the set's own).
	PostgresURL string
	// Logf, if set, reports progress of seeding.
	Logf func(format string, args ...any)
}

// Set describes an opened data set.
type Set struct {
	// Name is the set's name: the SQLite file's base name or the PostgreSQL database.
	Name    string `json:"name"`
	Dialect string `json:"dialect"`
	// DatabaseURL is the PostgreSQL URL of the set's database ("" for SQLite): pass it
	// to a node as its database URL.
	DatabaseURL string `json:"-"`
	// SQLitePath is the SQLite file of the set ("" for PostgreSQL): a node opens it as
	// its database file (storage.Open("", SQLitePath)).
	SQLitePath string `json:"-"`
	// Seeded is true when this Open seeded the set, false when it reused the cache.
	Seeded bool `json:"-"`

	Posts    int `json:"posts"`
	Comments int `json:"comments"`
	// Accounts are the seeded local accounts, in seeding order (Accounts[i].Username is
	// user%04d of i).
	Accounts []Account `json:"accounts"`
	// ViewerID is the account the benchmarks search as: a member of five groups who
	// follows 50 accounts.
	ViewerID string `json:"viewer_id"`
	// GroupIDs are the seeded groups, in order (group%02d).
	GroupIDs []string `json:"group_ids"`
	// Words are indexed words holding about 0.01%, 0.5%, 3% and 15% of the posts (see
	// WordShares), with the number of posts holding them.
	Words []WordDF `json:"words"`
}

// Account is a seeded account.
type Account struct {
	ID       string `json:"id"`
	Username string `json:"username"`
}

// WordDF is an indexed word with the number of posts holding it.
type WordDF struct {
	Word string `json:"word"`
	DF   int    `json:"df"`
}

// WordShares are the shares of posts the words of Set.Words are picked for.
var WordShares = []float64{0.0001, 0.005, 0.03, 0.15}

// Viewer returns the account the benchmarks search as.
func (s *Set) Viewer() Account {
	for _, a := range s.Accounts {
		if a.ID == s.ViewerID {
			return a
		}
	}
	return Account{}
}

// DefaultCacheDir is $ATRIUM_BENCH_CACHE, else the user's cache directory's
// atrium-bench, else $HOME/.cache/atrium-bench.
func DefaultCacheDir() string {
	if d := os.Getenv("ATRIUM_BENCH_CACHE"); d != "" {
		return d
	}
	if d, err := os.UserCacheDir(); err == nil {
		return filepath.Join(d, "atrium-bench")
	}
	home, _ := os.UserHomeDir()
	return filepath.Join(home, ".cache", "atrium-bench")
}

// Name is the name of the data set of n posts.
func Name(n int) string {
	return fmt.Sprintf("atrium_bench_posts_%d_v%d", n, DataVersion)
}

// Open returns a migrated store on the data set described by opts, seeding it first
// unless the cache holds it, and the set's description. The caller closes the store.
// Concurrent Opens of the same set wait for each other (a lock file in the cache dir).
func Open(ctx context.Context, opts Options) (*storage.Store, *Set, error) {
	if opts.Posts <= 0 {
		return nil, nil, errors.New("benchdata: Posts must be positive")
	}
	if opts.CacheDir == "" {
		opts.CacheDir = DefaultCacheDir()
	}
	if opts.Logf == nil {
		opts.Logf = func(string, ...any) {}
	}
	if err := os.MkdirAll(opts.CacheDir, 0o750); err != nil {
		return nil, nil, fmt.Errorf("benchdata: cache dir: %w", err)
	}
	opts.Dialect = strings.ToLower(opts.Dialect)
	if opts.Dialect != "sqlite" && opts.Dialect != "postgres" {
		return nil, nil, fmt.Errorf("benchdata: unknown dialect %q", opts.Dialect)
	}
	unlock, err := lockSet(opts.CacheDir, opts.Dialect, opts.Posts)
	if err != nil {
		return nil, nil, err
	}
	defer unlock()
	if opts.Dialect == "sqlite" {
		return openSQLite(ctx, opts)
	}
	if opts.PostgresURL == "" {
		return nil, nil, errors.New("benchdata: PostgresURL is required for postgres")
	}
	return openPostgres(ctx, opts)
}
