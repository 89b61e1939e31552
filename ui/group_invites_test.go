package ui

import (
	"context"
	"net/http"
	"testing"

	"github.com/atrium-intranet/atrium/internal/testrig"
	"github.com/atrium-intranet/atrium/model"
	"github.com/atrium-intranet/atrium/social"
	"github.com/atrium-intranet/atrium/storage"
)

// TestGroupInvitationsList shows the viewer's invitations on /groups, to local and
// remote groups, with Accept and Decline; a secret remote group shows to its invitee
// only.
func TestGroupInvitationsList(t *testing.T) {
	testrig.EachDB(t, func(t *testing.T, store *storage.Store) {
		ctx := context.Background()
		u := newTestUI(t, store, false)
		alice := u.account("alice", model.RoleMember)
		bob := u.account("bob", model.RoleMember)
		u.account("carol", model.RoleMember)
		local := u.group(alice, "board", model.GroupSecret, social.GroupInput{})
		if err := u.svc.Groups.Invite(ctx, alice, local.ID, bob.ID); err != nil {
			t.Fatal(err)
		}
		const host = "127.0.0.1:8081"
		far, err := u.svc.Remote.UpsertGroup(ctx, model.Group{Name: "council", Domain: host, DisplayName: "The Council",
			URI: "http://" + host + "/groups/council", InboxURI: "http://" + host + "/groups/council/inbox", Kind: model.GroupSecret})
		if err != nil {
			t.Fatal(err)
		}
		ines := testrig.InsertRemoteAccount(t, store, "ines", host)
		if err := u.svc.Remote.ReceiveGroupInvite(ctx, far.URI+"#invites/1", far, bob, ines); err != nil {
			t.Fatal(err)
		}
		b, c := u.login("bob"), u.login("carol")

		rec := b.get("/groups")
		wantStatus(t, rec, http.StatusOK)
		wantBody(t, rec, "Invitations", `id="invitation-board"`, `id="invitation-council-`+host+`"`,
			`action="/groups/board/join"`, `action="/groups/board/decline"`,
			`action="/groups/council@`+host+`/join"`, `action="/groups/council@`+host+`/decline"`,
			"@council@"+host, "invited by alice (@alice)", "invited by ines (@ines@"+host+")", `name="csrf"`)
		wantNoBody(t, c.get("/groups"), "Invitations", "council")

		// The invitee sees the secret remote group with the Accept button; others get 404.
		rec = b.get("/groups/council@" + host)
		wantStatus(t, rec, http.StatusOK)
		wantBody(t, rec, "The Council", "Accept invitation", "Decline invitation")
		wantStatus(t, c.get("/groups/council@"+host), http.StatusNotFound)
		wantStatus(t, c.post("/groups/council@"+host+"/decline", nil), http.StatusNotFound)

		// Declining needs the form token, and then removes the invitation.
		req := b.post("/groups/council@"+host+"/decline", map[string][]string{"csrf": {"forged"}})
		wantStatus(t, req, http.StatusForbidden)
		u.wantMember(far, bob, model.MemberInvited)
		wantRedirect(t, b.post("/groups/council@"+host+"/decline", nil), "/groups?notice=group_invitation_declined")
		u.wantMember(far, bob, "")
		wantStatus(t, b.get("/groups/council@"+host), http.StatusNotFound)
		wantNoBody(t, b.get("/groups"), "council")

		// Accepting a remote invitation asks the group, which confirms it.
		if err := u.svc.Remote.ReceiveGroupInvite(ctx, far.URI+"#invites/2", far, bob, nil); err != nil {
			t.Fatal(err)
		}
		wantRedirect(t, b.post("/groups/council@"+host+"/join", nil), "/groups/council@"+host+"?notice=group_invitation_accepted")
		u.wantMember(far, bob, model.MemberRequested)

		// A local invitation is declined the same way.
		wantRedirect(t, b.post("/groups/board/decline", nil), "/groups?notice=group_invitation_declined")
		u.wantMember(local, bob, "")
		wantStatus(t, b.post("/groups/board/decline", nil), http.StatusNotFound)
	})
}
