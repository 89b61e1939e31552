package ui

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/atrium-intranet/atrium/config"
	"github.com/atrium-intranet/atrium/internal/testrig"
	"github.com/atrium-intranet/atrium/model"
	"github.com/atrium-intranet/atrium/social"
	"github.com/atrium-intranet/atrium/storage"
)

// newGuestUI is newTestUI with the given guest settings.
func newGuestUI(t *testing.T, store *storage.Store, gs social.GuestSettings) *testUI {
	t.Helper()
	cfg := config.Default()
	cfg.BaseURL, cfg.SiteName = testrig.BaseURL, "Berlin"
	deps := testrig.SocialDeps(t, store)
	deps.GuestSettings = gs
	cfg.DataDir = deps.DataDir
	svc := social.New(deps)
	h, err := New(Options{Config: cfg, Social: svc, Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	return &testUI{t: t, store: store, svc: svc, handler: h}
}

// inviteLink makes an invitation by admin into groups and returns its link's path.
func (u *testUI) inviteLink(admin *model.Account, email string, groups ...*model.Group) string {
	u.t.Helper()
	ids := []string{}
	for _, g := range groups {
		ids = append(ids, g.ID)
	}
	v, err := u.svc.Invitations.Invite(context.Background(), admin, social.InvitationInput{Email: email, GroupIDs: ids})
	if err != nil {
		u.t.Fatal(err)
	}
	return strings.TrimPrefix(v.Link, testrig.BaseURL)
}

// guestBadge is the badge markup next to a guest's name.
const guestBadge = `<span class="badge guest"`

func TestInvitationPages(t *testing.T) {
	testrig.EachDB(t, func(t *testing.T, store *storage.Store) {
		u := newTestUI(t, store, false)
		ann, bob := u.account("ann", model.RoleAdmin), u.account("bob", model.RoleMember)
		u.account("gus", model.RoleGuest)
		team := u.group(bob, "team", model.GroupOpen, social.GroupInput{})
		hidden := u.group(bob, "hidden", model.GroupSecret, social.GroupInput{})
		admin, member, guest := u.login("ann"), u.login("bob"), u.login("gus")

		// Admins see the entry and the form with every local group.
		rec := admin.get("/invitations")
		wantStatus(t, rec, http.StatusOK)
		wantBody(t, rec, `href="/invitations"`, `value="`+team.ID+`"`, `value="`+hidden.ID+`"`, "This node sends no mail")
		// Members may not by default: no entry, no form, refused post; guests not at all.
		rec = member.get("/")
		wantNoBody(t, rec, `href="/invitations"`)
		rec = member.get("/invitations")
		wantStatus(t, rec, http.StatusOK)
		wantNoBody(t, rec, `action="/invitations"`)
		wantStatus(t, member.post("/invitations", url.Values{"email": {"x@partner.example"}, "group": {team.ID}}), http.StatusForbidden)
		wantStatus(t, guest.get("/invitations"), http.StatusForbidden)
		wantStatus(t, u.anonymous().get("/invitations"), http.StatusSeeOther)

		rec = admin.post("/invitations", url.Values{"email": {"nope"}, "days": {"many"}})
		wantStatus(t, rec, http.StatusUnprocessableEntity)
		wantBody(t, rec, "Enter a number of days", `value="nope"`)
		rec = admin.post("/invitations", url.Values{"email": {"nope"}, "group": {team.ID}})
		wantStatus(t, rec, http.StatusUnprocessableEntity)
		wantBody(t, rec, "valid email", `value="`+team.ID+`" checked`)
		rec = admin.post("/invitations", url.Values{"email": {"carol@partner.example"}, "group": {team.ID, hidden.ID}, "days": {"30"}})
		wantStatus(t, rec, http.StatusOK)
		wantBody(t, rec, "Invitation for carol@partner.example", `id="invitation-link">`+testrig.BaseURL+"/invite/",
			"Not mailed: copy the link", "Pending", `Group hidden</a>, <a href="/groups/team">Group team</a>`)
		page, err := u.svc.Invitations.List(context.Background(), ann, social.InvitationQuery{})
		if err != nil || len(page.Invitations) != 1 || page.Invitations[0].Invitation.GuestDays != 30 {
			t.Fatalf("stored %+v %v", page, err)
		}
		id := page.Invitations[0].Invitation.ID
		// Nobody else's to revoke; the admin revokes it once.
		wantStatus(t, member.post("/invitations/"+id+"/revoke", nil), http.StatusNotFound)
		wantRedirect(t, admin.post("/invitations/"+id+"/revoke", nil), "/invitations?notice=invitation_revoked")
		wantRedirect(t, admin.post("/invitations/"+id+"/revoke", nil), "/invitations?notice=invitation_not_pending")
		rec = admin.get("/invitations")
		wantBody(t, rec, "Revoked")
		wantNoBody(t, rec, "/invitations/"+id+"/revoke")
	})
}

func TestInvitationPagesForMembers(t *testing.T) {
	u := newGuestUI(t, testrig.NewStore(t, "sqlite"), social.GuestSettings{MembersInvite: true})
	bob, carl := u.account("bob", model.RoleMember), u.account("carl", model.RoleMember)
	team := u.group(bob, "team", model.GroupOpen, social.GroupInput{})
	closed := u.group(bob, "closed", model.GroupClosed, social.GroupInput{})
	if _, err := u.svc.Groups.Join(context.Background(), carl, team.ID); err != nil {
		t.Fatal(err)
	}
	c := u.login("carl")
	rec := c.get("/invitations")
	wantBody(t, rec, `href="/invitations"`, `value="`+team.ID+`"`)
	wantNoBody(t, rec, `value="`+closed.ID+`"`)
	wantStatus(t, c.post("/invitations", url.Values{"email": {"x@partner.example"}, "group": {closed.ID}}), http.StatusUnprocessableEntity)
	wantStatus(t, c.post("/invitations", url.Values{"email": {"x@partner.example"}, "group": {team.ID}}), http.StatusOK)
	wantBody(t, u.login("bob").get("/invitations"), "No invitations yet")
}

func TestInviteSignUp(t *testing.T) {
	testrig.EachDB(t, func(t *testing.T, store *storage.Store) {
		u := newTestUI(t, store, false)
		ann := u.account("ann", model.RoleAdmin)
		team := u.group(ann, "team", model.GroupSecret, social.GroupInput{})
		link := u.inviteLink(ann, "carol@partner.example", team)

		c := u.anonymous()
		rec := c.get(link)
		wantStatus(t, rec, http.StatusOK)
		wantBody(t, rec, "ann invites you as a guest to Atrium Berlin", "Group team", "90 days", "carol@partner.example")
		csrf := c.preSessionCSRF(link)
		valid := url.Values{"csrf": {csrf}, "username": {"carol"}, "display_name": {"Carol"},
			"password": {testrig.Password}, "password2": {testrig.Password}}
		with := func(k, v string) url.Values {
			f := url.Values{}
			for key, vs := range valid {
				f[key] = vs
			}
			f.Set(k, v)
			return f
		}
		wantStatus(t, c.post(link, with("csrf", "")), http.StatusForbidden)
		wantStatus(t, u.anonymous().post(link, valid), http.StatusForbidden) // no cookie
		rec = c.post(link, with("password2", "something else"))
		wantStatus(t, rec, http.StatusUnprocessableEntity)
		wantBody(t, rec, "The two passwords differ", `value="carol"`)
		rec = c.post(link, with("username", "ann"))
		wantStatus(t, rec, http.StatusUnprocessableEntity)
		wantBody(t, rec, "This username is taken")
		// A form posted from another origin is refused even with the right token.
		req := httptest.NewRequest(http.MethodPost, link, strings.NewReader(valid.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Sec-Fetch-Site", "cross-site")
		wantStatus(t, c.do(req), http.StatusForbidden)
		if n, _ := store.DB().NewSelect().TableExpr("accounts").Where("role = 'guest'").Count(context.Background()); n != 0 {
			t.Fatalf("%d guests after refused sign-ups", n)
		}

		rec = c.post(link, valid)
		wantRedirect(t, rec, "/groups/team?notice=guest_welcome")
		if _, ok := c.cookies[sessionCookie]; !ok {
			t.Fatal("no session after sign-up")
		}
		rec = c.get("/groups/team?notice=guest_welcome")
		wantStatus(t, rec, http.StatusOK)
		wantBody(t, rec, "You are a guest here")
		carol := u.accountNamed("carol")
		if carol.Role != model.RoleGuest || carol.ExpiresAt == nil || carol.Email != "carol@partner.example" {
			t.Fatalf("guest %+v", carol)
		}
		u.wantMember(team, carol, model.MemberActive)

		// Logged in, the page offers no second account; used and unknown links are 410 and 404.
		wantBody(t, c.get(link), "You are logged in as carol")
		other := u.anonymous()
		rec = other.get(link)
		wantStatus(t, rec, http.StatusGone)
		wantBody(t, rec, "already used, revoked or has expired")
		wantStatus(t, other.get("/invite/"+strings.Repeat("A", 43)), http.StatusNotFound)
	})
}

func TestGuestBadge(t *testing.T) {
	testrig.EachDB(t, func(t *testing.T, store *storage.Store) {
		u := newTestUI(t, store, false)
		ann, bob := u.account("ann", model.RoleAdmin), u.account("bob", model.RoleMember)
		team := u.group(bob, "team", model.GroupOpen, social.GroupInput{})
		if _, err := u.svc.Groups.Join(context.Background(), ann, team.ID); err != nil {
			t.Fatal(err)
		}
		link := u.inviteLink(ann, "carol@partner.example", team)
		token := link[strings.LastIndex(link, "/")+1:]
		got, err := u.svc.Invitations.Accept(context.Background(), token, social.AcceptInput{
			Username: "carol", DisplayName: "Carol Guest", Password: testrig.Password})
		if err != nil {
			t.Fatal(err)
		}
		carol := got.Account
		ctx := context.Background()
		post, err := u.svc.Posts.Create(ctx, carol, social.PostInput{Source: "hello from outside", GroupID: team.ID})
		if err != nil {
			t.Fatal(err)
		}
		own, err := u.svc.Posts.Create(ctx, bob, social.PostInput{Source: "welcome", GroupID: team.ID})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := u.svc.Posts.Create(ctx, carol, social.PostInput{Source: "thanks", InReplyToID: own.ID}); err != nil {
			t.Fatal(err)
		}
		// People of partner nodes are cached as guests and get the badge too.
		remote := testrig.InsertRemoteAccount(t, store, "pia", "127.0.0.1:8081")
		remote.Role = model.RoleGuest
		if err := store.UpdateAccount(ctx, remote, "role"); err != nil {
			t.Fatal(err)
		}

		c := u.login("bob")
		badgeAfter := func(path, name string) {
			t.Helper()
			rec := c.get(path)
			wantStatus(t, rec, http.StatusOK)
			wantBody(t, rec, name+`</a>`+` `+guestBadge)
			if strings.Contains(rec.Body.String(), `bob</a> `+guestBadge) {
				t.Fatalf("%s: badge next to a member", path)
			}
		}
		badgeAfter("/", "Carol Guest")
		badgeAfter("/groups/team", "Carol Guest")
		badgeAfter("/posts/"+post.ID, "Carol Guest")
		badgeAfter("/posts/"+own.ID, "Carol Guest") // the comment
		badgeAfter("/groups/team/members", "Carol Guest")
		rec := c.get("/users/carol")
		wantStatus(t, rec, http.StatusOK)
		wantBody(t, rec, `Carol Guest `+guestBadge)
		rec = c.get("/users/pia@127.0.0.1:8081")
		wantStatus(t, rec, http.StatusOK)
		wantBody(t, rec, `pia `+guestBadge)
		rec = u.login("ann").get("/admin/users")
		wantBody(t, rec, `Carol Guest</a> `+guestBadge, "Guest until", "/guest/extend", "/guest/revoke")
	})
}

func TestGuestAdminAndLogin(t *testing.T) {
	testrig.EachDB(t, func(t *testing.T, store *storage.Store) {
		u := newTestUI(t, store, false)
		u.account("ann", model.RoleAdmin)
		gus := u.account("gus", model.RoleGuest)
		bob := u.account("bob", model.RoleMember)
		admin, guest := u.login("ann"), u.login("gus")
		wantStatus(t, guest.get("/"), http.StatusOK)

		rec := admin.get("/admin/users")
		wantBody(t, rec, "Guest without an end date", "/admin/users/"+gus.ID+"/guest/extend")
		wantNoBody(t, rec, "/admin/users/"+bob.ID+"/guest/extend")
		wantStatus(t, u.login("bob").post("/admin/users/"+gus.ID+"/guest/revoke", nil), http.StatusForbidden)

		day := time.Now().UTC().AddDate(0, 1, 0).Format("2006-01-02")
		wantRedirect(t, admin.post("/admin/users/"+gus.ID+"/guest/extend", url.Values{"until": {day}}), "/admin/users?notice=guest_extended")
		if g := u.accountNamed("gus"); g.ExpiresAt == nil || g.ExpiresAt.Format("2006-01-02") != time.Now().UTC().AddDate(0, 1, 1).Format("2006-01-02") {
			t.Fatalf("expiry %v after extending through %s", g.ExpiresAt, day)
		}
		wantBody(t, admin.get("/admin/users"), "Guest until")
		for _, bad := range []string{"", "tomorrow", "2001-01-01", time.Now().UTC().AddDate(3, 0, 0).Format("2006-01-02")} {
			rec := admin.post("/admin/users/"+gus.ID+"/guest/extend", url.Values{"until": {bad}})
			wantStatus(t, rec, http.StatusUnprocessableEntity)
			wantBody(t, rec, "Choose a day after today")
		}
		wantStatus(t, admin.post("/admin/users/"+bob.ID+"/guest/extend", url.Values{"until": {day}}), http.StatusForbidden)

		wantRedirect(t, admin.post("/admin/users/"+gus.ID+"/guest/revoke", nil), "/admin/users?notice=guest_revoked")
		wantBody(t, admin.get("/admin/users"), "Guest access ended")
		// The guest's session is gone, and the login form says why without telling others.
		wantStatus(t, guest.get("/"), http.StatusSeeOther)
		c := u.anonymous()
		csrf := c.preSessionCSRF("/login")
		rec = c.post("/login", url.Values{"csrf": {csrf}, "username": {"gus"}, "password": {testrig.Password}})
		wantStatus(t, rec, http.StatusForbidden)
		wantBody(t, rec, "Your guest account has ended")
		rec = c.post("/login", url.Values{"csrf": {csrf}, "username": {"gus"}, "password": {"wrong password"}})
		wantStatus(t, rec, http.StatusUnauthorized)
		wantNoBody(t, rec, "guest account")

		// Extending brings the guest back.
		wantRedirect(t, admin.post("/admin/users/"+gus.ID+"/guest/extend", url.Values{"until": {day}}), "/admin/users?notice=guest_extended")
		rec = c.post("/login", url.Values{"csrf": {csrf}, "username": {"gus"}, "password": {testrig.Password}})
		wantRedirect(t, rec, "/")
	})
}
