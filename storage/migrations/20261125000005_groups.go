package migrations

import (
	"context"

	"github.com/uptrace/bun"
)

// Groups: groups (local ones and cached remote ones), memberships, pins, and the group
// and moderation state of posts.
func init() {
	registry.MustRegister(func(ctx context.Context, db *bun.DB) error {
		return execSQL(ctx, db, []string{
			`CREATE TABLE groups (
				id TEXT PRIMARY KEY,
				name TEXT NOT NULL,
				domain TEXT NOT NULL DEFAULT '',
				uri TEXT NOT NULL UNIQUE,
				inbox_uri TEXT NOT NULL DEFAULT '',
				shared_inbox_uri TEXT NOT NULL DEFAULT '',
				display_name TEXT NOT NULL DEFAULT '',
				kind TEXT NOT NULL,
				site_only BOOLEAN NOT NULL DEFAULT FALSE,
				pre_moderation BOOLEAN NOT NULL DEFAULT FALSE,
				description_source TEXT NOT NULL DEFAULT '',
				description_html TEXT NOT NULL DEFAULT '',
				avatar_file TEXT NOT NULL DEFAULT '',
				banner_file TEXT NOT NULL DEFAULT '',
				public_key_pem TEXT NOT NULL DEFAULT '',
				private_key_pem TEXT NOT NULL DEFAULT '',
				archived_at TIMESTAMP_TZ,
				fetched_at TIMESTAMP_TZ,
				created_at TIMESTAMP_TZ NOT NULL,
				updated_at TIMESTAMP_TZ NOT NULL
			)`,
			`CREATE UNIQUE INDEX groups_name_domain ON groups (name, domain)`,
			`CREATE TABLE group_members (
				group_id TEXT NOT NULL REFERENCES groups(id) ON DELETE CASCADE,
				account_id TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
				role TEXT NOT NULL,
				state TEXT NOT NULL,
				follow_uri TEXT NOT NULL DEFAULT '',
				invited_by_id TEXT REFERENCES accounts(id) ON DELETE SET NULL,
				created_at TIMESTAMP_TZ NOT NULL,
				updated_at TIMESTAMP_TZ NOT NULL,
				PRIMARY KEY (group_id, account_id)
			)`,
			// Feeds ask "which groups is this account an active member of".
			`CREATE INDEX group_members_account ON group_members (account_id, state)`,
			`CREATE TABLE group_pins (
				group_id TEXT NOT NULL REFERENCES groups(id) ON DELETE CASCADE,
				post_id TEXT NOT NULL REFERENCES posts(id) ON DELETE CASCADE,
				pinned_at TIMESTAMP_TZ NOT NULL,
				pinned_by TEXT NOT NULL,
				PRIMARY KEY (group_id, post_id)
			)`,
			`ALTER TABLE posts ADD COLUMN group_id TEXT REFERENCES groups(id) ON DELETE CASCADE`,
			`ALTER TABLE posts ADD COLUMN state TEXT NOT NULL DEFAULT 'published'`,
			`CREATE INDEX posts_group ON posts (group_id, id) WHERE group_id IS NOT NULL`,
		})
	}, func(ctx context.Context, db *bun.DB) error {
		return execSQL(ctx, db, []string{
			`DROP INDEX posts_group`,
			`ALTER TABLE posts DROP COLUMN state`,
			`ALTER TABLE posts DROP COLUMN group_id`,
			`DROP TABLE group_pins`,
			`DROP TABLE group_members`,
			`DROP TABLE groups`,
		})
	})
}
