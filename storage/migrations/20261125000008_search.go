package migrations

import (
	"context"
	"fmt"

	"github.com/atrium-intranet/atrium/internal/fulltext"
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect"
)

// AccountSearchText is the text of a person that search matches, as one SQL expression
// over accounts; PostgreSQL's index is built on it, so queries must repeat it exactly.
const AccountSearchText = `username || ' ' || display_name || ' ' || job_title || ' ' || department || ' ' || site`

// GroupSearchText is the text of a group that search matches (see AccountSearchText).
const GroupSearchText = `name || ' ' || display_name || ' ' || description_source`

// Full-text search.
//
// Posts and comments: the terms (each word, its English and its German stem; see
// package fulltext) are computed in Go by the storage code that writes a post, for every
// path (UI, API, inbox), and kept beside the post. On SQLite they go into a contentless
// FTS5 table keyed by post_search.id: posts' own rowids are not stable across VACUUM.
// On PostgreSQL post_search holds a tsvector of the terms with a GIN index. root_id is
// the post's thread root (the post itself for a top-level post), whose audience decides
// who sees a comment: searches check it without reading the post found. Deleting a post
// deletes its post_search row by cascade, and a trigger takes it out of FTS5.
//
// People and groups are matched by word prefix on their names and titles, kept in sync
// by triggers on SQLite (FTS5 tables holding the row's id) and by expression indexes on
// PostgreSQL, so no write path can miss them.
func init() {
	registry.MustRegister(func(ctx context.Context, db *bun.DB) error {
		pg := db.Dialect().Name() == dialect.PG
		return db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
			stmts := sqliteSearch
			if pg {
				stmts = pgSearch
			}
			for _, s := range stmts {
				if _, err := tx.ExecContext(ctx, s); err != nil {
					return fmt.Errorf("%s: %w", s, err)
				}
			}
			return backfillPostSearch(ctx, tx, pg)
		})
	}, func(ctx context.Context, db *bun.DB) error {
		if db.Dialect().Name() == dialect.PG {
			return execSQL(ctx, db, []string{
				`DROP INDEX groups_search`, `DROP INDEX accounts_search`, `DROP TABLE post_search`,
			})
		}
		return execSQL(ctx, db, []string{
			`DROP TRIGGER groups_fts_delete`, `DROP TRIGGER groups_fts_update`, `DROP TRIGGER groups_fts_insert`,
			`DROP TABLE group_fts`,
			`DROP TRIGGER accounts_fts_delete`, `DROP TRIGGER accounts_fts_update`, `DROP TRIGGER accounts_fts_insert`,
			`DROP TABLE account_fts`,
			`DROP TRIGGER post_search_delete`, `DROP TABLE post_fts`, `DROP TABLE post_search`,
		})
	})
}

var sqliteSearch = []string{
	`CREATE TABLE post_search (
		id INTEGER PRIMARY KEY,
		post_id TEXT NOT NULL UNIQUE REFERENCES posts(id) ON DELETE CASCADE,
		root_id TEXT NOT NULL
	)`,
	// unicode61 only splits the terms at the spaces between them; remove_diacritics 0
	// keeps "über" and "uber" apart as PostgreSQL's simple configuration does.
	`CREATE VIRTUAL TABLE post_fts USING fts5(terms, content='', contentless_delete=1,
		tokenize='unicode61 remove_diacritics 0')`,
	`CREATE TRIGGER post_search_delete AFTER DELETE ON post_search BEGIN
		DELETE FROM post_fts WHERE rowid = old.id;
	END`,
	`CREATE VIRTUAL TABLE account_fts USING fts5(account_id UNINDEXED, body,
		tokenize='unicode61 remove_diacritics 0')`,
	`CREATE TRIGGER accounts_fts_insert AFTER INSERT ON accounts BEGIN
		INSERT INTO account_fts (account_id, body) VALUES (new.id, ` + newRow(AccountSearchText) + `);
	END`,
	`CREATE TRIGGER accounts_fts_update AFTER UPDATE OF username, display_name, job_title, department, site ON accounts BEGIN
		DELETE FROM account_fts WHERE account_id = old.id;
		INSERT INTO account_fts (account_id, body) VALUES (new.id, ` + newRow(AccountSearchText) + `);
	END`,
	`CREATE TRIGGER accounts_fts_delete AFTER DELETE ON accounts BEGIN
		DELETE FROM account_fts WHERE account_id = old.id;
	END`,
	`INSERT INTO account_fts (account_id, body) SELECT id, ` + AccountSearchText + ` FROM accounts`,
	`CREATE VIRTUAL TABLE group_fts USING fts5(group_id UNINDEXED, body,
		tokenize='unicode61 remove_diacritics 0')`,
	`CREATE TRIGGER groups_fts_insert AFTER INSERT ON groups BEGIN
		INSERT INTO group_fts (group_id, body) VALUES (new.id, ` + newRow(GroupSearchText) + `);
	END`,
	`CREATE TRIGGER groups_fts_update AFTER UPDATE OF name, display_name, description_source ON groups BEGIN
		DELETE FROM group_fts WHERE group_id = old.id;
		INSERT INTO group_fts (group_id, body) VALUES (new.id, ` + newRow(GroupSearchText) + `);
	END`,
	`CREATE TRIGGER groups_fts_delete AFTER DELETE ON groups BEGIN
		DELETE FROM group_fts WHERE group_id = old.id;
	END`,
	`INSERT INTO group_fts (group_id, body) SELECT id, ` + GroupSearchText + ` FROM groups`,
}

var pgSearch = []string{
	`CREATE TABLE post_search (
		post_id TEXT PRIMARY KEY REFERENCES posts(id) ON DELETE CASCADE,
		root_id TEXT NOT NULL,
		tsv TSVECTOR NOT NULL
	)`,
	`CREATE INDEX post_search_tsv ON post_search USING GIN (tsv)`,
	`CREATE INDEX accounts_search ON accounts USING GIN (to_tsvector('simple'::regconfig, ` + AccountSearchText + `))`,
	`CREATE INDEX groups_search ON groups USING GIN (to_tsvector('simple'::regconfig, ` + GroupSearchText + `))`,
}

// newRow qualifies the columns of a search text expression with "new." for a trigger.
func newRow(expr string) string {
	out := ""
	word := ""
	flush := func() {
		if word != "" {
			out += "new." + word
			word = ""
		}
	}
	for _, r := range expr {
		if r == '_' || (r >= 'a' && r <= 'z') {
			word += string(r)
			continue
		}
		flush()
		out += string(r)
	}
	flush()
	return out
}

// backfillPostSearch indexes the posts that exist, a batch at a time.
func backfillPostSearch(ctx context.Context, tx bun.Tx, pg bool) error {
	after := ""
	for {
		var rows []struct {
			ID     string  `bun:"id"`
			RootID *string `bun:"root_id"`
			HTML   string  `bun:"html"`
		}
		err := tx.NewSelect().Table("posts").Column("id", "root_id", "html").Where("id > ?", after).
			OrderExpr("id ASC").Limit(500).Scan(ctx, &rows)
		if err != nil {
			return fmt.Errorf("read posts to index: %w", err)
		}
		for _, r := range rows {
			terms := fulltext.Terms(fulltext.PlainText(r.HTML))
			root := r.ID
			if r.RootID != nil {
				root = *r.RootID
			}
			if pg {
				_, err = tx.ExecContext(ctx, `INSERT INTO post_search (post_id, root_id, tsv) VALUES (?, ?, to_tsvector('simple', ?))`, r.ID, root, terms)
			} else {
				var id int64
				if err = tx.QueryRowContext(ctx, `INSERT INTO post_search (post_id, root_id) VALUES (?, ?) RETURNING id`, r.ID, root).Scan(&id); err == nil {
					_, err = tx.ExecContext(ctx, `INSERT INTO post_fts (rowid, terms) VALUES (?, ?)`, id, terms)
				}
			}
			if err != nil {
				return fmt.Errorf("index post %s: %w", r.ID, err)
			}
		}
		if len(rows) < 500 {
			return nil
		}
		after = rows[len(rows)-1].ID
	}
}
