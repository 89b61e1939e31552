package storage_test

import (
	"context"
	"testing"

	"github.com/atrium-intranet/atrium/internal/testrig"
	"github.com/atrium-intranet/atrium/storage"
)

func TestMigrateIsIdempotent(t *testing.T) {
	for _, d := range testrig.Dialects {
		t.Run(d, func(t *testing.T) {
			db := testrig.NewDB(t, d)
			ctx := context.Background()
			first, err := storage.Migrate(ctx, db)
			if err != nil || len(first) == 0 {
				t.Fatalf("first run: %v %v", first, err)
			}
			again, err := storage.Migrate(ctx, db)
			if err != nil || len(again) != 0 {
				t.Fatalf("second run must apply nothing: %v %v", again, err)
			}
			if err := storage.New(db).Ping(ctx); err != nil {
				t.Fatal(err)
			}
		})
	}
}
