package federation_test

import (
	"testing"

	"github.com/atrium-intranet/atrium/activitypub"
	"github.com/atrium-intranet/atrium/internal/testrig"
	"github.com/atrium-intranet/atrium/model"
	"github.com/atrium-intranet/atrium/social"
	"github.com/atrium-intranet/atrium/storage"
)

// TestOutboxGroupRejectPost queues a group's Reject of a remote member's post for the
// author's node alone, signed by the group; a local post's rejection queues nothing.
func TestOutboxGroupRejectPost(t *testing.T) {
	testrig.EachDB(t, func(t *testing.T, store *storage.Store) {
		w := newOutboxWorld(t, store)
		owner := testrig.CreateAccount(t, w.svc, "owner", model.RoleMember)
		g, err := w.svc.Groups.Create(w.ctx, owner, social.GroupInput{Name: "news", DisplayName: "News", Kind: model.GroupOpen})
		if err != nil {
			t.Fatal(err)
		}
		b1, c1 := w.remote("b1", siblingB), w.remote("c1", siblingC)
		now := w.clock.Now()
		for _, a := range []*model.Account{b1, c1} {
			if err := store.SaveMembership(w.ctx, &model.Membership{GroupID: g.ID, AccountID: a.ID, Role: model.GroupMember,
				State: model.MemberActive, FollowURI: a.URI + "/follows/1", CreatedAt: now, UpdatedAt: now}); err != nil {
				t.Fatal(err)
			}
		}
		w.take()
		post := &model.Post{ID: "P1", URI: siblingB + "/posts/P1", AccountID: b1.ID, Audience: model.AudienceGroup, GroupID: &g.ID}
		err = store.InTx(w.ctx, func(tx *storage.Store) error {
			return w.box.Enqueue(w.ctx, tx, social.Activity{Kind: social.ActivityGroupRejectPost, Group: g, Post: post, Object: b1})
		})
		if err != nil {
			t.Fatal(err)
		}
		rows := w.take()
		if len(rows) != 1 || rows[0].InboxURI != b1.SharedInboxURI || rows[0].GroupID == nil || *rows[0].GroupID != g.ID || rows[0].ActorID != nil {
			t.Fatalf("deliveries %+v", rows)
		}
		m := payload(t, rows[0])
		inner, _ := m["object"].(map[string]interface{})
		if m["type"] != "Reject" || m["actor"] != g.URI || m["to"] != b1.URI || m["id"] != activitypub.RejectPostID(g.URI, post.URI) ||
			inner["type"] != "Create" || inner["actor"] != b1.URI || inner["object"] != post.URI {
			t.Errorf("payload %v", m)
		}

		local := &model.Post{ID: "P2", URI: testrig.BaseURL + "/posts/P2", AccountID: owner.ID, Audience: model.AudienceGroup,
			GroupID: &g.ID, Local: true}
		err = store.InTx(w.ctx, func(tx *storage.Store) error {
			return w.box.Enqueue(w.ctx, tx, social.Activity{Kind: social.ActivityGroupRejectPost, Group: g, Post: local, Object: owner})
		})
		if err != nil {
			t.Fatal(err)
		}
		if rows := w.take(); len(rows) != 0 {
			t.Errorf("a local post's rejection queued %d deliveries", len(rows))
		}
	})
}
