package ui

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/atrium-intranet/atrium/internal/testrig"
	"github.com/atrium-intranet/atrium/model"
	"github.com/atrium-intranet/atrium/social"
	"github.com/atrium-intranet/atrium/storage"
)

func TestGroupJoinAndLeave(t *testing.T) {
	testrig.EachDB(t, func(t *testing.T, store *storage.Store) {
		u := newTestUI(t, store, false)
		alice := u.account("alice", model.RoleMember)
		bob := u.account("bob", model.RoleMember)
		hikers := u.group(alice, "hikers", model.GroupOpen, social.GroupInput{})
		a, b := u.login("alice"), u.login("bob")

		rec := b.get("/groups/hikers")
		wantStatus(t, rec, http.StatusOK)
		wantBody(t, rec, `action="/groups/hikers/join"`, ">Join<", "Only members see the posts")
		wantNoBody(t, rec, `id="composer"`, "Leave group", `href="/groups/hikers/settings"`)

		// A join without the form token changes nothing.
		wantStatus(t, b.post("/groups/hikers/join", url.Values{"csrf": {"forged"}}), http.StatusForbidden)
		u.wantMember(hikers, bob, "")

		wantRedirect(t, b.post("/groups/hikers/join", nil), "/groups/hikers?notice=group_joined")
		u.wantMember(hikers, bob, model.MemberActive)
		rec = b.get("/groups/hikers?notice=group_joined")
		wantBody(t, rec, "You joined the group.", "Members: 2", `id="composer"`, "Leave group", ">member<")
		wantNoBody(t, rec, `action="/groups/hikers/join"`)

		wantRedirect(t, b.post("/groups/hikers/leave", nil), "/groups/hikers?notice=group_left")
		u.wantMember(hikers, bob, "")

		// The last owner cannot leave: the page says why and nothing changes.
		wantNoBody(t, a.get("/groups/hikers"), "Leave group")
		rec = a.post("/groups/hikers/leave", nil)
		wantStatus(t, rec, http.StatusUnprocessableEntity)
		wantBody(t, rec, `class="alert"`, "last owner")
		u.wantMember(hikers, alice, model.MemberActive)
	})
}

func TestGroupRequests(t *testing.T) {
	testrig.EachDB(t, func(t *testing.T, store *storage.Store) {
		u := newTestUI(t, store, false)
		alice := u.account("alice", model.RoleMember)
		bob := u.account("bob", model.RoleMember)
		carol := u.account("carol", model.RoleMember)
		chess := u.group(alice, "chess", model.GroupClosed, social.GroupInput{})
		a, b, c := u.login("alice"), u.login("bob"), u.login("carol")

		wantBody(t, b.get("/groups/chess"), "Request to join")
		wantRedirect(t, b.post("/groups/chess/join", nil), "/groups/chess?notice=group_requested")
		u.wantMember(chess, bob, model.MemberRequested)
		rec := b.get("/groups/chess")
		wantBody(t, rec, "request pending", "Withdraw request")
		wantNoBody(t, rec, `id="composer"`, "Request to join")

		// Members see the member list; only moderators see requests.
		rec = b.get("/groups/chess/members")
		wantStatus(t, rec, http.StatusOK)
		wantBody(t, rec, `id="member-`+alice.ID+`"`)
		wantNoBody(t, rec, "Requests to join", `id="request-`)
		wantStatus(t, b.post("/groups/chess/members/"+bob.ID+"/decide", url.Values{"approve": {"true"}}), http.StatusForbidden)
		u.wantMember(chess, bob, model.MemberRequested)

		rec = a.get("/groups/chess/members")
		wantBody(t, rec, "Requests to join", `id="request-`+bob.ID+`"`, `action="/groups/chess/members/`+bob.ID+`/decide"`)
		wantStatus(t, a.post("/groups/chess/members/"+bob.ID+"/decide", url.Values{"approve": {"true"}, "csrf": {"forged"}}), http.StatusForbidden)
		u.wantMember(chess, bob, model.MemberRequested)
		wantRedirect(t, a.post("/groups/chess/members/"+bob.ID+"/decide", url.Values{"approve": {"true"}}),
			"/groups/chess/members?notice=group_request_approved")
		u.wantMember(chess, bob, model.MemberActive)
		wantBody(t, b.get("/groups/chess"), `id="composer"`)

		// A rejected request is gone; a withdrawn one too.
		wantRedirect(t, c.post("/groups/chess/join", nil), "/groups/chess?notice=group_requested")
		wantRedirect(t, a.post("/groups/chess/members/"+carol.ID+"/decide", url.Values{"approve": {"false"}}),
			"/groups/chess/members?notice=group_request_rejected")
		u.wantMember(chess, carol, "")
		c.post("/groups/chess/join", nil)
		wantRedirect(t, c.post("/groups/chess/leave", nil), "/groups/chess?notice=group_left")
		u.wantMember(chess, carol, "")
	})
}

func TestGroupInvitations(t *testing.T) {
	testrig.EachDB(t, func(t *testing.T, store *storage.Store) {
		u := newTestUI(t, store, false)
		alice := u.account("alice", model.RoleMember)
		bob := u.account("bob", model.RoleMember)
		carol := u.account("carol", model.RoleMember)
		board := u.group(alice, "board", model.GroupSecret, social.GroupInput{})
		a, b, c := u.login("alice"), u.login("bob"), u.login("carol")

		rec := a.get("/groups/board/members")
		wantBody(t, rec, `<label for="handle">`, `action="/groups/board/members"`)
		for _, tc := range []struct{ handle, body string }{
			{"", "Enter a username."},
			{"nobody", "There is no such person."},
			{"@x@", "There is no such person."},
		} {
			rec := a.post("/groups/board/members", url.Values{"handle": {tc.handle}})
			wantStatus(t, rec, http.StatusUnprocessableEntity)
			wantBody(t, rec, tc.body, `aria-invalid="true"`)
		}
		wantStatus(t, a.post("/groups/board/members", url.Values{"handle": {"carol"}, "csrf": {"forged"}}), http.StatusForbidden)
		u.wantMember(board, carol, "")

		wantRedirect(t, a.post("/groups/board/members", url.Values{"handle": {"@carol"}}), "/groups/board/members?notice=group_invited")
		u.wantMember(board, carol, model.MemberInvited)
		wantBody(t, a.get("/groups/board/members"), "Open invitations", `id="invited-`+carol.ID+`"`)

		// The invited person sees the group and accepts; others still do not see it.
		rec = c.get("/groups/board")
		wantStatus(t, rec, http.StatusOK)
		wantBody(t, rec, "Accept invitation", "Decline invitation", ">invited<")
		wantStatus(t, b.get("/groups/board"), http.StatusNotFound)
		wantRedirect(t, c.post("/groups/board/join", nil), "/groups/board?notice=group_joined")
		u.wantMember(board, carol, model.MemberActive)
		wantBody(t, c.get("/groups?tab=mine"), `id="group-board"`)
		wantNoBody(t, b.get("/groups"), `id="group-board"`)
		wantStatus(t, b.get("/groups/board/members"), http.StatusNotFound)

		// Members of a secret group do not invite; a decline removes the invitation.
		wantStatus(t, c.post("/groups/board/members", url.Values{"handle": {"bob"}}), http.StatusForbidden)
		a.post("/groups/board/members", url.Values{"handle": {"bob"}})
		u.wantMember(board, bob, model.MemberInvited)
		wantRedirect(t, b.post("/groups/board/leave", nil), "/groups?notice=group_left")
		u.wantMember(board, bob, "")

		// Leaving a secret group leads back to the directory.
		wantRedirect(t, c.post("/groups/board/leave", nil), "/groups?notice=group_left")
		wantStatus(t, c.get("/groups/board"), http.StatusNotFound)
	})
}

func TestGroupModerators(t *testing.T) {
	testrig.EachDB(t, func(t *testing.T, store *storage.Store) {
		u := newTestUI(t, store, false)
		alice := u.account("alice", model.RoleMember)
		bob := u.account("bob", model.RoleMember)
		carol := u.account("carol", model.RoleMember)
		hikers := u.group(alice, "hikers", model.GroupOpen, social.GroupInput{})
		a, b, c := u.login("alice"), u.login("bob"), u.login("carol")
		b.post("/groups/hikers/join", nil)
		c.post("/groups/hikers/join", nil)

		// Owners see the role controls; members see neither roles nor remove buttons.
		rec := a.get("/groups/hikers/members")
		wantBody(t, rec, `id="role-`+bob.ID+`"`, `action="/groups/hikers/members/`+bob.ID+`/remove"`)
		wantNoBody(t, rec, `action="/groups/hikers/members/`+alice.ID+`/remove"`)
		rec = c.get("/groups/hikers/members")
		wantNoBody(t, rec, `name="role"`, `/remove"`)

		wantStatus(t, b.post("/groups/hikers/members/"+carol.ID+"/role", url.Values{"role": {"moderator"}}), http.StatusForbidden)
		wantRedirect(t, a.post("/groups/hikers/members/"+bob.ID+"/role", url.Values{"role": {"moderator"}}),
			"/groups/hikers/members?notice=group_role_changed")
		if m := u.membership(hikers, bob); m.Role != model.GroupModerator {
			t.Fatalf("bob is %s, want moderator", m.Role)
		}
		rec = a.post("/groups/hikers/members/"+bob.ID+"/role", url.Values{"role": {"king"}})
		wantStatus(t, rec, http.StatusUnprocessableEntity)
		wantBody(t, rec, "Unknown role.")
		rec = a.post("/groups/hikers/members/"+alice.ID+"/role", url.Values{"role": {"member"}})
		wantStatus(t, rec, http.StatusUnprocessableEntity)
		wantBody(t, rec, `class="alert"`, "last owner")

		// A moderator removes and bans, but changes no roles and cannot touch the owner.
		rec = b.get("/groups/hikers/members")
		wantBody(t, rec, `action="/groups/hikers/members/`+carol.ID+`/remove"`, ">Moderator<", ">Owner<")
		wantNoBody(t, rec, `name="role"`, `action="/groups/hikers/members/`+alice.ID+`/remove"`)
		wantStatus(t, b.post("/groups/hikers/members/"+alice.ID+"/remove", url.Values{"ban": {"true"}}), http.StatusForbidden)
		u.wantMember(hikers, alice, model.MemberActive)
		wantStatus(t, c.post("/groups/hikers/members/"+bob.ID+"/remove", url.Values{"ban": {"true"}}), http.StatusForbidden)
		wantStatus(t, b.post("/groups/hikers/members/"+carol.ID+"/remove", url.Values{"ban": {"true"}, "csrf": {"forged"}}), http.StatusForbidden)
		u.wantMember(hikers, carol, model.MemberActive)

		wantRedirect(t, b.post("/groups/hikers/members/"+carol.ID+"/remove", url.Values{"ban": {"true"}}),
			"/groups/hikers/members?notice=group_member_banned")
		u.wantMember(hikers, carol, model.MemberBanned)
		rec = c.get("/groups/hikers")
		wantBody(t, rec, ">banned<")
		wantNoBody(t, rec, `action="/groups/hikers/join"`, `id="composer"`)
		wantStatus(t, c.post("/groups/hikers/join", nil), http.StatusForbidden)
		u.wantMember(hikers, carol, model.MemberBanned)
		wantStatus(t, c.post("/groups/hikers/posts", url.Values{"source": {"let me in"}}), http.StatusForbidden)
		// Invitations do not lift a ban; the moderator's "lift ban" does.
		wantStatus(t, b.post("/groups/hikers/members", url.Values{"handle": {"carol"}}), http.StatusForbidden)
		rec = a.get("/groups/hikers/members")
		wantBody(t, rec, `id="banned-`+carol.ID+`"`, "Lift ban")
		wantRedirect(t, a.post("/groups/hikers/members/"+carol.ID+"/remove", url.Values{"ban": {"false"}}),
			"/groups/hikers/members?notice=group_member_removed")
		u.wantMember(hikers, carol, "")
		wantRedirect(t, c.post("/groups/hikers/join", nil), "/groups/hikers?notice=group_joined")

		// Removing without a ban lets them come back.
		wantRedirect(t, b.post("/groups/hikers/members/"+carol.ID+"/remove", url.Values{"ban": {"false"}}),
			"/groups/hikers/members?notice=group_member_removed")
		u.wantMember(hikers, carol, "")
	})
}
