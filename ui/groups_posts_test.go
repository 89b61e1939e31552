package ui

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/atrium-intranet/atrium/internal/testrig"
	"github.com/atrium-intranet/atrium/model"
	"github.com/atrium-intranet/atrium/social"
	"github.com/atrium-intranet/atrium/storage"
)

// groupPostID is the id of the post whose text contains text on a page.
func groupPostID(t *testing.T, body, text string) string {
	t.Helper()
	i := strings.Index(body, text)
	if i < 0 {
		t.Fatalf("no post %q on the page", text)
	}
	m := postIDIn.FindAllStringSubmatch(body[:i], -1)
	if len(m) == 0 {
		t.Fatalf("no post id before %q", text)
	}
	return m[len(m)-1][1]
}

func TestGroupPosts(t *testing.T) {
	testrig.EachDB(t, func(t *testing.T, store *storage.Store) {
		u := newTestUI(t, store, false)
		alice := u.account("alice", model.RoleMember)
		bob := u.account("bob", model.RoleMember)
		u.account("carol", model.RoleMember)
		u.group(alice, "hikers", model.GroupOpen, social.GroupInput{})
		b, c := u.login("bob"), u.login("carol")
		b.post("/groups/hikers/join", nil)

		// Refused posts keep the text and create nothing.
		rec := b.post("/groups/hikers/posts", url.Values{"source": {"   "}})
		wantStatus(t, rec, http.StatusUnprocessableEntity)
		wantBody(t, rec, "Write something first.", `aria-invalid="true"`, `id="composer"`)
		rec = b.post("/groups/hikers/posts", url.Values{"source": {strings.Repeat("x", 10_001)}})
		wantStatus(t, rec, http.StatusUnprocessableEntity)
		wantBody(t, rec, "at most 10,000")
		wantStatus(t, b.post("/groups/hikers/posts", url.Values{"source": {"forged"}, "csrf": {"forged"}}), http.StatusForbidden)
		wantStatus(t, c.post("/groups/hikers/posts", url.Values{"source": {"not a member"}}), http.StatusForbidden)
		if n := feedCount(t, u, bob); n != 0 {
			t.Fatalf("%d posts after refused posts", n)
		}

		wantRedirect(t, b.post("/groups/hikers/posts", url.Values{"source": {"Trail report **today**"}}), "/groups/hikers?notice=posted")
		rec = b.get("/groups/hikers?notice=posted")
		wantBody(t, rec, "Your post is published.", "Trail report <strong>today</strong>", ">Group members<")
		id := groupPostID(t, rec.Body.String(), "Trail report")
		// Members see it in their home feed, naming its group; non-members nowhere.
		wantBody(t, b.get("/"), "Trail report", `in <a href="/groups/hikers">Group hikers</a>`)
		wantBody(t, u.login("alice").get("/"), "Trail report")
		rec = c.get("/groups/hikers")
		wantStatus(t, rec, http.StatusOK)
		wantBody(t, rec, "Only members see the posts")
		wantNoBody(t, rec, "Trail report")
		wantNoBody(t, c.get("/"), "Trail report")
		wantStatus(t, c.get("/posts/"+id), http.StatusNotFound)
		wantStatus(t, b.get("/posts/"+id), http.StatusOK)

		// Comments on a group post stay in the group.
		wantStatus(t, b.post("/posts", url.Values{"source": {"Muddy though"}, "in_reply_to_id": {id}}), http.StatusSeeOther)
		wantBody(t, b.get("/posts/"+id), "Muddy though")
		wantNoBody(t, c.get("/"), "Muddy though")
	})
}

func TestGroupPreModeration(t *testing.T) {
	testrig.EachDB(t, func(t *testing.T, store *storage.Store) {
		u := newTestUI(t, store, false)
		alice := u.account("alice", model.RoleMember)
		u.account("bob", model.RoleMember)
		u.account("carol", model.RoleMember)
		u.group(alice, "news", model.GroupOpen, social.GroupInput{PreModeration: true})
		a, b, c := u.login("alice"), u.login("bob"), u.login("carol")
		b.post("/groups/news/join", nil)
		c.post("/groups/news/join", nil)

		wantBody(t, b.get("/groups/news"), "A moderator approves your post")
		wantRedirect(t, b.post("/groups/news/posts", url.Values{"source": {"Held back"}}), "/groups/news?notice=group_post_pending")
		rec := b.get("/groups/news?notice=group_post_pending")
		wantBody(t, rec, "waits for a moderator", "awaiting approval", "Held back")
		id := groupPostID(t, rec.Body.String(), "Held back")
		wantNoBody(t, c.get("/groups/news"), "Held back")
		wantStatus(t, c.get("/posts/"+id), http.StatusNotFound)

		// The queue is the moderators'.
		wantStatus(t, b.get("/groups/news/moderation"), http.StatusForbidden)
		wantStatus(t, b.post("/groups/news/moderation/"+id, url.Values{"approve": {"true"}}), http.StatusForbidden)
		wantStatus(t, c.post("/groups/news/moderation/"+id, url.Values{"approve": {"true"}}), http.StatusNotFound)
		rec = a.get("/groups/news/moderation")
		wantStatus(t, rec, http.StatusOK)
		wantBody(t, rec, "Held back", `action="/groups/news/moderation/`+id+`"`, ">Publish<")
		wantStatus(t, a.post("/groups/news/moderation/"+id, url.Values{"approve": {"true"}, "csrf": {"forged"}}), http.StatusForbidden)
		wantNoBody(t, c.get("/groups/news"), "Held back")

		wantRedirect(t, a.post("/groups/news/moderation/"+id, url.Values{"approve": {"true"}}), "/groups/news/moderation?notice=group_post_approved")
		wantBody(t, a.get("/groups/news/moderation"), "No posts are waiting.")
		rec = c.get("/groups/news")
		wantBody(t, rec, "Held back")
		wantNoBody(t, rec, "awaiting approval")
		wantBody(t, c.get("/"), "Held back")

		// Rejected posts are gone; moderators' own posts need no approval.
		b.post("/groups/news/posts", url.Values{"source": {"Off topic"}})
		id = groupPostID(t, a.get("/groups/news/moderation").Body.String(), "Off topic")
		wantRedirect(t, a.post("/groups/news/moderation/"+id, url.Values{"approve": {"false"}}), "/groups/news/moderation?notice=group_post_rejected")
		wantNoBody(t, b.get("/groups/news"), "Off topic")
		wantRedirect(t, a.post("/groups/news/posts", url.Values{"source": {"From the desk"}}), "/groups/news?notice=posted")
		wantBody(t, c.get("/groups/news"), "From the desk")
	})
}

func TestGroupPins(t *testing.T) {
	testrig.EachDB(t, func(t *testing.T, store *storage.Store) {
		u := newTestUI(t, store, false)
		alice := u.account("alice", model.RoleMember)
		u.account("bob", model.RoleMember)
		u.group(alice, "hikers", model.GroupOpen, social.GroupInput{})
		a, b := u.login("alice"), u.login("bob")
		b.post("/groups/hikers/join", nil)
		b.post("/groups/hikers/posts", url.Values{"source": {"Older walk"}})
		b.post("/groups/hikers/posts", url.Values{"source": {"Newer walk"}})

		rec := a.get("/groups/hikers")
		body := rec.Body.String()
		if strings.Index(body, "Newer walk") > strings.Index(body, "Older walk") {
			t.Fatal("the feed is not newest first")
		}
		wantBody(t, rec, `action="/groups/hikers/pins"`, "Pin to top")
		wantNoBody(t, rec, `id="pinned-heading"`)
		wantNoBody(t, b.get("/groups/hikers"), "Pin to top")
		id := groupPostID(t, body, "Older walk")

		wantStatus(t, b.post("/groups/hikers/pins", url.Values{"post_id": {id}, "pinned": {"true"}}), http.StatusForbidden)
		wantStatus(t, a.post("/groups/hikers/pins", url.Values{"post_id": {id}, "pinned": {"true"}, "csrf": {"forged"}}), http.StatusForbidden)
		wantNoBody(t, b.get("/groups/hikers"), `id="pinned-heading"`)

		wantRedirect(t, a.post("/groups/hikers/pins", url.Values{"post_id": {id}, "pinned": {"true"}}), "/groups/hikers?notice=group_pinned")
		for _, cl := range []*client{a, b} {
			body := cl.get("/groups/hikers").Body.String()
			pinned, older, newer := strings.Index(body, `id="pinned-heading"`), strings.Index(body, "Older walk"), strings.Index(body, "Newer walk")
			if pinned < 0 || older < pinned || newer < older {
				t.Fatalf("the pinned post is not on top (pinned %d, older %d, newer %d)", pinned, older, newer)
			}
			if strings.Count(body, `id="post-`+id+`"`) != 1 {
				t.Fatal("the pinned post is shown twice")
			}
		}
		wantBody(t, a.get("/groups/hikers"), ">Unpin<")
		wantRedirect(t, a.post("/groups/hikers/pins", url.Values{"post_id": {id}, "pinned": {"false"}}), "/groups/hikers?notice=group_unpinned")
		wantNoBody(t, b.get("/groups/hikers"), `id="pinned-heading"`)
	})
}

func TestGroupSettings(t *testing.T) {
	testrig.EachDB(t, func(t *testing.T, store *storage.Store) {
		u := newTestUI(t, store, false)
		alice := u.account("alice", model.RoleMember)
		bob := u.account("bob", model.RoleMember)
		u.account("carol", model.RoleMember)
		u.account("root", model.RoleAdmin)
		hikers := u.group(alice, "hikers", model.GroupOpen, social.GroupInput{DisplayName: "Hikers", Description: "Walks"})
		a, b, c, root := u.login("alice"), u.login("bob"), u.login("carol"), u.login("root")
		b.post("/groups/hikers/join", nil)
		c.post("/groups/hikers/join", nil)
		a.post("/groups/hikers/members/"+bob.ID+"/role", url.Values{"role": {"moderator"}})

		rec := a.get("/groups/hikers/settings")
		wantStatus(t, rec, http.StatusOK)
		wantBody(t, rec, `value="Hikers"`, ">Walks</textarea>", `id="kind-open" name="kind" value="open" checked`,
			`action="/groups/hikers/archive"`, `href="/groups/hikers/settings" aria-current="page"`)
		wantNoBody(t, rec, `name="name"`)
		// Moderators edit but do not archive; members get neither; admins only archive.
		rec = b.get("/groups/hikers/settings")
		wantStatus(t, rec, http.StatusOK)
		wantBody(t, rec, `action="/groups/hikers/settings"`)
		wantNoBody(t, rec, `action="/groups/hikers/archive"`)
		wantStatus(t, c.get("/groups/hikers/settings"), http.StatusForbidden)
		wantNoBody(t, c.get("/groups/hikers"), `href="/groups/hikers/settings"`)
		rec = root.get("/groups/hikers/settings")
		wantStatus(t, rec, http.StatusOK)
		wantBody(t, rec, `action="/groups/hikers/archive"`)
		wantNoBody(t, rec, `action="/groups/hikers/settings"`)

		form := url.Values{"display_name": {""}, "description": {"Hills"}, "kind": {"closed"}}
		rec = a.post("/groups/hikers/settings", form)
		wantStatus(t, rec, http.StatusUnprocessableEntity)
		wantBody(t, rec, "Give the group a name.", ">Hills</textarea>")
		wantStatus(t, c.post("/groups/hikers/settings", url.Values{"display_name": {"Mine"}, "kind": {"open"}}), http.StatusForbidden)
		form.Set("display_name", "Hill walkers")
		form.Set("csrf", "forged")
		wantStatus(t, a.post("/groups/hikers/settings", form), http.StatusForbidden)
		if g, _ := u.store.Group(t.Context(), hikers.ID); g.DisplayName != "Hikers" || g.Kind != model.GroupOpen {
			t.Fatalf("a refused form changed the group: %q %s", g.DisplayName, g.Kind)
		}
		form.Del("csrf")
		form.Set("name", "renamed")
		wantRedirect(t, b.post("/groups/hikers/settings", form), "/groups/hikers/settings?notice=saved")
		rec = c.get("/groups/hikers")
		wantBody(t, rec, "<h1>Hill walkers</h1>", ">closed<", "Hills")
		wantStatus(t, c.get("/groups/renamed"), http.StatusNotFound)

		// Archived: readable, but no posting or joining.
		wantStatus(t, b.post("/groups/hikers/archive", url.Values{"archived": {"true"}}), http.StatusForbidden)
		wantRedirect(t, a.post("/groups/hikers/archive", url.Values{"archived": {"true"}}), "/groups/hikers?notice=group_archived")
		rec = b.get("/groups/hikers")
		wantBody(t, rec, "This group is archived")
		wantNoBody(t, rec, `id="composer"`)
		wantStatus(t, b.post("/groups/hikers/posts", url.Values{"source": {"too late"}}), http.StatusForbidden)
		wantBody(t, a.get("/groups/hikers/settings"), "Restore group")
		wantRedirect(t, root.post("/groups/hikers/archive", url.Values{"archived": {"false"}}), "/groups/hikers?notice=group_unarchived")
		wantBody(t, b.get("/groups/hikers"), `id="composer"`)
	})
}
