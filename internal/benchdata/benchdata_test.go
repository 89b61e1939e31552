package benchdata_test

import (
	"context"
	"database/sql"
	"strings"
	"testing"
	"time"

	"github.com/atrium-intranet/atrium/internal/benchdata"
	"github.com/atrium-intranet/atrium/internal/testrig"
	"github.com/uptrace/bun/driver/pgdriver"
)

// TestOpenSeedsOnceAndReuses seeds a small set, opens it again from the cache and logs
// in with a token it inserts, on both databases.
func TestOpenSeedsOnceAndReuses(t *testing.T) {
	const posts = 321
	for _, d := range testrig.Dialects {
		t.Run(d, func(t *testing.T) {
			ctx := context.Background()
			testrig.NewDB(t, d) // skips (or fails under CI) without PostgreSQL
			opts := benchdata.Options{Posts: posts, Dialect: d, CacheDir: t.TempDir(), PostgresURL: testrig.PostgresURL()}
			if d == "postgres" {
				dropSet(t, posts)
				t.Cleanup(func() { dropSet(t, posts) })
			}
			store, set, err := benchdata.Open(ctx, opts)
			if err != nil {
				t.Fatal(err)
			}
			if !set.Seeded || set.Posts != posts || len(set.Accounts) != benchdata.Users || len(set.GroupIDs) != benchdata.Groups ||
				len(set.Words) != len(benchdata.WordShares) || set.Viewer().Username != "user0001" {
				t.Errorf("seeded set: %+v", set)
			}
			var n int
			if err := store.DB().NewRaw("SELECT COUNT(*) FROM post_search").Scan(ctx, &n); err != nil || n != posts {
				t.Errorf("search rows: %d %v", n, err)
			}
			store.Close()

			store, again, err := benchdata.Open(ctx, opts)
			if err != nil {
				t.Fatal(err)
			}
			defer store.Close()
			if again.Seeded || again.ViewerID != set.ViewerID || again.Comments != set.Comments {
				t.Errorf("reopened set: seeded %v viewer %s comments %d", again.Seeded, again.ViewerID, again.Comments)
			}
			if d == "sqlite" && again.SQLitePath != benchdata.SQLitePath(opts.CacheDir, posts) {
				t.Errorf("sqlite path %q", again.SQLitePath)
			}
			if want, _ := benchdata.DatabaseURL(opts.PostgresURL, posts); d == "postgres" && again.DatabaseURL != want {
				t.Errorf("database url %q, want %q", again.DatabaseURL, want)
			}

			tokens, err := benchdata.InsertTokens(ctx, store, []string{set.ViewerID})
			if err != nil {
				t.Fatal(err)
			}
			acct, err := testrig.Social(t, store).Tokens.Authenticate(ctx, tokens[0])
			if err != nil || acct.ID != set.ViewerID {
				t.Errorf("token login: %v %v", acct, err)
			}
			if _, err := testrig.Social(t, store).Auth.Login(ctx, "user0001", benchdata.Password, "test", "127.0.0.1"); err != nil {
				t.Errorf("password login: %v", err)
			}
		})
	}
}

func TestNameHoldsPostsAndDataVersion(t *testing.T) {
	for _, n := range []int{1, 100_000, 1_000_000} {
		name := benchdata.Name(n)
		if len(name) > 63 || !strings.HasPrefix(name, "atrium_bench_posts_") || !strings.Contains(name, "_v") {
			t.Errorf("Name(%d) = %q", n, name)
		}
	}
	if benchdata.Name(1) == benchdata.Name(2) {
		t.Error("sets of different sizes share a name")
	}
}

// dropSet drops the PostgreSQL set of n posts.
func dropSet(t *testing.T, n int) {
	// DROP DATABASE waits for a checkpoint, which outlasts the default 10 s on a busy machine.
	db := sql.OpenDB(pgdriver.NewConnector(pgdriver.WithDSN(testrig.PostgresURL()), pgdriver.WithTimeout(5*time.Minute)))
	defer db.Close()
	for _, name := range []string{benchdata.Name(n), benchdata.Name(n) + "_seeding"} {
		if _, err := db.ExecContext(context.Background(), "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			t.Fatal(err)
		}
	}
}
