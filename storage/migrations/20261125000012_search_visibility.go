package migrations

import (
	"context"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect"
)

// Search rows carry their thread root's visibility fields.
//
// A search filters its candidates by the feed's rule (storage's visible()), applied to
// the thread root. Reading the root's row in posts for every candidate was a random read
// of a large table per candidate; post_search now holds a copy of the root's account_id,
// audience, group_id and state under the same column names, so the same rule runs on
// the small search row itself. The copy is written with the row (storage's indexPost
// reads it from the root) and kept by a trigger on posts: every change of those columns
// on a root, by any write path, is copied to the search rows of its thread in the same
// statement. Existing rows are backfilled here.
func init() {
	registry.MustRegister(func(ctx context.Context, db *bun.DB) error {
		if db.Dialect().Name() == dialect.PG {
			return execSQL(ctx, db, pgSearchVisibility)
		}
		return execSQL(ctx, db, sqliteSearchVisibility)
	}, func(ctx context.Context, db *bun.DB) error {
		drop := []string{
			`DROP TRIGGER post_search_visibility ON posts`, `DROP FUNCTION post_search_visibility()`,
		}
		if db.Dialect().Name() != dialect.PG {
			drop = []string{`DROP TRIGGER post_search_visibility`}
		}
		return execSQL(ctx, db, append(drop,
			`DROP INDEX post_search_root`,
			`ALTER TABLE post_search DROP COLUMN state`,
			`ALTER TABLE post_search DROP COLUMN group_id`,
			`ALTER TABLE post_search DROP COLUMN audience`,
			`ALTER TABLE post_search DROP COLUMN account_id`,
		))
	})
}

// searchVisibilityColumns adds the copied columns and backfills them from the roots.
var searchVisibilityColumns = []string{
	`ALTER TABLE post_search ADD COLUMN account_id TEXT NOT NULL DEFAULT ''`,
	`ALTER TABLE post_search ADD COLUMN audience TEXT NOT NULL DEFAULT ''`,
	`ALTER TABLE post_search ADD COLUMN group_id TEXT`,
	`ALTER TABLE post_search ADD COLUMN state TEXT NOT NULL DEFAULT ''`,
	`UPDATE post_search SET (account_id, audience, group_id, state) =
		(SELECT r.account_id, r.audience, r.group_id, r.state FROM posts AS r WHERE r.id = post_search.root_id)`,
	// The trigger finds a thread's rows by root.
	`CREATE INDEX post_search_root ON post_search (root_id)`,
}

var sqliteSearchVisibility = append(append([]string{}, searchVisibilityColumns...),
	`CREATE TRIGGER post_search_visibility AFTER UPDATE OF account_id, audience, group_id, state ON posts BEGIN
		UPDATE post_search SET account_id = new.account_id, audience = new.audience, group_id = new.group_id, state = new.state
		WHERE root_id = new.id;
	END`,
)

var pgSearchVisibility = append(append([]string{}, searchVisibilityColumns...),
	`CREATE FUNCTION post_search_visibility() RETURNS trigger LANGUAGE plpgsql AS $$
	BEGIN
		UPDATE post_search SET account_id = NEW.account_id, audience = NEW.audience, group_id = NEW.group_id, state = NEW.state
		WHERE root_id = NEW.id;
		RETURN NULL;
	END
	$$`,
	`CREATE TRIGGER post_search_visibility AFTER UPDATE OF account_id, audience, group_id, state ON posts
		FOR EACH ROW EXECUTE FUNCTION post_search_visibility()`,
)
