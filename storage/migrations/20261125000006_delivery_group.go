package migrations

import (
	"context"

	"github.com/uptrace/bun"
)

// Deliveries signed by a group: a local Group actor's Accept, Reject and Announce carry
// the group, whose key signs them (FEP-1b12).
func init() {
	registry.MustRegister(func(ctx context.Context, db *bun.DB) error {
		return execSQL(ctx, db, []string{
			`ALTER TABLE deliveries ADD COLUMN group_id TEXT REFERENCES groups(id) ON DELETE CASCADE`,
		})
	}, func(ctx context.Context, db *bun.DB) error {
		return execSQL(ctx, db, []string{
			`ALTER TABLE deliveries DROP COLUMN group_id`,
		})
	})
}
