package social_test

// Followed hashtags on the home feed's data set (seedFeed): the Following tab of viewers
// who follow tags, a tag's page and the trending tags. Figures in docs/benchmarks.md.
//
//	go test ./social/ -run '^$' -bench FollowedTags -benchtime 200x

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/atrium-intranet/atrium/internal/testrig"
	"github.com/atrium-intranet/atrium/model"
	"github.com/atrium-intranet/atrium/social"
	"github.com/atrium-intranet/atrium/storage"
)

func BenchmarkFollowedTags(b *testing.B) {
	for _, d := range testrig.Dialects {
		b.Run(d, func(b *testing.B) {
			store := testrig.NewStore(b, d)
			ctx := context.Background()
			set, err := seedFeed(ctx, store)
			if err != nil {
				b.Fatalf("seed %s: %v", d, err)
			}
			// The viewer follows 5 of the 40 tags, the sparse viewer 3: each tag is on
			// about 1.6% of the top-level posts.
			at := time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)
			for i, who := range []string{set.viewerID, set.viewerID, set.viewerID, set.viewerID, set.viewerID, set.sparseID, set.sparseID, set.sparseID} {
				if _, err := store.FollowTag(ctx, who, fmt.Sprintf("topic%02d", i*3), at); err != nil {
					b.Fatal(err)
				}
			}
			if store.Postgres() {
				if _, err := store.DB().ExecContext(ctx, "ANALYZE tag_follows"); err != nil {
					b.Fatal(err)
				}
			}
			// The benchmark's clock is the end of the seeded year, so "this week" has posts.
			deps := testrig.SocialDeps(b, store)
			deps.Now = func() time.Time { return at }
			svc := social.New(deps)
			var trace *queryTrace
			if os.Getenv("ATRIUM_BENCH_EXPLAIN") != "" {
				trace = &queryTrace{}
				store.DB().AddQueryHook(trace)
			}
			viewer, err := svc.Accounts.ByID(ctx, set.viewerID)
			if err != nil {
				b.Fatal(err)
			}
			sparse, err := svc.Accounts.ByID(ctx, set.sparseID)
			if err != nil {
				b.Fatal(err)
			}
			run := func(name string, call func() (int, error)) {
				b.Run(name, func(b *testing.B) {
					n, err := call()
					if err != nil {
						b.Fatal(err)
					}
					if n == 0 {
						b.Fatal("empty answer")
					}
					if trace != nil {
						trace.explain(ctx, b, store, func() error { _, err := call(); return err })
					}
					b.ResetTimer()
					for i := 0; i < b.N; i++ {
						if _, err := call(); err != nil {
							b.Fatal(err)
						}
					}
					b.StopTimer()
					b.ReportMetric(float64(b.Elapsed().Nanoseconds())/1e6/float64(b.N), "ms/op")
				})
			}
			feed := func(v *model.Account, q social.FeedQuery) func() (int, error) {
				return func() (int, error) {
					page, err := svc.Posts.Feed(ctx, v, q)
					if err != nil {
						return 0, err
					}
					if len(page.Posts) != 20 || page.Next == "" {
						return 0, fmt.Errorf("want a full page with a next cursor, got %d posts", len(page.Posts))
					}
					return len(page.Posts), nil
				}
			}
			run("following_tags", feed(viewer, social.FeedQuery{Following: true}))
			run("following_tags_deep", feed(viewer, social.FeedQuery{Following: true, Cursor: set.deepCursor}))
			run("following_sparse_tags", feed(sparse, social.FeedQuery{Following: true}))
			// The tag page is the tag's figures (tag_stats) and its first page (tag_feed).
			run("tag_stats", func() (int, error) {
				st, err := store.TagStats(ctx, storage.Viewer{AccountID: viewer.ID}, "topic07", at.Add(-7*24*time.Hour))
				return st.Posts, err
			})
			run("tag_feed", feed(viewer, social.FeedQuery{Tag: "topic07"}))
			run("tag_page", func() (int, error) {
				page, err := svc.Tags.Page(ctx, viewer, "topic07", "", 0)
				if err != nil {
					return 0, err
				}
				return len(page.Feed.Posts), nil
			})
			run("trending", func() (int, error) {
				list, err := svc.Tags.Trending(ctx, viewer, 20)
				return len(list), err
			})
		})
	}
}
