package ui

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/atrium-intranet/atrium/internal/testrig"
	"github.com/atrium-intranet/atrium/model"
	"github.com/atrium-intranet/atrium/storage"
)

func TestSetup(t *testing.T) {
	testrig.EachDB(t, func(t *testing.T, store *storage.Store) {
		u := newTestUI(t, store, true)
		c := u.anonymous()
		token := strings.TrimPrefix(u.setup.Path(), "/setup?token=")

		wantStatus(t, c.get("/setup"), http.StatusNotFound)
		wantStatus(t, c.get("/setup?token=wrong"), http.StatusNotFound)
		csrf := c.preSessionCSRF(u.setup.Path())

		valid := url.Values{"token": {token}, "username": {"root"}, "email": {"root@example.com"},
			"display_name": {"Root"}, "password": {testrig.Password}}
		with := func(k, v string) url.Values {
			f := url.Values{"csrf": {csrf}}
			for key, vs := range valid {
				f[key] = vs
			}
			f.Set(k, v)
			return f
		}
		refused := []struct {
			name   string
			form   url.Values
			status int
			body   string
		}{
			{"no csrf token", with("csrf", ""), http.StatusForbidden, "The form expired"},
			{"wrong link", with("token", "nope"), http.StatusNotFound, ""},
			{"short password", with("password", "short"), http.StatusUnprocessableEntity, "at least 10 characters"},
			{"bad username", with("username", "Root Admin"), http.StatusUnprocessableEntity, "lower-case letters"},
			{"bad email", with("email", "nope"), http.StatusUnprocessableEntity, "valid email"},
		}
		for _, tc := range refused {
			rec := c.post("/setup", tc.form)
			wantStatus(t, rec, tc.status)
			wantBody(t, rec, tc.body)
			if exists, _ := u.svc.Accounts.AdminExists(context.Background()); exists {
				t.Fatalf("%s: an admin was created", tc.name)
			}
		}
		// A refused attempt keeps what was typed, except the password.
		rec := c.post("/setup", with("password", "short"))
		wantBody(t, rec, `value="root@example.com"`)
		wantNoBody(t, rec, "short\"")

		wantRedirect(t, c.post("/setup", with("csrf", csrf)), "/?notice=welcome")
		acct, err := u.svc.Accounts.ByUsername(context.Background(), "root")
		if err != nil || acct.Role != model.RoleAdmin {
			t.Fatalf("first admin: %+v, %v", acct, err)
		}
		if _, ok := c.cookies[sessionCookie]; !ok {
			t.Fatal("setup must log the new admin in")
		}
		wantBody(t, c.get("/?notice=welcome"), "Your admin account is ready")

		// The link works once.
		wantStatus(t, u.anonymous().get(u.setup.Path()), http.StatusNotFound)
		wantStatus(t, c.post("/setup", with("username", "second")), http.StatusNotFound)
	})
}

func TestLogin(t *testing.T) {
	testrig.EachDB(t, func(t *testing.T, store *storage.Store) {
		u := newTestUI(t, store, false)
		u.account("alice", model.RoleMember)
		c := u.anonymous()
		csrf := c.preSessionCSRF("/login")

		form := func(user, pw, next string) url.Values {
			return url.Values{"csrf": {csrf}, "username": {user}, "password": {pw}, "next": {next}}
		}
		rec := c.post("/login", form("alice", "wrong password", "/"))
		wantStatus(t, rec, http.StatusUnauthorized)
		wantBody(t, rec, "Wrong username or password", `value="alice"`)
		rec = c.post("/login", form("nobody", testrig.Password, "/"))
		wantStatus(t, rec, http.StatusUnauthorized)
		wantBody(t, rec, "Wrong username or password")

		noToken := form("alice", testrig.Password, "/")
		noToken.Set("csrf", "")
		wantStatus(t, c.post("/login", noToken), http.StatusForbidden)
		if _, ok := c.cookies[sessionCookie]; ok {
			t.Fatal("a refused login set a session cookie")
		}

		rec = c.post("/login", form("alice", testrig.Password, "//evil.example/"))
		wantRedirect(t, rec, "/")
		var session *http.Cookie
		for _, ck := range rec.Result().Cookies() {
			if ck.Name == sessionCookie {
				session = ck
			}
		}
		if session == nil || !session.HttpOnly || session.SameSite != http.SameSiteLaxMode || session.Secure {
			t.Fatalf("session cookie %+v: want HttpOnly, SameSite=Lax, not Secure over http", session)
		}
		wantBody(t, c.get("/"), "News feed", `href="/users/alice"`)
		// A logged-in visitor of /login goes on.
		wantRedirect(t, c.get("/login?next=/people"), "/people")

		// Logging out ends the session on the server.
		secret := session.Value
		wantRedirect(t, c.post("/logout", url.Values{"csrf": {sessionCSRF(t, u, secret)}}), "/login?notice=logged_out")
		if _, _, err := u.svc.Auth.Session(context.Background(), secret); err == nil {
			t.Fatal("session still valid after logout")
		}
		stale := u.anonymous()
		stale.cookies[sessionCookie] = &http.Cookie{Name: sessionCookie, Value: secret}
		wantRedirect(t, stale.get("/"), "/login")
	})
}

func sessionCSRF(t *testing.T, u *testUI, secret string) string {
	t.Helper()
	sess, _, err := u.svc.Auth.Session(context.Background(), secret)
	if err != nil {
		t.Fatal(err)
	}
	return sess.CSRFToken
}

func TestLoginRateLimited(t *testing.T) {
	store := testrig.NewStore(t, "sqlite")
	u := newTestUI(t, store, false)
	u.account("alice", model.RoleMember)
	c := u.anonymous()
	csrf := c.preSessionCSRF("/login")
	var last int
	for i := 0; i < 30 && last != http.StatusTooManyRequests; i++ {
		last = c.post("/login", url.Values{"csrf": {csrf}, "username": {"alice"}, "password": {"guess"}}).Code
	}
	if last != http.StatusTooManyRequests {
		t.Fatalf("30 wrong passwords: last status %d, want 429", last)
	}
	rec := c.post("/login", url.Values{"csrf": {csrf}, "username": {"alice"}, "password": {testrig.Password}})
	wantStatus(t, rec, http.StatusTooManyRequests)
	wantBody(t, rec, "Too many login attempts")
	if rec.Header().Get("Retry-After") == "" {
		t.Error("429 without Retry-After")
	}
}

func TestPagesNeedLogin(t *testing.T) {
	u := newTestUI(t, testrig.NewStore(t, "sqlite"), false)
	c := u.anonymous()
	wantRedirect(t, c.get("/"), "/login")
	for _, path := range []string{"/people", "/users/alice", "/posts/01JX", "/tags/x", "/settings/profile",
		"/settings/account", "/settings/tokens", "/admin/users", "/avatars/x.png"} {
		wantRedirect(t, c.get(path), "/login?next="+url.QueryEscape(path))
	}
	wantRedirect(t, c.post("/posts", url.Values{"source": {"hi"}}), "/login")
	// The login page keeps the target, but only a local one.
	wantBody(t, c.get("/login?next=/people"), `name="next" value="/people"`)
	wantBody(t, c.get("/login?next=https://evil.example/"), `name="next" value="/"`)
}

func TestDeactivationEndsSession(t *testing.T) {
	u := newTestUI(t, testrig.NewStore(t, "sqlite"), false)
	admin := u.account("boss", model.RoleAdmin)
	bob := u.account("bob", model.RoleMember)
	c := u.login("bob")
	wantStatus(t, c.get("/"), http.StatusOK)
	if err := u.svc.Accounts.SetActive(context.Background(), admin, bob.ID, false); err != nil {
		t.Fatal(err)
	}
	wantRedirect(t, c.get("/"), "/login")
}

func TestLocalPath(t *testing.T) {
	for in, want := range map[string]string{
		"/people": "/people", "/posts/1?x=2": "/posts/1?x=2", "": "/", "//evil": "/", "/\\evil": "/",
		"https://evil.example": "/", "people": "/", "/a\r\nSet-Cookie: x": "/",
	} {
		if got := localPath(in); got != want {
			t.Errorf("localPath(%q) = %q, want %q", in, got, want)
		}
	}
}
