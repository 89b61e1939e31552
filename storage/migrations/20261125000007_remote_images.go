package migrations

import (
	"context"

	"github.com/uptrace/bun"
)

// Pictures of other nodes' accounts and groups: the URL each cached copy was fetched
// from, so that a refresh naming the same URL fetches nothing; and lookups of a local
// picture by file name, which the signed picture route makes for every fetch.
func init() {
	registry.MustRegister(func(ctx context.Context, db *bun.DB) error {
		return execSQL(ctx, db, []string{
			`ALTER TABLE accounts ADD COLUMN avatar_source_url TEXT NOT NULL DEFAULT ''`,
			`ALTER TABLE groups ADD COLUMN avatar_source_url TEXT NOT NULL DEFAULT ''`,
			`ALTER TABLE groups ADD COLUMN banner_source_url TEXT NOT NULL DEFAULT ''`,
			`CREATE INDEX accounts_avatar_file ON accounts (avatar_file) WHERE avatar_file <> ''`,
			`CREATE INDEX groups_avatar_file ON groups (avatar_file) WHERE avatar_file <> ''`,
			`CREATE INDEX groups_banner_file ON groups (banner_file) WHERE banner_file <> ''`,
		})
	}, func(ctx context.Context, db *bun.DB) error {
		return execSQL(ctx, db, []string{
			`DROP INDEX groups_banner_file`,
			`DROP INDEX groups_avatar_file`,
			`DROP INDEX accounts_avatar_file`,
			`ALTER TABLE groups DROP COLUMN banner_source_url`,
			`ALTER TABLE groups DROP COLUMN avatar_source_url`,
			`ALTER TABLE accounts DROP COLUMN avatar_source_url`,
		})
	})
}
