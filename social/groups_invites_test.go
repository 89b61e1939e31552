package social_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/atrium-intranet/atrium/model"
	"github.com/atrium-intranet/atrium/social"
)

// TestInviteRemoteAccount checks the home node's side: an invitation of a remote account
// sends the group's Invite, a withdrawal its Undo, and the invitee's decline of that
// invitation (and no other) removes it.
func TestInviteRemoteAccount(t *testing.T) {
	eachEnvStore(t, func(t *testing.T, e *env, box *recordingOutbox) {
		owner, local := e.member("owner"), e.member("lou")
		g := e.group(owner, "board", model.GroupSecret)
		rita, sam := e.insertRemote("rita"), e.insertRemote("sam")

		if err := e.svc.Groups.Invite(e.ctx, owner, g.ID, rita.ID); err != nil {
			t.Fatal(err)
		}
		inv := one(t, box, social.ActivityGroupInvite)
		m, err := e.store.Membership(e.ctx, g.ID, rita.ID)
		if err != nil || m.State != model.MemberInvited || !strings.HasPrefix(m.FollowURI, g.URI+"#invites/") {
			t.Fatalf("rita's membership %+v %v", m, err)
		}
		if inv.Group.ID != g.ID || inv.Object.ID != rita.ID || inv.Actor.ID != owner.ID || inv.Membership.FollowURI != m.FollowURI {
			t.Errorf("invite activity %+v", inv)
		}
		if !inv.Kind.ByGroup() || !social.ActivityGroupInviteUndo.ByGroup() || social.ActivityDeclineGroupInvite.ByGroup() {
			t.Error("invitations are signed by the group, declines by the invitee")
		}
		// Again: nothing new. A local invitee: nothing to send.
		if err := e.svc.Groups.Invite(e.ctx, owner, g.ID, rita.ID); err != nil {
			t.Fatal(err)
		}
		if err := e.svc.Groups.Invite(e.ctx, owner, g.ID, local.ID); err != nil {
			t.Fatal(err)
		}
		none(t, box, "a repeated or local invitation")

		// A decline of another invitation changes nothing; of this one, removes it.
		in := social.Incoming{ActivityID: rita.URI + "#declines/1", Actor: rita, Trust: model.TrustSibling}
		if err := e.svc.Remote.ReceiveGroupInviteDecline(e.ctx, in, g, g.URI+"#invites/other"); err != nil {
			t.Fatal(err)
		}
		if st, _ := e.membership(g, rita); st != model.MemberInvited {
			t.Fatalf("after a stale decline rita is %q", st)
		}
		in.ActivityID = rita.URI + "#declines/2"
		if err := e.svc.Remote.ReceiveGroupInviteDecline(e.ctx, in, g, m.FollowURI); err != nil {
			t.Fatal(err)
		}
		if st, _ := e.membership(g, rita); st != "" {
			t.Fatalf("after the decline rita is %q", st)
		}
		if err := e.svc.Remote.ReceiveGroupInviteDecline(e.ctx, in, g, m.FollowURI); !errors.Is(err, social.ErrDuplicate) {
			t.Errorf("replayed decline: %v", err)
		}
		none(t, box, "a decline")

		// A new invitation has a new id; withdrawing it (or banning) sends its Undo.
		if err := e.svc.Groups.Invite(e.ctx, owner, g.ID, rita.ID); err != nil {
			t.Fatal(err)
		}
		again := one(t, box, social.ActivityGroupInvite)
		if again.Membership.FollowURI == m.FollowURI {
			t.Error("a new invitation reuses the old id")
		}
		if err := e.svc.Groups.Remove(e.ctx, owner, g.ID, rita.ID, false); err != nil {
			t.Fatal(err)
		}
		undo := one(t, box, social.ActivityGroupInviteUndo)
		if undo.Membership.FollowURI != again.Membership.FollowURI || undo.Object.ID != rita.ID {
			t.Errorf("undo activity %+v", undo)
		}
		if err := e.svc.Groups.Invite(e.ctx, owner, g.ID, sam.ID); err != nil {
			t.Fatal(err)
		}
		one(t, box, social.ActivityGroupInvite)
		if err := e.svc.Groups.Remove(e.ctx, owner, g.ID, sam.ID, true); err != nil {
			t.Fatal(err)
		}
		one(t, box, social.ActivityGroupInviteUndo)
		if st, _ := e.membership(g, sam); st != model.MemberBanned {
			t.Errorf("sam is %q after the ban", st)
		}

		// A decline after joining changes nothing.
		if err := e.svc.Groups.Invite(e.ctx, owner, g.ID, rita.ID); err != nil {
			t.Fatal(err)
		}
		third := one(t, box, social.ActivityGroupInvite)
		follow := social.Incoming{ActivityID: rita.URI + "/follows/1", Actor: rita, Trust: model.TrustSibling}
		if err := e.svc.Remote.ReceiveGroupFollow(e.ctx, follow, follow.ActivityID, g); err != nil {
			t.Fatal(err)
		}
		one(t, box, social.ActivityGroupAccept)
		in.ActivityID = rita.URI + "#declines/3"
		if err := e.svc.Remote.ReceiveGroupInviteDecline(e.ctx, in, g, third.Membership.FollowURI); err != nil {
			t.Fatal(err)
		}
		if st, _ := e.membership(g, rita); st != model.MemberActive {
			t.Errorf("rita is %q after a late decline", st)
		}
	})
}

// TestInviteApprovesRemoteRequest checks that a moderator's invitation of a remote
// account that asked to join a closed group approves it, with the group's Accept.
func TestInviteApprovesRemoteRequest(t *testing.T) {
	eachEnvStore(t, func(t *testing.T, e *env, box *recordingOutbox) {
		owner := e.member("owner")
		g := e.group(owner, "chess", model.GroupClosed)
		rita := e.insertRemote("rita")
		in := social.Incoming{ActivityID: rita.URI + "/follows/1", Actor: rita, Trust: model.TrustSibling}
		if err := e.svc.Remote.ReceiveGroupFollow(e.ctx, in, in.ActivityID, g); err != nil {
			t.Fatal(err)
		}
		none(t, box, "a request")
		if err := e.svc.Groups.Invite(e.ctx, owner, g.ID, rita.ID); err != nil {
			t.Fatal(err)
		}
		a := one(t, box, social.ActivityGroupAccept)
		if a.Membership.FollowURI != in.ActivityID {
			t.Errorf("accept of %q", a.Membership.FollowURI)
		}
		if st, _ := e.membership(g, rita); st != model.MemberActive {
			t.Errorf("rita is %q", st)
		}
	})
}

// remoteGroup caches a group of the node at 127.0.0.1:8081.
func (e *env) remoteGroup(name string, kind model.GroupKind) *model.Group {
	e.t.Helper()
	base := "http://127.0.0.1:8081/groups/" + name
	g, err := e.svc.Remote.UpsertGroup(e.ctx, model.Group{Name: name, Domain: "127.0.0.1:8081", URI: base,
		InboxURI: base + "/inbox", Kind: kind})
	if err != nil {
		e.t.Fatal(err)
	}
	return g
}

// TestReceiveGroupInvite checks the invitee's node: the group's Invite makes an
// invitation the invitee sees (a secret group too, to nobody else), accepts with a Follow
// or declines with a Reject; the group's Undo withdraws it.
func TestReceiveGroupInvite(t *testing.T) {
	eachEnvStore(t, func(t *testing.T, e *env, box *recordingOutbox) {
		g := e.remoteGroup("board", model.GroupSecret)
		bob, vic, gus := e.member("bob"), e.member("vic"), e.guest("gus")
		alice := e.insertRemote("alice")
		id1 := g.URI + "#invites/1"
		if err := e.svc.Remote.ReceiveGroupInvite(e.ctx, id1, g, bob, alice); err != nil {
			t.Fatal(err)
		}
		if err := e.svc.Remote.ReceiveGroupInvite(e.ctx, id1, g, bob, alice); !errors.Is(err, social.ErrDuplicate) {
			t.Errorf("replayed invite: %v", err)
		}
		m, err := e.store.Membership(e.ctx, g.ID, bob.ID)
		if err != nil || m.State != model.MemberInvited || m.FollowURI != id1 || m.InvitedByID == nil || *m.InvitedByID != alice.ID {
			t.Fatalf("bob's invitation %+v %v", m, err)
		}
		// The invitee sees the secret group and may accept; nobody else sees it.
		v, err := e.svc.Groups.Get(e.ctx, bob, "board@127.0.0.1:8081")
		if err != nil || !v.CanJoin || v.CanRequest || v.CanPost {
			t.Fatalf("bob's view %+v %v", v, err)
		}
		if _, err := e.svc.Groups.Get(e.ctx, vic, "board@127.0.0.1:8081"); !errors.Is(err, social.ErrNotFound) {
			t.Errorf("vic sees the secret group: %v", err)
		}
		list, err := e.svc.Groups.Invitations(e.ctx, bob)
		if err != nil || len(list) != 1 || list[0].Group.ID != g.ID || list[0].InvitedBy == nil || list[0].InvitedBy.ID != alice.ID {
			t.Fatalf("bob's invitations %+v %v", list, err)
		}
		if list, err := e.svc.Groups.Invitations(e.ctx, vic); err != nil || len(list) != 0 {
			t.Errorf("vic's invitations %+v %v", list, err)
		}
		page, err := e.svc.Groups.List(e.ctx, bob, social.GroupQuery{})
		if err != nil || len(page.Groups) != 1 {
			t.Errorf("bob's directory %+v %v", page, err)
		}
		// Accepting is the join: a Follow, requested until the group's Accept.
		st, err := e.svc.Groups.Join(e.ctx, bob, g.ID)
		if err != nil || st != model.MemberRequested {
			t.Fatalf("accept: %q %v", st, err)
		}
		join := one(t, box, social.ActivityJoinGroup)
		if join.Membership.FollowURI == id1 || join.Membership.FollowURI == "" {
			t.Errorf("join with follow %q", join.Membership.FollowURI)
		}
		if err := e.svc.Remote.ReceiveGroupAccept(e.ctx, g.URI+"#accepts/1", g, join.Membership.FollowURI); err != nil {
			t.Fatal(err)
		}
		if st, _ := e.membership(g, bob); st != model.MemberActive {
			t.Fatalf("bob is %q after the Accept", st)
		}
		// A later Invite leaves a member as it is; its Undo too.
		if err := e.svc.Remote.ReceiveGroupInvite(e.ctx, g.URI+"#invites/2", g, bob, nil); err != nil {
			t.Fatal(err)
		}
		if err := e.svc.Remote.ReceiveGroupInviteUndo(e.ctx, g.URI+"#invites/2/undo", g, bob, g.URI+"#invites/2"); err != nil {
			t.Fatal(err)
		}
		if st, _ := e.membership(g, bob); st != model.MemberActive {
			t.Fatalf("bob is %q after a later invitation", st)
		}

		// A guest accepts an invitation too; declining sends the Reject and drops it.
		if err := e.svc.Remote.ReceiveGroupInvite(e.ctx, g.URI+"#invites/3", g, gus, nil); err != nil {
			t.Fatal(err)
		}
		if st, err := e.svc.Groups.Join(e.ctx, gus, g.ID); err != nil || st != model.MemberRequested {
			t.Fatalf("guest accepts: %q %v", st, err)
		}
		one(t, box, social.ActivityJoinGroup)
		if err := e.svc.Remote.ReceiveGroupInvite(e.ctx, g.URI+"#invites/4", g, vic, nil); err != nil {
			t.Fatal(err)
		}
		if err := e.svc.Groups.DeclineInvitation(e.ctx, vic, g.ID); err != nil {
			t.Fatal(err)
		}
		dec := one(t, box, social.ActivityDeclineGroupInvite)
		if dec.Actor.ID != vic.ID || dec.Group.ID != g.ID || dec.Membership.FollowURI != g.URI+"#invites/4" {
			t.Errorf("decline activity %+v", dec)
		}
		if st, _ := e.membership(g, vic); st != "" {
			t.Errorf("vic is %q after declining", st)
		}
		if err := e.svc.Groups.DeclineInvitation(e.ctx, vic, g.ID); !errors.Is(err, social.ErrNotFound) {
			t.Errorf("decline without invitation: %v", err)
		}
		// Leaving an invitation is declining it.
		if err := e.svc.Remote.ReceiveGroupInvite(e.ctx, g.URI+"#invites/5", g, vic, nil); err != nil {
			t.Fatal(err)
		}
		if err := e.svc.Groups.Leave(e.ctx, vic, g.ID); err != nil {
			t.Fatal(err)
		}
		one(t, box, social.ActivityDeclineGroupInvite)

		// The group's Undo of another invitation changes nothing; of this one, drops it.
		if err := e.svc.Remote.ReceiveGroupInvite(e.ctx, g.URI+"#invites/6", g, vic, nil); err != nil {
			t.Fatal(err)
		}
		if err := e.svc.Remote.ReceiveGroupInviteUndo(e.ctx, g.URI+"#invites/5/undo", g, vic, g.URI+"#invites/5"); err != nil {
			t.Fatal(err)
		}
		if st, _ := e.membership(g, vic); st != model.MemberInvited {
			t.Fatalf("vic is %q after the Undo of an older invitation", st)
		}
		if err := e.svc.Remote.ReceiveGroupInviteUndo(e.ctx, g.URI+"#invites/6/undo", g, vic, g.URI+"#invites/6"); err != nil {
			t.Fatal(err)
		}
		if st, _ := e.membership(g, vic); st != "" {
			t.Errorf("vic is %q after the withdrawal", st)
		}
		none(t, box, "a withdrawal")
	})
}

// TestReceiveGroupInviteRefused checks that an invitation of a deactivated account, of
// a remote account or by a local group is refused and stores nothing.
func TestReceiveGroupInviteRefused(t *testing.T) {
	eachEnvStore(t, func(t *testing.T, e *env, box *recordingOutbox) {
		g := e.remoteGroup("board", model.GroupSecret)
		admin, dora := e.admin("root"), e.member("dora")
		if err := e.svc.Accounts.SetActive(e.ctx, admin, dora.ID, false); err != nil {
			t.Fatal(err)
		}
		dora = e.reload(dora)
		box.take() // whatever deactivating tells other nodes
		local := e.group(admin, "home", model.GroupOpen)
		cases := []struct {
			name    string
			grp     *model.Group
			invitee *model.Account
		}{
			{"deactivated", g, dora},
			{"remote invitee", g, e.insertRemote("rita")},
			{"local group", local, admin},
		}
		for i, c := range cases {
			id := g.URI + "#invites/x" + string(rune('a'+i))
			if err := e.svc.Remote.ReceiveGroupInvite(e.ctx, id, c.grp, c.invitee, nil); !errors.Is(err, social.ErrForbidden) {
				t.Errorf("%s: %v", c.name, err)
			}
		}
		if n := e.count("group_members", "group_id = ?", g.ID); n != 0 {
			t.Errorf("%d memberships after refused invitations", n)
		}
		none(t, box, "refused invitations")
	})
}

// TestDeclineLocalInvitation checks declining an invitation to a group of this node.
func TestDeclineLocalInvitation(t *testing.T) {
	eachEnvStore(t, func(t *testing.T, e *env, box *recordingOutbox) {
		owner, bob := e.member("owner"), e.member("bob")
		g := e.group(owner, "board", model.GroupSecret)
		if err := e.svc.Groups.Invite(e.ctx, owner, g.ID, bob.ID); err != nil {
			t.Fatal(err)
		}
		list, err := e.svc.Groups.Invitations(e.ctx, bob)
		if err != nil || len(list) != 1 || list[0].InvitedBy == nil || list[0].InvitedBy.ID != owner.ID {
			t.Fatalf("invitations %+v %v", list, err)
		}
		if err := e.svc.Groups.DeclineInvitation(e.ctx, owner, g.ID); !errors.Is(err, social.ErrNotFound) {
			t.Errorf("the owner declines: %v", err)
		}
		if err := e.svc.Groups.DeclineInvitation(e.ctx, bob, g.ID); err != nil {
			t.Fatal(err)
		}
		if st, _ := e.membership(g, bob); st != "" {
			t.Errorf("bob is %q", st)
		}
		if _, err := e.svc.Groups.Get(e.ctx, bob, "board"); !errors.Is(err, social.ErrNotFound) {
			t.Errorf("bob still sees the secret group: %v", err)
		}
		none(t, box, "a local decline")
	})
}
