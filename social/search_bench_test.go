package social_test

// The search benchmark: latency of full-text search over 1,000,000 posts on SQLite and
// PostgreSQL, target p99 under 50 ms. The data set comes from package benchdata, which
// seeds it once (about twenty minutes per database for a million posts) and keeps it in
// its cache ($ATRIUM_BENCH_CACHE, else the user's cache dir; PostgreSQL: a database of
// its own) for later runs. It runs only when asked:
//
//	ATRIUM_BENCH_SEARCH_POSTS=1000000 go test ./social/ -run '^$' -bench Search -benchtime 1x -timeout 2h -v
//
// ATRIUM_BENCH_EXPLAIN=1 also logs each query kind's statements with their times and
// the plan of the first.
//
// The variable holds the number of posts (any non-number means 1,000,000). It prints
// p50 and p99 per query kind with the load average and asserts nothing; figures live in
// docs/benchmarks.md.

import (
	"context"
	"os"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/atrium-intranet/atrium/internal/benchdata"
	"github.com/atrium-intranet/atrium/internal/fulltext"
	"github.com/atrium-intranet/atrium/internal/testrig"
	"github.com/atrium-intranet/atrium/social"
	"github.com/atrium-intranet/atrium/storage"
)

// searchIterations is the number of timed runs per query.
const searchIterations = 200

func BenchmarkSearch(b *testing.B) {
	env := os.Getenv("ATRIUM_BENCH_SEARCH_POSTS")
	if env == "" {
		b.Skip("set ATRIUM_BENCH_SEARCH_POSTS (e.g. 1000000) to seed and run the search benchmark")
	}
	posts, err := strconv.Atoi(env)
	if err != nil || posts <= 0 {
		posts = 1_000_000
	}
	for _, d := range testrig.Dialects {
		b.Run(d, func(b *testing.B) {
			ctx := context.Background()
			start := time.Now()
			store, set, err := benchdata.Open(ctx, benchdata.Options{Posts: posts, Dialect: d,
				PostgresURL: testrig.PostgresURL(), Logf: b.Logf})
			if err != nil {
				b.Fatalf("data set %s: %v", d, err)
			}
			defer store.Close()
			var version string
			versionQuery := "SELECT 'SQLite ' || sqlite_version()"
			if store.Postgres() {
				versionQuery = "SELECT version()"
			}
			if err := store.DB().NewRaw(versionQuery).Scan(ctx, &version); err != nil {
				b.Fatal(err)
			}
			b.Logf("%s", version)
			how := "reused"
			if set.Seeded {
				how = "seeded"
			}
			b.Logf("%s: %s %s: %d posts (%d comments), %d accounts, %d groups in %s", d, how, set.Name, posts, set.Comments,
				benchdata.Users, benchdata.Groups, time.Since(start).Round(time.Second))
			svc := testrig.Social(b, store)
			viewer, err := svc.Accounts.ByID(ctx, set.ViewerID)
			if err != nil {
				b.Fatal(err)
			}
			v := storage.Viewer{AccountID: viewer.ID}
			for _, w := range set.Words {
				b.Logf("word %-14q in %6.2f%% of posts", w.Word, 100*float64(w.DF)/float64(posts))
			}
			type query struct {
				name string
				run  func() (int, error)
			}
			postQuery := func(text string) func() (int, error) {
				q := fulltext.Parse(text)
				return func() (int, error) {
					hits, err := store.SearchPosts(ctx, v, q, social.DefaultSearchLimit, 0)
					return len(hits), err
				}
			}
			full := func(text string, kind social.SearchKind) func() (int, error) {
				return func() (int, error) {
					res, err := svc.Search(ctx, viewer, social.SearchQuery{Text: text, Kind: kind})
					if err != nil {
						return 0, err
					}
					return len(res.Posts) + len(res.People) + len(res.Groups) + len(res.Tags), nil
				}
			}
			w := set.Words
			queries := []query{
				{"posts: rare word", postQuery(w[0].Word)},
				{"posts: medium word", postQuery(w[1].Word)},
				{"posts: common word", postQuery(w[2].Word)},
				{"posts: very common word", postQuery(w[3].Word)},
				{"posts: two words", postQuery(w[2].Word + " " + w[1].Word)},
				{"posts: German plural (Häuser)", postQuery("Häuser")},
				{"posts: English -ing (planning)", postQuery("planning")},
				{"posts: no match", postQuery("xylofonquartett")},
				{"search all: medium word", full(w[1].Word, social.SearchAll)},
				{"search all: common word", full(w[2].Word, social.SearchAll)},
				{"search all: person name", full("schmidt", social.SearchAll)},
				{"search all: tag prefix", full("topic", social.SearchAll)},
				{"search tags: prefix", full("topic", social.SearchTags)},
			}
			logLoad(b)
			defer logLoad(b)
			var trace *queryTrace
			if os.Getenv("ATRIUM_BENCH_EXPLAIN") != "" {
				trace = &queryTrace{}
				store.DB().AddQueryHook(trace)
			}
			for _, q := range queries {
				n, err := q.run() // warm the caches
				if err != nil {
					b.Fatalf("%s: %v", q.name, err)
				}
				if trace != nil {
					b.Logf("%s:", q.name)
					trace.explain(ctx, b, store, func() error { _, err := q.run(); return err })
				}
				times := make([]time.Duration, searchIterations)
				for i := range times {
					t0 := time.Now()
					if _, err := q.run(); err != nil {
						b.Fatalf("%s: %v", q.name, err)
					}
					times[i] = time.Since(t0)
				}
				sort.Slice(times, func(i, j int) bool { return times[i] < times[j] })
				p := func(f float64) float64 { return float64(times[int(f*float64(len(times)-1))].Microseconds()) / 1000 }
				b.Logf("%-34s results %3d  p50 %7.2f ms  p99 %7.2f ms  max %7.2f ms", q.name, n, p(0.50), p(0.99), p(1))
			}
		})
	}
}

// logLoad logs the load average: figures taken on a busy machine are upper bounds.
func logLoad(b *testing.B) {
	if avg, err := os.ReadFile("/proc/loadavg"); err == nil {
		b.Logf("load average: %s", strings.TrimSpace(string(avg)))
	}
}
