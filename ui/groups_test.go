package ui

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/atrium-intranet/atrium/internal/testrig"
	"github.com/atrium-intranet/atrium/model"
	"github.com/atrium-intranet/atrium/social"
	"github.com/atrium-intranet/atrium/storage"
)

// group creates a group owned by owner, named "Group <name>".
func (u *testUI) group(owner *model.Account, name string, kind model.GroupKind, in social.GroupInput) *model.Group {
	u.t.Helper()
	in.Name, in.Kind = name, kind
	if in.DisplayName == "" {
		in.DisplayName = "Group " + name
	}
	g, err := u.svc.Groups.Create(context.Background(), owner, in)
	if err != nil {
		u.t.Fatalf("create group %s: %v", name, err)
	}
	return g
}

// membership is who's membership of g, nil if there is none.
func (u *testUI) membership(g *model.Group, who *model.Account) *model.Membership {
	u.t.Helper()
	m, err := u.store.Membership(context.Background(), g.ID, who.ID)
	if errors.Is(err, storage.ErrNotFound) {
		return nil
	}
	if err != nil {
		u.t.Fatal(err)
	}
	return m
}

// wantMember fails the test unless who's membership of g is in state (nil state: none).
func (u *testUI) wantMember(g *model.Group, who *model.Account, state model.MemberState) {
	u.t.Helper()
	m := u.membership(g, who)
	switch {
	case state == "" && m != nil:
		u.t.Fatalf("%s has a %s membership of %s, want none", who.Username, m.State, g.Name)
	case state != "" && m == nil:
		u.t.Fatalf("%s has no membership of %s, want %s", who.Username, g.Name, state)
	case state != "" && m.State != state:
		u.t.Fatalf("%s is %s in %s, want %s", who.Username, m.State, g.Name, state)
	}
}

// groupCount is how many groups viewer's "My groups" lists.
func groupCount(t *testing.T, u *testUI, viewer *model.Account) int {
	t.Helper()
	page, err := u.svc.Groups.List(context.Background(), viewer, social.GroupQuery{Mine: true, Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	return len(page.Groups)
}

func TestGroupCreate(t *testing.T) {
	testrig.EachDB(t, func(t *testing.T, store *storage.Store) {
		u := newTestUI(t, store, false)
		alice := u.account("alice", model.RoleMember)
		u.account("gus", model.RoleGuest)
		c := u.login("alice")

		rec := c.get("/groups/new")
		wantStatus(t, rec, http.StatusOK)
		wantBody(t, rec, `<label for="name">`, `<label for="display_name">`, `<label for="description">`,
			`id="kind-open" name="kind" value="open" checked`, `<label for="kind-secret">`, "join at once",
			`<label for="site_only">`, `<label for="pre_moderation">`, `action="/groups"`, `name="csrf" value="`+c.csrf+`"`)

		valid := url.Values{"name": {"hikers"}, "display_name": {"Hikers"}, "description": {"We **walk**. <script>alert(1)</script>"},
			"kind": {"open"}, "site_only": {"1"}}
		refused := []struct {
			name   string
			change url.Values
			status int
			body   []string
		}{
			{"bad name", url.Values{"name": {"Hikers!"}}, http.StatusUnprocessableEntity, []string{"Use 2 to 30 lower-case", `aria-invalid="true"`, `value="Hikers!"`}},
			{"no display name", url.Values{"display_name": {"  "}}, http.StatusUnprocessableEntity, []string{"Give the group a name."}},
			{"bad kind", url.Values{"kind": {"public"}}, http.StatusUnprocessableEntity, []string{"Choose the kind of group.", `id="kind-error"`}},
			{"long description", url.Values{"description": {strings.Repeat("x", 5001)}}, http.StatusUnprocessableEntity, []string{"This is too long."}},
			{"forged csrf", url.Values{"csrf": {"forged"}}, http.StatusForbidden, []string{"The form expired"}},
		}
		for _, tc := range refused {
			form := url.Values{}
			for k, v := range valid {
				form[k] = v
			}
			for k, v := range tc.change {
				form[k] = v
			}
			rec := c.post("/groups", form)
			if rec.Code != tc.status {
				t.Fatalf("%s: status %d, want %d", tc.name, rec.Code, tc.status)
			}
			wantBody(t, rec, tc.body...)
			if n := groupCount(t, u, alice); n != 0 {
				t.Fatalf("%s: %d groups after a refused form", tc.name, n)
			}
		}
		// Fields are kept on a refused form.
		form := url.Values{"name": {"hikers"}, "display_name": {""}, "description": {"keep me"}, "kind": {"closed"}, "pre_moderation": {"1"}}
		rec = c.post("/groups", form)
		wantStatus(t, rec, http.StatusUnprocessableEntity)
		wantBody(t, rec, `value="hikers"`, ">keep me</textarea>", `id="kind-closed" name="kind" value="closed" checked`, `id="pre_moderation" name="pre_moderation" value="1" checked`)

		wantRedirect(t, c.post("/groups", valid), "/groups/hikers?notice=group_created")
		rec = c.get("/groups/hikers?notice=group_created")
		wantStatus(t, rec, http.StatusOK)
		wantBody(t, rec, "Your group is created.", "<h1>Hikers</h1>", "@hikers", "Members: 1", ">open<", "this site only",
			"<strong>walk</strong>", ">Owner<", `id="composer"`, `action="/groups/hikers/posts"`)
		wantNoBody(t, rec, "<script>alert", "Leave group")

		rec = c.post("/groups", valid)
		wantStatus(t, rec, http.StatusUnprocessableEntity)
		wantBody(t, rec, "This handle is taken.")
		if n := groupCount(t, u, alice); n != 1 {
			t.Fatalf("%d groups, want 1", n)
		}

		// Guests do not create groups.
		valid.Set("name", "guests")
		wantStatus(t, u.login("gus").post("/groups", valid), http.StatusForbidden)
		if _, err := u.store.GroupByName(context.Background(), "guests", ""); !errors.Is(err, storage.ErrNotFound) {
			t.Fatalf("a guest created a group: %v", err)
		}
		// Without a session, the pages ask for a login.
		wantRedirect(t, u.anonymous().get("/groups"), "/login?next=%2Fgroups")
	})
}

func TestGroupDirectory(t *testing.T) {
	testrig.EachDB(t, func(t *testing.T, store *storage.Store) {
		u := newTestUI(t, store, false)
		alice := u.account("alice", model.RoleMember)
		u.account("bob", model.RoleMember)
		u.group(alice, "hikers", model.GroupOpen, social.GroupInput{})
		chess := u.group(alice, "chess", model.GroupClosed, social.GroupInput{})
		u.group(alice, "board", model.GroupSecret, social.GroupInput{})
		u.group(alice, "berlin", model.GroupOpen, social.GroupInput{SiteOnly: true})
		a, b := u.login("alice"), u.login("bob")

		rec := b.get("/groups")
		wantStatus(t, rec, http.StatusOK)
		wantBody(t, rec, `id="group-hikers"`, `id="group-chess"`, `href="/groups/hikers"`, ">open<", ">closed<", "this site only",
			`href="/groups/new"`, `href="/groups?tab=mine"`, `<a href="/groups" aria-current="page">Groups</a>`)
		wantNoBody(t, rec, `id="group-board"`, "Group board", ">secret<")

		rec = b.get("/groups?q=hik")
		wantBody(t, rec, `id="group-hikers"`)
		wantNoBody(t, rec, `id="group-chess"`)
		wantBody(t, b.get("/groups?tab=mine"), "You are not in any group yet.")
		rec = a.get("/groups?tab=mine")
		wantBody(t, rec, `id="group-board"`, ">secret<", ">Owner<")
		wantStatus(t, b.get("/groups?q="+strings.Repeat("x", 101)), http.StatusUnprocessableEntity)

		// A secret group does not exist for non-members, on every page and action.
		for _, path := range []string{"/groups/board", "/groups/board/members", "/groups/board/settings", "/groups/board/moderation"} {
			wantStatus(t, b.get(path), http.StatusNotFound)
		}
		for _, path := range []string{"/groups/board/join", "/groups/board/leave", "/groups/board/posts", "/groups/board/members", "/groups/board/pins", "/groups/board/archive"} {
			wantStatus(t, b.post(path, url.Values{"source": {"hi"}, "handle": {"bob"}}), http.StatusNotFound)
		}
		wantStatus(t, b.get("/groups/nosuch"), http.StatusNotFound)
		// Visible groups keep their moderator pages to moderators.
		wantStatus(t, b.get("/groups/chess/settings"), http.StatusForbidden)
		wantStatus(t, b.get("/groups/chess/moderation"), http.StatusForbidden)
		wantStatus(t, b.get("/groups/chess"), http.StatusOK)

		// Archived groups are flagged and closed to new members.
		wantRedirect(t, a.post("/groups/chess/archive", url.Values{"archived": {"true"}}), "/groups/chess?notice=group_archived")
		rec = b.get("/groups")
		wantBody(t, rec, ">archived<")
		wantStatus(t, b.post("/groups/chess/join", nil), http.StatusForbidden)
		u.wantMember(chess, u.accountNamed("bob"), "")
		wantRedirect(t, a.post("/groups/chess/archive", url.Values{"archived": {"false"}}), "/groups/chess?notice=group_unarchived")
		wantNoBody(t, b.get("/groups"), ">archived<")
	})
}

func TestGroupDirectoryPages(t *testing.T) {
	testrig.EachDB(t, func(t *testing.T, store *storage.Store) {
		u := newTestUI(t, store, false)
		alice := u.account("alice", model.RoleMember)
		for i := range 32 {
			u.group(alice, fmt.Sprintf("g%02d", i), model.GroupOpen, social.GroupInput{})
		}
		c := u.login("alice")
		rec := c.get("/groups?tab=mine")
		wantBody(t, rec, `id="group-g00"`, `id="group-g29"`, `rel="next"`)
		wantNoBody(t, rec, `id="group-g30"`)
		next := nextLink(t, rec.Body.String())
		if !strings.Contains(next, "tab=mine") {
			t.Fatalf("next link %q drops the tab", next)
		}
		rec = c.get(next)
		wantBody(t, rec, `id="group-g30"`, `id="group-g31"`)
		wantNoBody(t, rec, `id="group-g29"`, `rel="next"`)
	})
}

// nextLink is the href of a page's rel="next" link.
func nextLink(t *testing.T, body string) string {
	t.Helper()
	i := strings.Index(body, `" rel="next"`)
	if i < 0 {
		t.Fatal("no next link")
	}
	j := strings.LastIndex(body[:i], `href="`)
	return strings.ReplaceAll(body[j+len(`href="`):i], "&amp;", "&")
}

// accountNamed loads a local account by username.
func (u *testUI) accountNamed(username string) *model.Account {
	u.t.Helper()
	a, err := u.store.LocalAccountByUsername(context.Background(), username)
	if err != nil {
		u.t.Fatal(err)
	}
	return a
}

func TestGroupDirectoryRefresh(t *testing.T) {
	u := newTestUI(t, testrig.NewStore(t, "sqlite"), false)
	u.account("mia", model.RoleMember)
	u.account("gus", model.RoleGuest)
	c := u.login("mia")
	wantBody(t, c.get("/groups"), `action="/groups/refresh"`)
	wantRedirect(t, c.post("/groups/refresh", nil), "/groups?notice=groups_refreshed")
	wantRedirect(t, c.post("/groups/refresh", nil), "/groups?notice=groups_refresh_later")
	wantBody(t, c.get("/groups?notice=groups_refresh_later"), "refreshed a moment ago")
	guest := u.login("gus")
	wantNoBody(t, guest.get("/groups"), `action="/groups/refresh"`)
	wantStatus(t, guest.post("/groups/refresh", nil), http.StatusForbidden)
	wantStatus(t, c.post("/groups/refresh", url.Values{"csrf": {"forged"}}), http.StatusForbidden)
}
