package migrations

import (
	"context"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect"
)

// The company directory: whether a sibling's cached person is still in its directory,
// when a directory sync last saw them, and indexes for the directory's filters and
// paging. The partial indexes hold exactly the people a directory may show (active,
// not guests, listed), so listing, filtering and the distinct sites and departments
// read only them.
func init() {
	scope := ` WHERE deactivated_at IS NULL AND role <> 'guest' AND listed`
	registry.MustRegister(func(ctx context.Context, db *bun.DB) error {
		stmts := []string{
			// Local accounts keep true; a sibling's person is unlisted when its node's
			// directory no longer names them (deactivated there, turned guest).
			`ALTER TABLE accounts ADD COLUMN listed BOOLEAN NOT NULL DEFAULT TRUE`,
			`ALTER TABLE accounts ADD COLUMN directory_seen_at TIMESTAMP_TZ`,
		}
		// In directory order with every column the list filters on and the org chart
		// reads, the scope's included (SQLite covers a query only with every column it
		// names): a search that matches few people walks the index, not the rows, and
		// the org chart of the whole company reads nothing else.
		directory := `CREATE INDEX accounts_directory ON accounts (username, domain, display_name, job_title, ` +
			`site, department, manager_id, id, role, deactivated_at, listed)`
		if db.Dialect().Name() == dialect.PG {
			// PostgreSQL matches the directory's text search against one stored,
			// lower-cased string per person instead of lower-casing three fields per row
			// and query. SQLite compares the fields themselves (its LIKE ignores case).
			stmts = append(stmts, `ALTER TABLE accounts ADD COLUMN search_text TEXT GENERATED ALWAYS AS `+
				`(lower(username || chr(1) || display_name || chr(1) || job_title)) STORED`)
			directory += ` INCLUDE (search_text)`
		}
		return execSQL(ctx, db, append(stmts,
			directory+scope,
			`CREATE INDEX accounts_directory_site ON accounts (site, username, domain)`+scope,
			`CREATE INDEX accounts_directory_department ON accounts (department, username, domain)`+scope,
			// The skill filter starts from the skill's people.
			`CREATE INDEX skills_tag_account ON skills (tag, account_id)`,
		))
	}, func(ctx context.Context, db *bun.DB) error {
		stmts := []string{
			`DROP INDEX skills_tag_account`,
			`DROP INDEX accounts_directory_department`,
			`DROP INDEX accounts_directory_site`,
			`DROP INDEX accounts_directory`,
			`ALTER TABLE accounts DROP COLUMN directory_seen_at`,
			`ALTER TABLE accounts DROP COLUMN listed`,
		}
		if db.Dialect().Name() == dialect.PG {
			stmts = append(stmts, `ALTER TABLE accounts DROP COLUMN search_text`)
		}
		return execSQL(ctx, db, stmts)
	})
}
