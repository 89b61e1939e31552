package social_test

import (
	"errors"
	"testing"

	"github.com/atrium-intranet/atrium/model"
	"github.com/atrium-intranet/atrium/social"
)

// TestJoinRemoteGroup checks that joining a cached group of another node is a request
// with a Follow, answered by the group's Accept or Reject; invitations stay local.
func TestJoinRemoteGroup(t *testing.T) {
	eachEnvStore(t, func(t *testing.T, e *env, box *recordingOutbox) {
		g, err := e.svc.Remote.UpsertGroup(e.ctx, model.Group{Name: "chess", Domain: "127.0.0.1:8081",
			URI: "http://127.0.0.1:8081/groups/chess", InboxURI: "http://127.0.0.1:8081/groups/chess/inbox", Kind: model.GroupOpen})
		if err != nil {
			t.Fatal(err)
		}
		mia, bob, gus := e.member("mia"), e.member("bob"), e.guest("gus")
		v, err := e.svc.Groups.Get(e.ctx, mia, "chess@127.0.0.1:8081")
		if err != nil || !v.CanJoin || v.CanPost {
			t.Fatalf("view %+v %v", v, err)
		}
		st, err := e.svc.Groups.Join(e.ctx, mia, g.ID)
		if err != nil || st != model.MemberRequested {
			t.Fatalf("join: %q %v", st, err)
		}
		a := one(t, box, social.ActivityJoinGroup)
		if a.Group.ID != g.ID || a.Membership.FollowURI == "" || a.Actor.ID != mia.ID {
			t.Errorf("join activity %+v", a)
		}
		if err := e.svc.Groups.Invite(e.ctx, mia, g.ID, bob.ID); !errors.Is(err, social.ErrForbidden) {
			t.Errorf("invite into a remote group: %v", err)
		}
		if _, err := e.svc.Groups.Join(e.ctx, gus, g.ID); err == nil {
			t.Error("a guest joined a remote group")
		}
		// Reject of another follow changes nothing; Accept of ours makes an active member.
		if err := e.svc.Remote.ReceiveGroupReject(e.ctx, g.URI+"#r1", g, "http://x/other"); err != nil {
			t.Fatal(err)
		}
		if err := e.svc.Remote.ReceiveGroupAccept(e.ctx, g.URI+"#a1", g, a.Membership.FollowURI); err != nil {
			t.Fatal(err)
		}
		if m, err := e.store.Membership(e.ctx, g.ID, mia.ID); err != nil || m.State != model.MemberActive {
			t.Fatalf("after Accept: %+v %v", m, err)
		}
		if err := e.svc.Remote.ReceiveGroupAccept(e.ctx, g.URI+"#a1", g, a.Membership.FollowURI); !errors.Is(err, social.ErrDuplicate) {
			t.Errorf("replayed Accept: %v", err)
		}
		// Leaving sends the Undo; a Reject (removal) drops the membership.
		if err := e.svc.Groups.Leave(e.ctx, mia, g.ID); err != nil {
			t.Fatal(err)
		}
		one(t, box, social.ActivityLeaveGroup)
		if _, err := e.svc.Groups.Join(e.ctx, bob, g.ID); err != nil {
			t.Fatal(err)
		}
		join := one(t, box, social.ActivityJoinGroup)
		if err := e.svc.Remote.ReceiveGroupReject(e.ctx, g.URI+"#r2", g, join.Membership.FollowURI); err != nil {
			t.Fatal(err)
		}
		if n := e.count("group_members", "group_id = ?", g.ID); n != 0 {
			t.Errorf("%d memberships after leave and reject", n)
		}
	})
}

// eachEnvStore runs fn on both databases with a recording outbox.
func eachEnvStore(t *testing.T, fn func(t *testing.T, e *env, box *recordingOutbox)) {
	t.Helper()
	eachEnv(t, func(t *testing.T, plain *env) {
		e, box := outboxEnv(t, plain.store)
		fn(t, e, box)
	})
}

// TestReceiveGroupFollow checks the home node's answer to a remote Follow of a group.
func TestReceiveGroupFollow(t *testing.T) {
	cases := []struct {
		name   string
		kind   model.GroupKind
		trust  model.Trust
		prior  model.MemberState
		site   bool
		want   model.MemberState // "" = no membership
		answer social.ActivityKind
	}{
		{"open", model.GroupOpen, model.TrustSibling, "", false, model.MemberActive, social.ActivityGroupAccept},
		{"closed", model.GroupClosed, model.TrustSibling, "", false, model.MemberRequested, ""},
		{"secret", model.GroupSecret, model.TrustSibling, "", false, "", social.ActivityGroupReject},
		{"secret invited", model.GroupSecret, model.TrustSibling, model.MemberInvited, false, model.MemberActive, social.ActivityGroupAccept},
		{"banned", model.GroupOpen, model.TrustSibling, model.MemberBanned, false, model.MemberBanned, social.ActivityGroupReject},
		{"partner", model.GroupOpen, model.TrustPartner, "", false, "", social.ActivityGroupReject},
		{"partner invited", model.GroupClosed, model.TrustPartner, model.MemberInvited, false, model.MemberActive, social.ActivityGroupAccept},
		{"site-only", model.GroupOpen, model.TrustSibling, "", true, "", social.ActivityGroupReject},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			eachEnvStore(t, func(t *testing.T, e *env, box *recordingOutbox) {
				owner := e.member("owner")
				g, err := e.svc.Groups.Create(e.ctx, owner, social.GroupInput{Name: "g1", DisplayName: "G", Kind: c.kind, SiteOnly: c.site})
				if err != nil {
					t.Fatal(err)
				}
				remote := e.insertRemote("rita")
				switch c.prior {
				case model.MemberInvited:
					if err := e.svc.Groups.Invite(e.ctx, owner, g.ID, remote.ID); err != nil {
						t.Fatal(err)
					}
				case model.MemberBanned:
					if err := e.svc.Groups.Remove(e.ctx, owner, g.ID, remote.ID, true); err != nil {
						t.Fatal(err)
					}
				}
				box.take()
				in := social.Incoming{ActivityID: "http://127.0.0.1:8081/follows/1", Actor: remote, Trust: c.trust}
				if err := e.svc.Remote.ReceiveGroupFollow(e.ctx, in, in.ActivityID, g); err != nil {
					t.Fatal(err)
				}
				got := model.MemberState("")
				if m, err := e.store.Membership(e.ctx, g.ID, remote.ID); err == nil {
					got = m.State
				}
				if got != c.want {
					t.Errorf("membership %q, want %q", got, c.want)
				}
				acts := box.take()
				switch {
				case c.answer == "" && len(acts) != 0:
					t.Errorf("answered %v", acts)
				case c.answer != "" && (len(acts) != 1 || acts[0].Kind != c.answer || acts[0].Membership.FollowURI != in.ActivityID):
					t.Errorf("answered %+v, want %s", acts, c.answer)
				}
				if c.want == model.MemberRequested {
					if err := e.svc.Groups.Decide(e.ctx, owner, g.ID, remote.ID, true); err != nil {
						t.Fatal(err)
					}
					one(t, box, social.ActivityGroupAccept)
				}
			})
		})
	}
}
