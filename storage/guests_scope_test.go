package storage_test

import (
	"testing"
	"time"

	"github.com/atrium-intranet/atrium/internal/testrig"
	"github.com/atrium-intranet/atrium/model"
	"github.com/atrium-intranet/atrium/storage"
)

func TestCoMembers(t *testing.T) {
	testrig.EachDB(t, func(t *testing.T, s *storage.Store) {
		gus, mia, bob, ria, pete := local(t, s, "gus"), local(t, s, "mia"), local(t, s, "bob"), local(t, s, "ria"), local(t, s, "pete")
		team, other := group(t, s, "team", model.GroupClosed), group(t, s, "other", model.GroupOpen)
		join(t, s, team, gus, model.GroupMember, model.MemberActive)
		join(t, s, team, mia, model.GroupOwner, model.MemberActive)
		join(t, s, team, pete, model.GroupMember, model.MemberRequested)
		join(t, s, other, bob, model.GroupOwner, model.MemberActive)
		// ria is in no group here but wrote in team (another node's group, say).
		groupPost(t, s, team, ria, model.PostPublished, t0)
		for _, c := range []struct {
			viewer, other *model.Account
			want          bool
		}{
			{gus, mia, true},
			{gus, ria, true},
			{gus, bob, false},
			{gus, pete, false},
			{pete, mia, false}, // a request is no membership
			{bob, gus, false},
		} {
			got, err := s.CoMembers(ctx, c.viewer.ID, c.other.ID)
			if err != nil || got != c.want {
				t.Errorf("%s and %s: %v (%v), want %v", c.viewer.Username, c.other.Username, got, err, c.want)
			}
		}
	})
}

func TestDueGuests(t *testing.T) {
	testrig.EachDB(t, func(t *testing.T, s *storage.Store) {
		mk := func(name string, role model.Role, expires *time.Time, ended bool) *model.Account {
			a := local(t, s, name)
			a.Role, a.ExpiresAt = role, expires
			cols := []string{"role", "expires_at"}
			if ended {
				a.DeactivatedAt, cols = expires, append(cols, "deactivated_at")
			}
			if err := s.UpdateAccount(ctx, a, cols...); err != nil {
				t.Fatal(err)
			}
			return a
		}
		past, future := t0.Add(-time.Hour), t0.Add(time.Hour)
		due1 := mk("due1", model.RoleGuest, &past, false)
		due2 := mk("due2", model.RoleGuest, &t0, false)
		mk("later", model.RoleGuest, &future, false)
		mk("ended", model.RoleGuest, &past, true)
		mk("member", model.RoleMember, &past, false)
		mk("open", model.RoleGuest, nil, false)
		list, err := s.DueGuests(ctx, t0, 10)
		if err != nil {
			t.Fatal(err)
		}
		if len(list) != 2 || list[0].ID != due1.ID || list[1].ID != due2.ID {
			t.Fatalf("due %v", list)
		}
		if err := s.SetDeactivated(ctx, due1.ID, &past, t0); err != nil {
			t.Fatal(err)
		}
		if list, err := s.DueGuests(ctx, t0, 10); err != nil || len(list) != 1 {
			t.Fatalf("due after ending one: %d %v", len(list), err)
		}
	})
}
