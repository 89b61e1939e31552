package ui

import (
	"context"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"testing"

	"github.com/atrium-intranet/atrium/internal/testrig"
	"github.com/atrium-intranet/atrium/model"
	"github.com/atrium-intranet/atrium/social"
	"github.com/atrium-intranet/atrium/storage"
)

// setProfile saves a profile through the rules layer, failing the test on error.
func setProfile(t *testing.T, u *testUI, acct *model.Account, in social.ProfileInput) {
	t.Helper()
	if in.Email == "" {
		in.Email = acct.Email
	}
	if err := u.svc.Profiles.Update(context.Background(), acct, in); err != nil {
		t.Fatalf("update profile of %s: %v", acct.Username, err)
	}
}

func TestProfilePage(t *testing.T) {
	testrig.EachDB(t, func(t *testing.T, store *storage.Store) {
		u := newTestUI(t, store, false)
		ctx := context.Background()
		alice := u.account("alice", model.RoleMember)
		bob := u.account("bob", model.RoleMember)
		carol := u.account("carol", model.RoleMember)
		setProfile(t, u, bob, social.ProfileInput{DisplayName: "Bob Boss"})
		setProfile(t, u, alice, social.ProfileInput{
			DisplayName: "Alice Archer", JobTitle: "Chief Tester", Department: "Quality", Site: "Berlin",
			Phone: "+49 30 1234-5", Manager: "bob", Skills: "Go, Testing",
			About: "I like **bold** things.\n\n<script>alert(1)</script><img src=x onerror=alert(2)>",
		})
		setProfile(t, u, carol, social.ProfileInput{DisplayName: "Carol Clerk", Manager: "alice"})
		if _, err := u.svc.Posts.Create(ctx, alice, social.PostInput{Source: "hello from alice", Audience: model.AudienceCompany}); err != nil {
			t.Fatal(err)
		}

		c := u.login("bob")
		rec := c.get("/users/alice")
		wantStatus(t, rec, http.StatusOK)
		wantBody(t, rec, "<title>Alice Archer · Berlin</title>", "Alice Archer", "@alice", "Chief Tester", "Quality",
			`href="mailto:alice@example.com"`, `href="tel:&#43;493012345"`, `href="/users/bob">Bob Boss</a>`,
			`href="/users/carol">Carol Clerk</a>`, "<li>go</li>", "<li>testing</li>", "<strong>bold</strong>",
			"0 followers", `action="/users/alice/follow"`, "hello from alice", `aria-current="page">People`)
		wantNoBody(t, rec, "<script>alert(1)", "onerror", "Edit profile", `action="/users/alice/unfollow"`)

		own := u.login("alice").get("/users/alice")
		wantStatus(t, own, http.StatusOK)
		wantBody(t, own, `href="/settings/profile">Edit profile`, `aria-current="page">My profile`)
		wantNoBody(t, own, `action="/users/alice/follow"`)

		wantStatus(t, c.get("/users/nobody"), http.StatusNotFound)
		wantStatus(t, c.get("/users/alice?cursor=garbage"), http.StatusBadRequest)
	})
}

func TestProfilePostsPaging(t *testing.T) {
	testrig.EachDB(t, func(t *testing.T, store *storage.Store) {
		u := newTestUI(t, store, false)
		alice := u.account("alice", model.RoleMember)
		bob := u.account("bob", model.RoleMember)
		for i := 0; i < 22; i++ {
			author := alice
			if i%2 == 1 {
				author = bob
			}
			if _, err := u.svc.Posts.Create(context.Background(), author, social.PostInput{
				Source: fmt.Sprintf("post number %02d", i), Audience: model.AudienceCompany,
			}); err != nil {
				t.Fatal(err)
			}
		}
		c := u.login("bob")
		first := c.get("/users/bob")
		wantStatus(t, first, http.StatusOK)
		wantBody(t, first, "post number 21", "post number 01")
		wantNoBody(t, first, "post number 20", `rel="next"`)

		// Alice has 11 posts; make it more than a page.
		for i := 0; i < 10; i++ {
			if _, err := u.svc.Posts.Create(context.Background(), alice, social.PostInput{
				Source: fmt.Sprintf("later post %02d", i), Audience: model.AudienceCompany,
			}); err != nil {
				t.Fatal(err)
			}
		}
		page1 := c.get("/users/alice")
		wantBody(t, page1, "later post 09", `rel="next"`)
		wantNoBody(t, page1, "post number 00", "post number 01")
		next := regexp.MustCompile(`href="(/users/alice\?cursor=[^"]+)" rel="next"`).FindStringSubmatch(page1.Body.String())
		if next == nil {
			t.Fatal("no older-posts link")
		}
		page2 := c.get(html.UnescapeString(next[1]))
		wantStatus(t, page2, http.StatusOK)
		wantBody(t, page2, "post number 00")
		wantNoBody(t, page2, "later post 09", `rel="next"`)
	})
}

func TestDeactivatedProfile(t *testing.T) {
	testrig.EachDB(t, func(t *testing.T, store *storage.Store) {
		u := newTestUI(t, store, false)
		admin := u.account("boss", model.RoleAdmin)
		carol := u.account("carol", model.RoleMember)
		u.account("bob", model.RoleMember)
		if err := u.svc.Accounts.SetActive(context.Background(), admin, carol.ID, false); err != nil {
			t.Fatal(err)
		}
		wantStatus(t, u.login("bob").get("/users/carol"), http.StatusNotFound)
		rec := u.login("boss").get("/users/carol")
		wantStatus(t, rec, http.StatusOK)
		wantBody(t, rec, `<span class="badge">deactivated</span>`)
		wantNoBody(t, rec, `action="/users/carol/follow"`)
	})
}

func TestFollowUnfollow(t *testing.T) {
	testrig.EachDB(t, func(t *testing.T, store *storage.Store) {
		u := newTestUI(t, store, false)
		ctx := context.Background()
		alice := u.account("alice", model.RoleMember)
		bob := u.account("bob", model.RoleMember)
		c := u.login("bob")
		following := func() bool {
			t.Helper()
			ok, err := store.IsFollowing(ctx, bob.ID, alice.ID)
			if err != nil {
				t.Fatal(err)
			}
			return ok
		}

		wantStatus(t, c.post("/users/alice/follow", url.Values{"csrf": {"forged"}}), http.StatusForbidden)
		if following() {
			t.Fatal("follow without CSRF token took effect")
		}
		wantRedirect(t, u.anonymous().post("/users/alice/follow", nil), "/login")

		wantRedirect(t, c.post("/users/alice/follow", nil), "/users/alice?notice=followed")
		if !following() {
			t.Fatal("follow did not take effect")
		}
		rec := c.get("/users/alice?notice=followed")
		wantBody(t, rec, "You now follow this person.", "1 followers", `action="/users/alice/unfollow"`)
		wantNoBody(t, rec, `action="/users/alice/follow"`)
		// Following again changes nothing.
		wantRedirect(t, c.post("/users/alice/follow", nil), "/users/alice?notice=followed")
		wantBody(t, c.get("/users/bob"), "1 following")

		wantStatus(t, c.post("/users/alice/unfollow", url.Values{"csrf": {""}}), http.StatusForbidden)
		if !following() {
			t.Fatal("unfollow without CSRF token took effect")
		}
		wantRedirect(t, c.post("/users/alice/unfollow", nil), "/users/alice?notice=unfollowed")
		if following() {
			t.Fatal("unfollow did not take effect")
		}
		wantBody(t, c.get("/users/alice"), "0 followers", `action="/users/alice/follow"`)

		wantStatus(t, c.post("/users/bob/follow", nil), http.StatusUnprocessableEntity)
		wantStatus(t, c.post("/users/nobody/follow", nil), http.StatusNotFound)
		wantStatus(t, c.post("/users/nobody/unfollow", nil), http.StatusNotFound)
	})
}
