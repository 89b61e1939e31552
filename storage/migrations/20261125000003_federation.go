package migrations

import (
	"context"

	"github.com/uptrace/bun"
)

// Federation: allowed peers, the persistent delivery queue, processed incoming activity
// ids, the node actor's key, and what remote actors need on accounts.
func init() {
	registry.MustRegister(func(ctx context.Context, db *bun.DB) error {
		return execSQL(ctx, db, []string{
			`CREATE TABLE peers (
				origin TEXT PRIMARY KEY,
				trust TEXT NOT NULL,
				name TEXT NOT NULL DEFAULT '',
				created_at TIMESTAMP_TZ NOT NULL,
				updated_at TIMESTAMP_TZ NOT NULL
			)`,
			`CREATE TABLE deliveries (
				id TEXT PRIMARY KEY,
				activity_id TEXT NOT NULL,
				actor_id TEXT REFERENCES accounts(id) ON DELETE CASCADE,
				inbox_uri TEXT NOT NULL,
				origin TEXT NOT NULL,
				payload TEXT NOT NULL,
				status TEXT NOT NULL,
				attempts INTEGER NOT NULL DEFAULT 0,
				next_attempt_at TIMESTAMP_TZ NOT NULL,
				last_error TEXT NOT NULL DEFAULT '',
				created_at TIMESTAMP_TZ NOT NULL,
				updated_at TIMESTAMP_TZ NOT NULL,
				delivered_at TIMESTAMP_TZ
			)`,
			`CREATE UNIQUE INDEX deliveries_activity_inbox ON deliveries (activity_id, inbox_uri)`,
			`CREATE INDEX deliveries_due ON deliveries (next_attempt_at) WHERE status = 'pending'`,
			`CREATE INDEX deliveries_origin ON deliveries (origin, status)`,
			`CREATE TABLE processed_activities (
				uri TEXT PRIMARY KEY,
				received_at TIMESTAMP_TZ NOT NULL
			)`,
			`CREATE INDEX processed_activities_received ON processed_activities (received_at)`,
			`CREATE TABLE node_keys (
				id INTEGER PRIMARY KEY CHECK (id = 1),
				public_key_pem TEXT NOT NULL,
				private_key_pem TEXT NOT NULL,
				created_at TIMESTAMP_TZ NOT NULL
			)`,
			`ALTER TABLE accounts ADD COLUMN followers_uri TEXT NOT NULL DEFAULT ''`,
			`ALTER TABLE accounts ADD COLUMN fetched_at TIMESTAMP_TZ`,
			`CREATE INDEX accounts_domain ON accounts (domain) WHERE domain <> ''`,
		})
	}, func(ctx context.Context, db *bun.DB) error {
		return execSQL(ctx, db, []string{
			`DROP INDEX accounts_domain`,
			`ALTER TABLE accounts DROP COLUMN fetched_at`,
			`ALTER TABLE accounts DROP COLUMN followers_uri`,
			`DROP TABLE node_keys`,
			`DROP TABLE processed_activities`,
			`DROP TABLE deliveries`,
			`DROP TABLE peers`,
		})
	})
}
