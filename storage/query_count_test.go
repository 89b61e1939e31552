package storage_test

import (
	"testing"

	"github.com/atrium-intranet/atrium/internal/reqlog"
	"github.com/atrium-intranet/atrium/internal/testrig"
	"github.com/atrium-intranet/atrium/storage"
)

// The access log's queries and db_ms come from the hook every opened database has.
func TestQueriesAreCountedPerRequest(t *testing.T) {
	testrig.EachDB(t, func(t *testing.T, s *storage.Store) {
		mia := local(t, s, "mia")
		rctx, queries := reqlog.WithQueries(ctx)
		for range 3 {
			if _, err := s.Account(rctx, mia.ID); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := s.Account(ctx, mia.ID); err != nil { // another request's
			t.Fatal(err)
		}
		if n, d := queries.Count(); n != 3 || d <= 0 {
			t.Errorf("counted %d queries in %s, want 3 in some time", n, d)
		}
	})
}
