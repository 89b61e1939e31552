package social_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/atrium-intranet/atrium/internal/testrig"
	"github.com/atrium-intranet/atrium/model"
	"github.com/atrium-intranet/atrium/social"
	"github.com/atrium-intranet/atrium/storage"
)

// countingGroups is a GroupResolver that counts directory refreshes.
type countingGroups struct{ refreshes int }

func (c *countingGroups) ResolveGroup(context.Context, string) (*model.Group, error) {
	return nil, social.ErrNotFound
}

func (c *countingGroups) RefreshGroups(context.Context, string) (int, error) {
	c.refreshes++
	return 3, nil
}

func TestRefreshDirectory(t *testing.T) {
	testrig.EachDB(t, func(t *testing.T, store *storage.Store) {
		ctx := context.Background()
		clock := testrig.NewClock()
		groups := &countingGroups{}
		deps := testrig.SocialDeps(t, store)
		deps.Now, deps.GroupResolver = clock.Now, groups
		svc := social.New(deps)
		mia := testrig.CreateAccount(t, svc, "mia", model.RoleMember)
		guest := testrig.CreateAccount(t, svc, "gus", model.RoleGuest)

		if _, _, err := svc.Groups.RefreshDirectory(ctx, guest); !errors.Is(err, social.ErrForbidden) {
			t.Fatalf("guest refresh: %v", err)
		}
		steps := []struct {
			advance time.Duration
			asked   bool
		}{{0, true}, {time.Minute, false}, {5 * time.Minute, true}}
		for i, s := range steps {
			clock.Advance(s.advance)
			n, asked, err := svc.Groups.RefreshDirectory(ctx, mia)
			if err != nil || asked != s.asked || (asked && n != 3) {
				t.Fatalf("step %d: %d, %v, %v; want asked=%v", i, n, asked, err, s.asked)
			}
		}
		if groups.refreshes != 2 {
			t.Fatalf("%d refreshes, want 2", groups.refreshes)
		}
	})
}
