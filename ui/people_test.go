package ui

import (
	"context"
	"fmt"
	"html"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/atrium-intranet/atrium/internal/testrig"
	"github.com/atrium-intranet/atrium/model"
	"github.com/atrium-intranet/atrium/social"
	"github.com/atrium-intranet/atrium/storage"
)

// nextPeople finds the directory's next-page link.
var nextPeople = regexp.MustCompile(`href="(/people\?[^"]+)" rel="next"`)

func TestPeopleDirectory(t *testing.T) {
	testrig.EachDB(t, func(t *testing.T, store *storage.Store) {
		u := newTestUI(t, store, false)
		ctx := context.Background()
		admin := u.account("boss", model.RoleAdmin)
		alice := u.account("alice", model.RoleMember)
		setProfile(t, u, alice, social.ProfileInput{DisplayName: "Alice Archer", JobTitle: "Chief Tester", Department: "Quality"})
		gone := u.account("gone", model.RoleMember)
		if err := u.svc.Accounts.SetActive(ctx, admin, gone.ID, false); err != nil {
			t.Fatal(err)
		}
		testrig.InsertRemoteAccount(t, store, "remy", "127.0.0.1:9000")
		// People of a sibling node are in the directory; of a partner node, never.
		if _, err := u.svc.Peers.Add(ctx, social.SystemActor(), "http://127.0.0.1:9000", model.TrustSibling, ""); err != nil {
			t.Fatal(err)
		}
		testrig.InsertRemoteAccount(t, store, "pete", "127.0.0.1:9002")
		if _, err := u.svc.Peers.Add(ctx, social.SystemActor(), "http://127.0.0.1:9002", model.TrustPartner, ""); err != nil {
			t.Fatal(err)
		}
		u.account("gus", model.RoleGuest)
		c := u.login("alice")

		rec := c.get("/people")
		wantStatus(t, rec, http.StatusOK)
		wantBody(t, rec, `<label for="q">`, `type="search" id="q" name="q"`, `href="/users/alice">Alice Archer</a>`,
			"Chief Tester · Quality<", `href="/users/boss"`, "@remy@127.0.0.1:9000", `aria-current="page">People`)
		wantNoBody(t, rec, "/users/gone", `href="/users/remy"`, "Include deactivated", `rel="next"`, "pete", "/users/gus")

		rec = c.get("/people?q=tester")
		wantStatus(t, rec, http.StatusOK)
		wantBody(t, rec, "Alice Archer", `value="tester"`)
		wantNoBody(t, rec, "/users/boss")
		wantBody(t, c.get("/people?q=nobody+at+all"), "No one found.")
		wantStatus(t, c.get("/people?q="+strings.Repeat("x", 101)), http.StatusUnprocessableEntity)

		// Deactivated accounts: admins only, on request.
		wantNoBody(t, c.get("/people?all=1"), "/users/gone")
		boss := u.login("boss")
		wantNoBody(t, boss.get("/people"), "/users/gone")
		rec = boss.get("/people?all=1")
		wantBody(t, rec, `href="/users/gone">gone</a> <span class="badge">deactivated</span>`, "Hide deactivated")
	})
}

func TestPeoplePaging(t *testing.T) {
	testrig.EachDB(t, func(t *testing.T, store *storage.Store) {
		u := newTestUI(t, store, false)
		for i := 0; i < 33; i++ {
			u.account(fmt.Sprintf("user%02d", i), model.RoleMember)
		}
		c := u.login("user00")
		first := c.get("/people")
		wantBody(t, first, `href="/users/user00"`, `href="/users/user29"`)
		wantNoBody(t, first, `href="/users/user30"`)
		m := nextPeople.FindStringSubmatch(first.Body.String())
		if m == nil {
			t.Fatal("no next link")
		}
		second := c.get(html.UnescapeString(m[1]))
		wantStatus(t, second, http.StatusOK)
		wantBody(t, second, `href="/users/user30"`, `href="/users/user32"`)
		wantNoBody(t, second, `href="/users/user29"`, `rel="next"`)

		// Paging keeps the search.
		for i := 0; i < 31; i++ {
			acct := u.account(fmt.Sprintf("dev%02d", i), model.RoleMember)
			setProfile(t, u, acct, social.ProfileInput{Department: "Engineering"})
		}
		first = c.get("/people?department=Engineering")
		m = nextPeople.FindStringSubmatch(first.Body.String())
		if m == nil {
			t.Fatal("no next link for the search")
		}
		link := html.UnescapeString(m[1])
		if !strings.Contains(link, "department=Engineering") {
			t.Fatalf("next link %q drops the search", link)
		}
		second = c.get(link)
		wantBody(t, second, `href="/users/dev30"`)
		wantNoBody(t, second, `href="/users/user01"`, `href="/users/dev29"`)
	})
}
