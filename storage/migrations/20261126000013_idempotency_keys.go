package migrations

import (
	"context"

	"github.com/uptrace/bun"
)

// Idempotency keys of the statuses API. A client that sends Idempotency-Key with a new
// post and gets no answer (a timeout, a restart of the database behind the node) repeats
// the request with the same key and gets the post that was made instead of a second one.
// A key counts for an hour; the primary key (account_id, key) finds it and, being unique,
// keeps two concurrent requests with one key from making two posts.
func init() {
	registry.MustRegister(func(ctx context.Context, db *bun.DB) error {
		return execSQL(ctx, db, []string{
			`CREATE TABLE idempotency_keys (
				account_id TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
				key TEXT NOT NULL,
				post_id TEXT NOT NULL REFERENCES posts(id) ON DELETE CASCADE,
				created_at TIMESTAMP_TZ NOT NULL,
				PRIMARY KEY (account_id, key)
			)`,
			// ON DELETE CASCADE of posts looks the rows up by post.
			`CREATE INDEX idempotency_keys_post ON idempotency_keys (post_id)`,
		})
	}, func(ctx context.Context, db *bun.DB) error {
		return execSQL(ctx, db, []string{`DROP TABLE idempotency_keys`})
	})
}
