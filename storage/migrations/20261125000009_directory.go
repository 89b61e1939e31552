package migrations

import (
	"context"

	"github.com/uptrace/bun"
)

// The company directory: whether a sibling's cached person is still in its directory,
// when a directory sync last saw them, and indexes for the directory's filters and
// paging. The partial indexes hold exactly the people a directory may show (active,
// not guests, listed), so listing, filtering and the distinct sites and departments
// read only them.
func init() {
	scope := ` WHERE deactivated_at IS NULL AND role <> 'guest' AND listed`
	registry.MustRegister(func(ctx context.Context, db *bun.DB) error {
		return execSQL(ctx, db, []string{
			// Local accounts keep true; a sibling's person is unlisted when its node's
			// directory no longer names them (deactivated there, turned guest).
			`ALTER TABLE accounts ADD COLUMN listed BOOLEAN NOT NULL DEFAULT TRUE`,
			`ALTER TABLE accounts ADD COLUMN directory_seen_at TIMESTAMP_TZ`,
			// The text search reads names and titles from the index, not the rows: a
			// search that matches few people walks everyone.
			`CREATE INDEX accounts_directory ON accounts (username, domain, display_name, job_title)` + scope,
			`CREATE INDEX accounts_directory_site ON accounts (site, username, domain)` + scope,
			`CREATE INDEX accounts_directory_department ON accounts (department, username, domain)` + scope,
			`CREATE INDEX accounts_directory_manager ON accounts (manager_id, username, domain)` + scope,
			// The skill filter starts from the skill's people.
			`CREATE INDEX skills_tag_account ON skills (tag, account_id)`,
		})
	}, func(ctx context.Context, db *bun.DB) error {
		return execSQL(ctx, db, []string{
			`DROP INDEX skills_tag_account`,
			`DROP INDEX accounts_directory_manager`,
			`DROP INDEX accounts_directory_department`,
			`DROP INDEX accounts_directory_site`,
			`DROP INDEX accounts_directory`,
			`ALTER TABLE accounts DROP COLUMN directory_seen_at`,
			`ALTER TABLE accounts DROP COLUMN listed`,
		})
	})
}
