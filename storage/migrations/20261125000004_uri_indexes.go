package migrations

import (
	"context"

	"github.com/uptrace/bun"
)

// Incoming Accept, Reject and Undo name follows and reactions by their activity URI.
func init() {
	registry.MustRegister(func(ctx context.Context, db *bun.DB) error {
		return execSQL(ctx, db, []string{
			`CREATE INDEX follows_uri ON follows (uri)`,
			`CREATE INDEX reactions_uri ON reactions (uri)`,
		})
	}, func(ctx context.Context, db *bun.DB) error {
		return execSQL(ctx, db, []string{`DROP INDEX reactions_uri`, `DROP INDEX follows_uri`})
	})
}
