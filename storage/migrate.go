package storage

import (
	"context"
	"fmt"

	"github.com/atrium-intranet/atrium/storage/migrations"
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/migrate"
)

// Migrate applies every migration not yet applied and returns the names it ran.
func Migrate(ctx context.Context, db *bun.DB) ([]string, error) {
	m := migrate.NewMigrator(db, migrations.All(), migrate.WithMarkAppliedOnSuccess(true))
	if err := m.Init(ctx); err != nil {
		return nil, fmt.Errorf("init migrations: %w", err)
	}
	group, err := m.Migrate(ctx)
	if err != nil {
		return nil, fmt.Errorf("migrate: %w", err)
	}
	var names []string
	for _, mg := range group.Migrations {
		names = append(names, mg.Name)
	}
	return names, nil
}
