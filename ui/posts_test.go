package ui

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/atrium-intranet/atrium/internal/testrig"
	"github.com/atrium-intranet/atrium/model"
	"github.com/atrium-intranet/atrium/social"
	"github.com/atrium-intranet/atrium/storage"
)

// postIDIn finds the id of the first post rendered on a page.
var postIDIn = regexp.MustCompile(`id="post-([0-9A-Z]+)"`)

func feedCount(t *testing.T, u *testUI, who *model.Account) int {
	t.Helper()
	page, err := u.svc.Posts.Feed(context.Background(), who, social.FeedQuery{Limit: 50})
	if err != nil {
		t.Fatal(err)
	}
	return len(page.Posts)
}

func TestComposer(t *testing.T) {
	testrig.EachDB(t, func(t *testing.T, store *storage.Store) {
		u := newTestUI(t, store, false)
		alice := u.account("alice", model.RoleMember)
		u.account("bob", model.RoleMember)
		c := u.login("alice")

		rec := c.get("/")
		wantStatus(t, rec, http.StatusOK)
		wantBody(t, rec, `<label for="source">`, `name="audience"`, `value="company" selected`)

		refused := []struct {
			name   string
			form   url.Values
			status int
			body   string
		}{
			{"empty", url.Values{"source": {"  "}, "audience": {"company"}}, http.StatusUnprocessableEntity, "Write something first"},
			{"too long", url.Values{"source": {strings.Repeat("x", 10_001)}, "audience": {"company"}}, http.StatusUnprocessableEntity, "at most 10,000"},
			{"bad audience", url.Values{"source": {"hello"}, "audience": {"public"}}, http.StatusUnprocessableEntity, "Choose who may see"},
			{"no csrf", url.Values{"source": {"hello"}, "audience": {"company"}, "csrf": {"forged"}}, http.StatusForbidden, "The form expired"},
		}
		for _, tc := range refused {
			rec := c.post("/posts", tc.form)
			if rec.Code != tc.status {
				t.Fatalf("%s: status %d, want %d", tc.name, rec.Code, tc.status)
			}
			wantBody(t, rec, tc.body)
			if n := feedCount(t, u, alice); n != 0 {
				t.Fatalf("%s: %d posts exist after a refused post", tc.name, n)
			}
		}
		// The refused text stays in the composer.
		wantBody(t, c.post("/posts", url.Values{"source": {"keep me"}, "audience": {"public"}}), ">keep me</textarea>")

		wantRedirect(t, c.post("/posts", url.Values{"source": {"Hello **team** @bob #Launch"}, "audience": {"company"}}), "/?notice=posted")
		rec = c.get("/?notice=posted")
		wantBody(t, rec, "Your post is published", "<strong>team</strong>", `href="/users/bob"`, `href="/tags/launch"`, "Whole company")

		// Hostile HTML never reaches the page.
		c.post("/posts", url.Values{"source": {`<script>alert(1)</script><img src=x onerror=alert(2)> [x](javascript:alert(3))`}, "audience": {"site"}})
		wantNoBody(t, c.get("/"), "<script>alert", "onerror", "javascript:")

		// The tag page lists the tagged post only.
		rec = c.get("/tags/LAUNCH")
		wantStatus(t, rec, http.StatusOK)
		wantBody(t, rec, "#launch", "<strong>team</strong>")
		wantNoBody(t, rec, "onerror", `id="composer"`)
	})
}

func TestFeedPaging(t *testing.T) {
	testrig.EachDB(t, func(t *testing.T, store *storage.Store) {
		u := newTestUI(t, store, false)
		alice := u.account("alice", model.RoleMember)
		bob := u.account("bob", model.RoleMember)
		carol := u.account("carol", model.RoleMember)
		for i := 0; i < 25; i++ {
			author := bob
			if i%5 == 0 {
				author = carol
			}
			if _, err := u.svc.Posts.Create(context.Background(), author, social.PostInput{
				Source: fmt.Sprintf("post number %02d", i), Audience: model.AudienceCompany,
			}); err != nil {
				t.Fatal(err)
			}
		}
		c := u.login("alice")
		first := c.get("/")
		wantBody(t, first, "post number 24", `rel="next"`)
		wantNoBody(t, first, "post number 04")
		next := regexp.MustCompile(`href="(/\?cursor=[^"]+)" rel="next"`).FindStringSubmatch(first.Body.String())
		if next == nil {
			t.Fatal("no next-page link")
		}
		second := c.get(strings.ReplaceAll(next[1], "&amp;", "&"))
		wantBody(t, second, "post number 04", "post number 00")
		wantNoBody(t, second, "post number 24", `rel="next"`)
		wantStatus(t, c.get("/?cursor=garbage"), http.StatusBadRequest)

		// The Following tab shows only followed people.
		if err := u.svc.Follows.Follow(context.Background(), alice, carol.ID); err != nil {
			t.Fatal(err)
		}
		rec := c.get("/?tab=following")
		wantBody(t, rec, "post number 20", "post number 00")
		wantNoBody(t, rec, "post number 24")
	})
}

func TestPostPage(t *testing.T) {
	testrig.EachDB(t, func(t *testing.T, store *storage.Store) {
		u := newTestUI(t, store, false)
		alice := u.account("alice", model.RoleMember)
		u.account("bob", model.RoleMember)
		u.account("boss", model.RoleAdmin)
		post, err := u.svc.Posts.Create(context.Background(), alice, social.PostInput{Source: "first version", Audience: model.AudienceCompany})
		if err != nil {
			t.Fatal(err)
		}
		path := "/posts/" + post.ID
		ca, cb, cboss := u.login("alice"), u.login("bob"), u.login("boss")

		rec := cb.get(path)
		wantStatus(t, rec, http.StatusOK)
		wantBody(t, rec, "first version", "No comments yet", `name="in_reply_to_id" value="`+post.ID+`"`)
		wantNoBody(t, rec, path+"/edit", path+"/delete")
		wantStatus(t, cb.get("/posts/01NOSUCHPOST"), http.StatusNotFound)

		// Comments.
		wantStatus(t, cb.post("/posts", url.Values{"source": {""}, "in_reply_to_id": {post.ID}}), http.StatusUnprocessableEntity)
		rec = cb.post("/posts", url.Values{"source": {"nice one"}, "in_reply_to_id": {post.ID}})
		wantStatus(t, rec, http.StatusSeeOther)
		if loc := rec.Header().Get("Location"); !strings.HasPrefix(loc, path+"#post-") {
			t.Fatalf("comment redirect %q", loc)
		}
		wantBody(t, ca.get(path), "nice one", "Comments (1)")
		wantStatus(t, cb.post("/posts", url.Values{"source": {"x"}, "in_reply_to_id": {"01NOSUCHPOST"}}), http.StatusNotFound)

		// Editing: the author only, and the old text goes to the history.
		wantStatus(t, cb.get(path+"/edit"), http.StatusForbidden)
		wantStatus(t, cb.post(path+"/edit", url.Values{"source": {"hijacked"}}), http.StatusForbidden)
		wantBody(t, ca.get(path+"/edit"), ">first version</textarea>")
		wantStatus(t, ca.post(path+"/edit", url.Values{"source": {""}}), http.StatusUnprocessableEntity)
		wantRedirect(t, ca.post(path+"/edit", url.Values{"source": {"second version"}}), path+"?notice=saved")
		rec = cb.get(path)
		wantBody(t, rec, "second version", "edited", path+"/history")
		wantNoBody(t, rec, "hijacked")
		wantBody(t, cb.get(path+"/history"), "first version")

		// Reactions toggle.
		rec = cb.post(path+"/react", url.Values{"reaction": {"like:on"}})
		wantStatus(t, rec, http.StatusSeeOther)
		wantBody(t, cb.get(path), `value="like:off" class="reaction mine" aria-pressed="true"`)
		wantBody(t, ca.get(path), `value="like:on" class="reaction" aria-pressed="false" title="Like">👍 1</button>`)
		cb.post(path+"/react", url.Values{"reaction": {"like:off"}})
		wantBody(t, ca.get(path), `title="Like">👍</button>`)
		wantStatus(t, cb.post(path+"/react", url.Values{"reaction": {"shrug:on"}}), http.StatusBadRequest)
		wantStatus(t, cb.post(path+"/react", url.Values{"reaction": {"like"}}), http.StatusBadRequest)

		// Deleting: the author or an admin.
		wantStatus(t, cb.post(path+"/delete", nil), http.StatusForbidden)
		wantStatus(t, cb.get(path), http.StatusOK)
		wantRedirect(t, cboss.post(path+"/delete", nil), "/?notice=deleted")
		wantStatus(t, ca.get(path), http.StatusNotFound)
	})
}

func TestFollowersOnlyPostIsHidden(t *testing.T) {
	u := newTestUI(t, testrig.NewStore(t, "sqlite"), false)
	alice := u.account("alice", model.RoleMember)
	bob := u.account("bob", model.RoleMember)
	u.account("carol", model.RoleMember)
	post, err := u.svc.Posts.Create(context.Background(), alice, social.PostInput{Source: "for my followers", Audience: model.AudienceFollowers})
	if err != nil {
		t.Fatal(err)
	}
	if err := u.svc.Follows.Follow(context.Background(), bob, alice.ID); err != nil {
		t.Fatal(err)
	}
	wantBody(t, u.login("bob").get("/posts/"+post.ID), "for my followers")
	carol := u.login("carol")
	wantStatus(t, carol.get("/posts/"+post.ID), http.StatusNotFound)
	wantNoBody(t, carol.get("/"), "for my followers")
	wantStatus(t, carol.post("/posts", url.Values{"source": {"sneaky"}, "in_reply_to_id": {post.ID}}), http.StatusNotFound)
	if v, err := u.svc.Posts.View(context.Background(), alice, post.ID); err != nil || v.CommentCount != 0 {
		t.Fatalf("a comment reached a post its author may not see: %v", err)
	}
	wantStatus(t, carol.post("/posts/"+post.ID+"/react", url.Values{"reaction": {"like:on"}}), http.StatusNotFound)
}
