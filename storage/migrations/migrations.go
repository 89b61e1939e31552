// Package migrations holds the versioned schema changes. Each file is named by its
// timestamp and registers itself; a released migration is never edited, only followed
// by a new one.
package migrations

import (
	"context"
	"strings"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect"
	"github.com/uptrace/bun/migrate"
)

// registry is filled by the init functions of the migration files and read-only after.
var registry = migrate.NewMigrations()

// All returns every registered migration.
func All() *migrate.Migrations { return registry }

// execSQL runs statements in one transaction, replacing the portable type names
// TIMESTAMP_TZ and BLOB_T with the dialect's own.
func execSQL(ctx context.Context, db *bun.DB, stmts []string) error {
	pg := db.Dialect().Name() == dialect.PG
	return db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		for _, s := range stmts {
			if pg {
				s = strings.ReplaceAll(s, "TIMESTAMP_TZ", "TIMESTAMPTZ")
				s = strings.ReplaceAll(s, "BLOB_T", "BYTEA")
			} else {
				s = strings.ReplaceAll(s, "TIMESTAMP_TZ", "TIMESTAMP")
				s = strings.ReplaceAll(s, "BLOB_T", "BLOB")
			}
			if _, err := tx.ExecContext(ctx, s); err != nil {
				return err
			}
		}
		return nil
	})
}
