package migrations

import (
	"context"

	"github.com/uptrace/bun"
)

// Feed indexes, measured by BenchmarkHomeFeed (docs/benchmarks.md).
//
// posts_in_reply_to covered every top-level post under the NULL key, and SQLite (which
// has no statistics on a fresh node) took "in_reply_to_id IS NULL" as selective: it read
// all top-level posts through it and sorted them, ~150 ms a feed page at 100,000 posts.
// Made partial, it only serves reply lookups and the foreign-key cascade, which always
// compare with a value, and the feed walks posts_top_level newest first, stopping after
// one page.
//
// posts_top_level also carries the author and the audience, so the visibility and
// Following filters are checked on the index entry and only the rows of the page are
// read from the table; a Following tab of few, quiet accounts skips many entries.
func init() {
	registry.MustRegister(func(ctx context.Context, db *bun.DB) error {
		return execSQL(ctx, db, []string{
			`DROP INDEX posts_in_reply_to`,
			`CREATE INDEX posts_in_reply_to ON posts (in_reply_to_id) WHERE in_reply_to_id IS NOT NULL`,
			`DROP INDEX posts_top_level`,
			`CREATE INDEX posts_top_level ON posts (id, account_id, audience) WHERE in_reply_to_id IS NULL`,
		})
	}, func(ctx context.Context, db *bun.DB) error {
		return execSQL(ctx, db, []string{
			`DROP INDEX posts_top_level`,
			`CREATE INDEX posts_top_level ON posts (id) WHERE in_reply_to_id IS NULL`,
			`DROP INDEX posts_in_reply_to`,
			`CREATE INDEX posts_in_reply_to ON posts (in_reply_to_id)`,
		})
	})
}
