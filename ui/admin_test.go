package ui

import (
	"context"
	"errors"
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

// generatedIn finds a generated password on the admin page.
var generatedIn = regexp.MustCompile(`id="generated-password">([^<]+)<`)

func TestAdminForbiddenToMembers(t *testing.T) {
	testrig.EachDB(t, func(t *testing.T, store *storage.Store) {
		u := newTestUI(t, store, false)
		admin := u.account("boss", model.RoleAdmin)
		bob := u.account("bob", model.RoleMember)
		c := u.login("bob")
		wantStatus(t, c.get("/admin/users"), http.StatusForbidden)
		wantStatus(t, c.post("/admin/users", url.Values{"username": {"mallory"}, "email": {"m@example.com"},
			"role": {"admin"}, "password": {testrig.Password}}), http.StatusForbidden)
		wantStatus(t, c.post("/admin/users/"+bob.ID+"/role", url.Values{"role": {"admin"}}), http.StatusForbidden)
		wantStatus(t, c.post("/admin/users/"+admin.ID+"/active", url.Values{"active": {"false"}}), http.StatusForbidden)
		if _, err := u.svc.Accounts.ByUsername(context.Background(), "mallory"); !errors.Is(err, social.ErrNotFound) {
			t.Fatalf("member created an account: %v", err)
		}
		if reload(t, store, bob).Role != model.RoleMember || !reload(t, store, admin).Active() {
			t.Fatal("member changed accounts")
		}
		wantNoBody(t, c.get("/"), `href="/admin/users"`)
	})
}

func TestAdminUsersPage(t *testing.T) {
	testrig.EachDB(t, func(t *testing.T, store *storage.Store) {
		u := newTestUI(t, store, false)
		ctx := context.Background()
		admin := u.account("boss", model.RoleAdmin)
		bob := u.account("bob", model.RoleMember)
		gone := u.account("gone", model.RoleGuest)
		if err := u.svc.Accounts.SetActive(ctx, admin, gone.ID, false); err != nil {
			t.Fatal(err)
		}
		c := u.login("boss")
		rec := c.get("/admin/users")
		wantStatus(t, rec, http.StatusOK)
		wantBody(t, rec, `aria-current="page">Admin`, `<div class="table-wrap">`,
			`action="/admin/users/`+bob.ID+`/role"`, `<label for="role-`+bob.ID+`"`,
			`action="/admin/users/`+bob.ID+`/active"`, `<option value="guest" selected>Guest</option>`,
			`href="/users/gone">gone</a>`, `name="active" value="true"`,
			`<label for="username">`, `<label for="email">`, `<label for="display_name">`, `<label for="role">`, `<label for="password">`)
		// No deactivate button on the admin's own row.
		wantNoBody(t, rec, `action="/admin/users/`+admin.ID+`/active"`)
	})
}

func TestAdminPaging(t *testing.T) {
	u := newTestUI(t, testrig.NewStore(t, "sqlite"), false)
	u.account("aaadmin", model.RoleAdmin)
	for i := 0; i < 52; i++ {
		u.account(fmt.Sprintf("user%02d", i), model.RoleMember)
	}
	c := u.login("aaadmin")
	first := c.get("/admin/users")
	wantBody(t, first, `href="/users/user48"`)
	wantNoBody(t, first, `href="/users/user49"`)
	m := regexp.MustCompile(`href="(/admin/users\?after=[^"]+)" rel="next"`).FindStringSubmatch(first.Body.String())
	if m == nil {
		t.Fatal("no next link")
	}
	second := c.get(html.UnescapeString(m[1]))
	wantBody(t, second, `href="/users/user49"`, `href="/users/user51"`, `name="after" value="user48"`)
	wantNoBody(t, second, `href="/users/user48"`)
}

func TestAdminCreateUser(t *testing.T) {
	testrig.EachDB(t, func(t *testing.T, store *storage.Store) {
		u := newTestUI(t, store, false)
		ctx := context.Background()
		u.account("boss", model.RoleAdmin)
		c := u.login("boss")
		exists := func(name string) bool {
			t.Helper()
			_, err := u.svc.Accounts.ByUsername(ctx, name)
			if err != nil && !errors.Is(err, social.ErrNotFound) {
				t.Fatal(err)
			}
			return err == nil
		}

		rec := c.post("/admin/users", url.Values{"username": {"Bad Name!"}, "email": {"nope"}, "display_name": {"Dora"},
			"role": {"guest"}, "password": {"short"}})
		wantStatus(t, rec, http.StatusUnprocessableEntity)
		wantBody(t, rec, "Use 1 to 30 lower-case letters", "Enter a valid email address.", "at least 10 characters",
			`value="Bad Name!"`, `value="Dora"`, `<option value="guest" selected>`, `aria-invalid="true"`)
		wantNoBody(t, rec, `value="short"`)
		rec = c.post("/admin/users", url.Values{"username": {"boss"}, "email": {"x@example.com"}, "role": {"member"}})
		wantStatus(t, rec, http.StatusUnprocessableEntity)
		wantBody(t, rec, "This username is taken.")
		wantStatus(t, c.post("/admin/users", url.Values{"username": {"dora"}, "email": {"dora@example.com"},
			"role": {"member"}, "csrf": {"forged"}}), http.StatusForbidden)
		wantStatus(t, c.post("/admin/users", url.Values{"username": {"dora"}, "email": {"dora@example.com"},
			"role": {"overlord"}}), http.StatusUnprocessableEntity)
		if exists("dora") {
			t.Fatal("refused create made an account")
		}

		// With a password: plain redirect.
		wantRedirect(t, c.post("/admin/users", url.Values{"username": {"dora"}, "email": {"dora@example.com"},
			"display_name": {"Dora D"}, "role": {"guest"}, "password": {"dora's long password"}}), "/admin/users?notice=user_created")
		dora, err := u.svc.Accounts.ByUsername(ctx, "dora")
		if err != nil || dora.Role != model.RoleGuest || dora.DisplayName != "Dora D" {
			t.Fatalf("dora: %+v, %v", dora, err)
		}
		if _, err := u.svc.Auth.Login(ctx, "dora", "dora's long password", "test", "192.0.2.7"); err != nil {
			t.Fatalf("dora cannot log in: %v", err)
		}

		// Without one: generated and shown once.
		rec = c.post("/admin/users", url.Values{"username": {"emil"}, "email": {"emil@example.com"}, "role": {"member"}})
		wantStatus(t, rec, http.StatusOK)
		wantBody(t, rec, "Account created.", "Account emil created")
		m := generatedIn.FindStringSubmatch(rec.Body.String())
		if m == nil || len(m[1]) != generatedPasswordLen {
			t.Fatalf("generated password not shown: %v", m)
		}
		if _, err := u.svc.Auth.Login(ctx, "emil", m[1], "test", "192.0.2.8"); err != nil {
			t.Fatalf("emil cannot log in with the generated password: %v", err)
		}
		wantNoBody(t, c.get("/admin/users"), m[1], `id="generated-password"`)
	})
}

func TestRandomPassword(t *testing.T) {
	seen := map[string]bool{}
	for i := 0; i < 50; i++ {
		p := randomPassword()
		if len(p) != generatedPasswordLen || seen[p] {
			t.Fatalf("password %q (seen before: %v)", p, seen[p])
		}
		for _, r := range p {
			if !regexp.MustCompile(`^[` + passwordAlphabet + `]$`).MatchString(string(r)) {
				t.Fatalf("password %q has %q", p, r)
			}
		}
		seen[p] = true
	}
}

func TestAdminRoles(t *testing.T) {
	testrig.EachDB(t, func(t *testing.T, store *storage.Store) {
		u := newTestUI(t, store, false)
		admin := u.account("boss", model.RoleAdmin)
		bob := u.account("bob", model.RoleMember)
		c := u.login("boss")

		// The last admin stays one.
		rec := c.post("/admin/users/"+admin.ID+"/role", url.Values{"role": {"member"}})
		wantStatus(t, rec, http.StatusUnprocessableEntity)
		wantBody(t, rec, `<p class="alert" role="alert">The node needs at least one admin.</p>`, `action="/admin/users/`+bob.ID+`/role"`)
		if reload(t, store, admin).Role != model.RoleAdmin {
			t.Fatal("last admin demoted")
		}
		wantStatus(t, c.post("/admin/users/"+bob.ID+"/role", url.Values{"role": {"overlord"}}), http.StatusUnprocessableEntity)
		wantStatus(t, c.post("/admin/users/"+bob.ID+"/role", url.Values{"role": {"admin"}, "csrf": {"forged"}}), http.StatusForbidden)
		wantStatus(t, c.post("/admin/users/nobody/role", url.Values{"role": {"admin"}}), http.StatusNotFound)
		if reload(t, store, bob).Role != model.RoleMember {
			t.Fatal("refused role change took effect")
		}

		wantRedirect(t, c.post("/admin/users/"+bob.ID+"/role", url.Values{"role": {"admin"}}), "/admin/users?notice=role_changed")
		if reload(t, store, bob).Role != model.RoleAdmin {
			t.Fatal("role not changed")
		}
		wantBody(t, c.get("/admin/users?notice=role_changed"), "Role changed.")
		// With two admins, one may step down; the page remembers where it was.
		wantRedirect(t, c.post("/admin/users/"+admin.ID+"/role", url.Values{"role": {"member"}, "after": {"a"}}),
			"/admin/users?after=a&notice=role_changed")
		if reload(t, store, admin).Role != model.RoleMember {
			t.Fatal("admin did not step down")
		}
		wantStatus(t, c.get("/admin/users"), http.StatusForbidden)
	})
}

func TestAdminActivation(t *testing.T) {
	testrig.EachDB(t, func(t *testing.T, store *storage.Store) {
		u := newTestUI(t, store, false)
		admin := u.account("boss", model.RoleAdmin)
		bob := u.account("bob", model.RoleMember)
		c := u.login("boss")
		bobClient := u.login("bob")

		rec := c.post("/admin/users/"+admin.ID+"/active", url.Values{"active": {"false"}})
		wantStatus(t, rec, http.StatusUnprocessableEntity)
		wantBody(t, rec, `<p class="alert" role="alert">You cannot deactivate your own account.</p>`)
		if !reload(t, store, admin).Active() {
			t.Fatal("admin deactivated themselves")
		}
		wantStatus(t, c.post("/admin/users/"+bob.ID+"/active", url.Values{"active": {"maybe"}}), http.StatusBadRequest)
		wantStatus(t, c.post("/admin/users/"+bob.ID+"/active", url.Values{"active": {"false"}, "csrf": {"forged"}}), http.StatusForbidden)
		wantStatus(t, c.post("/admin/users/nobody/active", url.Values{"active": {"false"}}), http.StatusNotFound)
		if !reload(t, store, bob).Active() {
			t.Fatal("refused deactivation took effect")
		}

		wantRedirect(t, c.post("/admin/users/"+bob.ID+"/active", url.Values{"active": {"false"}}), "/admin/users?notice=deactivated")
		if reload(t, store, bob).Active() {
			t.Fatal("bob still active")
		}
		wantRedirect(t, bobClient.get("/"), "/login")
		rec = c.get("/admin/users?notice=deactivated")
		wantBody(t, rec, "Account deactivated.", `<span class="badge">deactivated</span>`, "Reactivate")

		wantRedirect(t, c.post("/admin/users/"+bob.ID+"/active", url.Values{"active": {"true"}}), "/admin/users?notice=reactivated")
		if !reload(t, store, bob).Active() {
			t.Fatal("bob not reactivated")
		}
		wantStatus(t, u.login("bob").get("/"), http.StatusOK)
	})
}
