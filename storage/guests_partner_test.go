package storage_test

import (
	"testing"

	"github.com/atrium-intranet/atrium/internal/testrig"
	"github.com/atrium-intranet/atrium/model"
	"github.com/atrium-intranet/atrium/storage"
)

func TestSharesGroupWithDomain(t *testing.T) {
	testrig.EachDB(t, func(t *testing.T, s *storage.Store) {
		const partner, other = "127.0.0.1:9001", "127.0.0.1:9002"
		mia, bob, ria, pete, zoe := local(t, s, "mia"), local(t, s, "bob"), local(t, s, "ria"), local(t, s, "pete"), local(t, s, "zoe")
		lee := local(t, s, "lee")
		dora, otto, paul := remote(t, s, "dora", partner), remote(t, s, "otto", other), remote(t, s, "paul", partner)
		team, club, lobby := group(t, s, "team", model.GroupClosed), group(t, s, "club", model.GroupOpen), group(t, s, "lobby", model.GroupOpen)
		join(t, s, team, mia, model.GroupOwner, model.MemberActive)
		join(t, s, team, dora, model.GroupMember, model.MemberActive)
		join(t, s, team, pete, model.GroupMember, model.MemberRequested)
		join(t, s, club, bob, model.GroupOwner, model.MemberActive)
		join(t, s, club, otto, model.GroupMember, model.MemberActive)
		join(t, s, lobby, lee, model.GroupOwner, model.MemberActive)
		join(t, s, lobby, paul, model.GroupMember, model.MemberInvited)
		// ria wrote in team without being in it any more (another node's group, say).
		groupPost(t, s, team, ria, model.PostPublished, t0)
		// zoe is in a group that lives on the partner node.
		far := &model.Group{ID: newID(t0), Name: "far", Domain: partner, URI: "http://" + partner + "/groups/far",
			Kind: model.GroupClosed, CreatedAt: t0, UpdatedAt: t0}
		if err := s.CreateGroup(ctx, far); err != nil {
			t.Fatal(err)
		}
		join(t, s, far, zoe, model.GroupMember, model.MemberActive)
		for _, c := range []struct {
			name   string
			who    *model.Account
			domain string
			want   bool
		}{
			{"co-member", mia, partner, true},
			{"author in a group of the partner's user", ria, partner, true},
			{"member of a group on the partner", zoe, partner, true},
			{"another node's co-member", bob, partner, false},
			{"the other node", bob, other, true},
			{"a request is no membership", pete, partner, false},
			{"an invitation is no membership", lee, partner, false},
			{"nobody of the node", mia, other, false},
			{"no domain", mia, "", false},
		} {
			got, err := s.SharesGroupWithDomain(ctx, c.who.ID, c.domain)
			if err != nil || got != c.want {
				t.Errorf("%s: %v (%v), want %v", c.name, got, err, c.want)
			}
		}
		// The partner's user leaves: mia is no longer shared; ria still wrote in team, but
		// no account of the partner is active there.
		if err := s.DeleteMembership(ctx, team.ID, dora.ID); err != nil {
			t.Fatal(err)
		}
		for _, who := range []*model.Account{mia, ria} {
			if got, err := s.SharesGroupWithDomain(ctx, who.ID, partner); err != nil || got {
				t.Errorf("%s after the partner's user left: %v (%v)", who.Username, got, err)
			}
		}
	})
}
