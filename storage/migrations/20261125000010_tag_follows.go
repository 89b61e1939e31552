package migrations

import (
	"context"

	"github.com/uptrace/bun"
)

// Followed hashtags. The primary key (account_id, tag) answers the feed's per-post check
// "does the viewer follow one of this post's tags" and lists an account's tags; the tag
// index counts a tag's followers.
func init() {
	registry.MustRegister(func(ctx context.Context, db *bun.DB) error {
		return execSQL(ctx, db, []string{
			`CREATE TABLE tag_follows (
				account_id TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
				tag TEXT NOT NULL,
				created_at TIMESTAMP_TZ NOT NULL,
				PRIMARY KEY (account_id, tag)
			)`,
			`CREATE INDEX tag_follows_tag ON tag_follows (tag)`,
		})
	}, func(ctx context.Context, db *bun.DB) error {
		return execSQL(ctx, db, []string{`DROP TABLE tag_follows`})
	})
}
