package federation_test

import (
	"testing"

	"github.com/atrium-intranet/atrium/internal/testrig"
	"github.com/atrium-intranet/atrium/model"
	"github.com/atrium-intranet/atrium/social"
	"github.com/atrium-intranet/atrium/storage"
)

// TestOutboxInvites checks the deliveries of invitations: the group's Invite and its
// Undo go to the invitee's node signed by the group; a local invitee's decline of a
// remote group's invitation goes to the group's inbox signed by the invitee.
func TestOutboxInvites(t *testing.T) {
	testrig.EachDB(t, func(t *testing.T, store *storage.Store) {
		w := newOutboxWorld(t, store)
		ctx := w.ctx
		mia := testrig.CreateAccount(t, w.svc, "mia", model.RoleMember)
		lou := testrig.CreateAccount(t, w.svc, "lou", model.RoleMember)
		g, err := w.svc.Groups.Create(ctx, mia, social.GroupInput{Name: "board", DisplayName: "Board", Kind: model.GroupSecret})
		if err != nil {
			t.Fatal(err)
		}
		b1 := w.remote("b1", siblingB)
		if err := w.svc.Groups.Invite(ctx, mia, g.ID, lou.ID); err != nil {
			t.Fatal(err)
		}
		if got := w.take(); len(got) != 0 {
			t.Fatalf("a local invitation queued %d deliveries", len(got))
		}
		if err := w.svc.Groups.Invite(ctx, mia, g.ID, b1.ID); err != nil {
			t.Fatal(err)
		}
		got := w.take()
		if len(got) != 1 || got[0].InboxURI != siblingB+"/inbox" || got[0].GroupID == nil || *got[0].GroupID != g.ID || got[0].ActorID != nil {
			t.Fatalf("invite deliveries %+v", got)
		}
		p := payload(t, got[0])
		if p["type"] != "Invite" || p["actor"] != g.URI || p["object"] != g.URI || p["target"] != b1.URI ||
			p["to"] != b1.URI || p["attributedTo"] != mia.URI {
			t.Errorf("invite %v", p)
		}
		inviteID := p["id"]
		if err := w.svc.Groups.Remove(ctx, mia, g.ID, b1.ID, false); err != nil {
			t.Fatal(err)
		}
		got = w.take()
		if len(got) != 1 || got[0].GroupID == nil || got[0].InboxURI != siblingB+"/inbox" {
			t.Fatalf("undo deliveries %+v", got)
		}
		p = payload(t, got[0])
		inner, _ := p["object"].(map[string]interface{})
		if p["type"] != "Undo" || p["actor"] != g.URI || inner == nil || inner["id"] != inviteID || inner["type"] != "Invite" {
			t.Errorf("undo %v", p)
		}

		// The invitee's side: a decline goes to the group's inbox, signed by the invitee.
		far, err := w.svc.Remote.UpsertGroup(ctx, model.Group{Name: "far", Domain: "127.0.0.1:8082",
			URI: siblingB + "/groups/far", InboxURI: siblingB + "/groups/far/inbox", Kind: model.GroupSecret})
		if err != nil {
			t.Fatal(err)
		}
		if err := w.svc.Remote.ReceiveGroupInvite(ctx, far.URI+"#invites/1", far, lou, nil); err != nil {
			t.Fatal(err)
		}
		if err := w.svc.Groups.DeclineInvitation(ctx, lou, far.ID); err != nil {
			t.Fatal(err)
		}
		got = w.take()
		if len(got) != 1 || got[0].InboxURI != far.InboxURI || got[0].ActorID == nil || *got[0].ActorID != lou.ID || got[0].GroupID != nil {
			t.Fatalf("decline deliveries %+v", got)
		}
		p = payload(t, got[0])
		inner, _ = p["object"].(map[string]interface{})
		if p["type"] != "Reject" || p["actor"] != lou.URI || p["to"] != far.URI || inner == nil ||
			inner["id"] != far.URI+"#invites/1" || inner["target"] != lou.URI {
			t.Errorf("decline %v", p)
		}
	})
}
