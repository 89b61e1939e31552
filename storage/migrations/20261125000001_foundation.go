package migrations

import (
	"context"

	"github.com/uptrace/bun"
)

// The node foundation: accounts, sessions, tokens, posts, reactions, follows.
func init() {
	registry.MustRegister(func(ctx context.Context, db *bun.DB) error {
		return execSQL(ctx, db, []string{
			`CREATE TABLE accounts (
				id TEXT PRIMARY KEY,
				username TEXT NOT NULL,
				domain TEXT NOT NULL DEFAULT '',
				uri TEXT NOT NULL UNIQUE,
				inbox_uri TEXT NOT NULL DEFAULT '',
				shared_inbox_uri TEXT NOT NULL DEFAULT '',
				role TEXT NOT NULL,
				email TEXT NOT NULL DEFAULT '',
				password_hash TEXT NOT NULL DEFAULT '',
				display_name TEXT NOT NULL DEFAULT '',
				job_title TEXT NOT NULL DEFAULT '',
				department TEXT NOT NULL DEFAULT '',
				site TEXT NOT NULL DEFAULT '',
				phone TEXT NOT NULL DEFAULT '',
				manager_id TEXT REFERENCES accounts(id) ON DELETE SET NULL,
				about_source TEXT NOT NULL DEFAULT '',
				about_html TEXT NOT NULL DEFAULT '',
				avatar_file TEXT NOT NULL DEFAULT '',
				public_key_pem TEXT NOT NULL DEFAULT '',
				private_key_pem TEXT NOT NULL DEFAULT '',
				deactivated_at TIMESTAMP_TZ,
				created_at TIMESTAMP_TZ NOT NULL,
				updated_at TIMESTAMP_TZ NOT NULL
			)`,
			`CREATE UNIQUE INDEX accounts_username_domain ON accounts (username, domain)`,
			`CREATE INDEX accounts_manager ON accounts (manager_id)`,
			`CREATE UNIQUE INDEX accounts_local_email ON accounts (email) WHERE domain = '' AND email <> ''`,
			`CREATE TABLE skills (
				account_id TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
				tag TEXT NOT NULL,
				PRIMARY KEY (account_id, tag)
			)`,
			`CREATE INDEX skills_tag ON skills (tag)`,
			`CREATE TABLE sessions (
				id TEXT PRIMARY KEY,
				account_id TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
				csrf_token TEXT NOT NULL,
				created_at TIMESTAMP_TZ NOT NULL,
				last_seen_at TIMESTAMP_TZ NOT NULL,
				expires_at TIMESTAMP_TZ NOT NULL,
				user_agent TEXT NOT NULL DEFAULT '',
				ip TEXT NOT NULL DEFAULT ''
			)`,
			`CREATE INDEX sessions_account ON sessions (account_id)`,
			`CREATE TABLE tokens (
				id TEXT PRIMARY KEY,
				account_id TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
				name TEXT NOT NULL,
				hash TEXT NOT NULL UNIQUE,
				created_at TIMESTAMP_TZ NOT NULL,
				last_used_at TIMESTAMP_TZ,
				revoked_at TIMESTAMP_TZ
			)`,
			`CREATE INDEX tokens_account ON tokens (account_id)`,
			`CREATE TABLE posts (
				id TEXT PRIMARY KEY,
				uri TEXT NOT NULL UNIQUE,
				account_id TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
				in_reply_to_id TEXT REFERENCES posts(id) ON DELETE CASCADE,
				root_id TEXT REFERENCES posts(id) ON DELETE CASCADE,
				audience TEXT NOT NULL,
				source TEXT NOT NULL DEFAULT '',
				html TEXT NOT NULL,
				local BOOLEAN NOT NULL,
				created_at TIMESTAMP_TZ NOT NULL,
				updated_at TIMESTAMP_TZ NOT NULL,
				edited_at TIMESTAMP_TZ
			)`,
			// The feed walks top-level posts newest first; comments are read per thread.
			`CREATE INDEX posts_top_level ON posts (id) WHERE in_reply_to_id IS NULL`,
			`CREATE INDEX posts_account ON posts (account_id, id)`,
			`CREATE INDEX posts_root ON posts (root_id, id)`,
			`CREATE INDEX posts_in_reply_to ON posts (in_reply_to_id)`,
			`CREATE TABLE post_edits (
				id TEXT PRIMARY KEY,
				post_id TEXT NOT NULL REFERENCES posts(id) ON DELETE CASCADE,
				source TEXT NOT NULL,
				html TEXT NOT NULL,
				edited_at TIMESTAMP_TZ NOT NULL
			)`,
			`CREATE INDEX post_edits_post ON post_edits (post_id, id)`,
			`CREATE TABLE reactions (
				post_id TEXT NOT NULL REFERENCES posts(id) ON DELETE CASCADE,
				account_id TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
				kind TEXT NOT NULL,
				uri TEXT NOT NULL,
				created_at TIMESTAMP_TZ NOT NULL,
				PRIMARY KEY (post_id, account_id, kind)
			)`,
			`CREATE TABLE mentions (
				post_id TEXT NOT NULL REFERENCES posts(id) ON DELETE CASCADE,
				account_id TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
				PRIMARY KEY (post_id, account_id)
			)`,
			`CREATE INDEX mentions_account ON mentions (account_id, post_id)`,
			`CREATE TABLE post_tags (
				post_id TEXT NOT NULL REFERENCES posts(id) ON DELETE CASCADE,
				tag TEXT NOT NULL,
				PRIMARY KEY (post_id, tag)
			)`,
			`CREATE INDEX post_tags_tag ON post_tags (tag, post_id)`,
			`CREATE TABLE follows (
				follower_id TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
				followee_id TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
				uri TEXT NOT NULL,
				accepted BOOLEAN NOT NULL,
				created_at TIMESTAMP_TZ NOT NULL,
				PRIMARY KEY (follower_id, followee_id)
			)`,
			`CREATE INDEX follows_followee ON follows (followee_id)`,
		})
	}, func(ctx context.Context, db *bun.DB) error {
		return execSQL(ctx, db, []string{
			`DROP TABLE follows`, `DROP TABLE post_tags`, `DROP TABLE mentions`, `DROP TABLE reactions`,
			`DROP TABLE post_edits`, `DROP TABLE posts`, `DROP TABLE tokens`, `DROP TABLE sessions`,
			`DROP TABLE skills`, `DROP TABLE accounts`,
		})
	})
}
