package storage_test

import (
	"errors"
	"testing"

	"github.com/atrium-intranet/atrium/internal/testrig"
	"github.com/atrium-intranet/atrium/model"
	"github.com/atrium-intranet/atrium/storage"
)

func TestGroupFederationQueries(t *testing.T) {
	testrig.EachDB(t, func(t *testing.T, s *storage.Store) {
		owner := local(t, s, "ann")
		bob := remote(t, s, "bob", "127.0.0.1:8081")
		open := group(t, s, "hiking", model.GroupOpen)
		closed := group(t, s, "chess", model.GroupClosed)
		secret := group(t, s, "board", model.GroupSecret)
		siteOnly := group(t, s, "canteen", model.GroupOpen)
		siteOnly.SiteOnly = true
		if err := s.UpdateGroup(ctx, siteOnly, "site_only"); err != nil {
			t.Fatal(err)
		}
		cached := &model.Group{ID: newID(t0), Name: "aaa", Domain: "127.0.0.1:8081", URI: "http://127.0.0.1:8081/groups/aaa",
			Kind: model.GroupOpen, CreatedAt: t0, UpdatedAt: t0}
		if err := s.CreateGroup(ctx, cached); err != nil {
			t.Fatal(err)
		}
		join(t, s, open, owner, model.GroupOwner, model.MemberActive)
		join(t, s, secret, bob, model.GroupMember, model.MemberInvited)
		join(t, s, closed, bob, model.GroupMember, model.MemberRequested)

		list, err := s.FederatedGroups(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if got := groupNames(list); len(got) != 2 || got[0] != "chess" || got[1] != "hiking" {
			t.Errorf("federated groups = %v, want [chess hiking]", got)
		}

		for _, c := range []struct {
			name   string
			group  *model.Group
			domain string
			states []model.MemberState
			want   bool
		}{
			{"invited counts when asked", secret, "127.0.0.1:8081", []model.MemberState{model.MemberActive, model.MemberInvited}, true},
			{"invited is not active", secret, "127.0.0.1:8081", []model.MemberState{model.MemberActive}, false},
			{"other node", secret, "127.0.0.1:8082", []model.MemberState{model.MemberActive, model.MemberInvited}, false},
			{"local members are no node's", open, "", []model.MemberState{model.MemberActive}, false},
			{"requested", closed, "127.0.0.1:8081", []model.MemberState{model.MemberRequested}, true},
			{"no states", closed, "127.0.0.1:8081", nil, false},
		} {
			got, err := s.GroupHasMemberOnDomain(ctx, c.group.ID, c.domain, c.states...)
			if err != nil || got != c.want {
				t.Errorf("%s: %v %v, want %v", c.name, got, err, c.want)
			}
		}

		if n, err := s.CountGroupModerators(ctx, open.ID); err != nil || n != 1 {
			t.Errorf("moderators = %d %v, want 1", n, err)
		}
		if n, err := s.CountGroupModerators(ctx, secret.ID); err != nil || n != 0 {
			t.Errorf("moderators of secret = %d %v, want 0", n, err)
		}
	})
}

func TestUpsertRemoteGroup(t *testing.T) {
	testrig.EachDB(t, func(t *testing.T, s *storage.Store) {
		mine := group(t, s, "hiking", model.GroupOpen)
		g := &model.Group{ID: newID(t0), Name: "chess", Domain: "127.0.0.1:8081", URI: "http://127.0.0.1:8081/groups/chess",
			DisplayName: "Chess", Kind: model.GroupOpen, CreatedAt: t0, UpdatedAt: t0}
		if err := s.UpsertRemoteGroup(ctx, g); err != nil {
			t.Fatal(err)
		}
		first := g.ID
		again := &model.Group{ID: newID(t0), Name: "chess", Domain: "127.0.0.1:8081", URI: g.URI,
			DisplayName: "Chess club", Kind: model.GroupClosed, CreatedAt: t0, UpdatedAt: t0}
		if err := s.UpsertRemoteGroup(ctx, again); err != nil {
			t.Fatal(err)
		}
		got, err := s.GroupByURI(ctx, g.URI)
		if err != nil || again.ID != first || got.ID != first || got.DisplayName != "Chess club" || got.Kind != model.GroupClosed {
			t.Errorf("refreshed: %+v %v (id %s, first %s)", got, err, again.ID, first)
		}
		for name, bad := range map[string]*model.Group{
			"local row":  {ID: newID(t0), Name: "x", Domain: "127.0.0.1:8081", URI: mine.URI, Kind: model.GroupOpen, CreatedAt: t0, UpdatedAt: t0},
			"not remote": {ID: newID(t0), Name: "y", URI: "http://127.0.0.1:8081/groups/y", Kind: model.GroupOpen, CreatedAt: t0, UpdatedAt: t0},
		} {
			if err := s.UpsertRemoteGroup(ctx, bad); !errors.Is(err, storage.ErrConflict) {
				t.Errorf("%s: %v, want ErrConflict", name, err)
			}
		}
		if got, _ := s.GroupByURI(ctx, mine.URI); got.Domain != "" || got.Name != "hiking" {
			t.Errorf("local group changed: %+v", got)
		}
	})
}
