package ui

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/png"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/atrium-intranet/atrium/internal/testrig"
	"github.com/atrium-intranet/atrium/model"
	"github.com/atrium-intranet/atrium/storage"
)

// reload reads an account back from the database.
func reload(t *testing.T, store *storage.Store, acct *model.Account) *model.Account {
	t.Helper()
	a, err := store.Account(context.Background(), acct.ID)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// pngImage encodes a w×h PNG.
func pngImage(t *testing.T, w, h int) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for x := 0; x < w; x++ {
		img.Set(x, x%h, color.RGBA{R: 200, G: 40, B: 90, A: 255})
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestProfileEdit(t *testing.T) {
	testrig.EachDB(t, func(t *testing.T, store *storage.Store) {
		u := newTestUI(t, store, false)
		ctx := context.Background()
		alice := u.account("alice", model.RoleMember)
		bob := u.account("bob", model.RoleMember)
		c := u.login("alice")

		rec := c.get("/settings/profile")
		wantStatus(t, rec, http.StatusOK)
		for _, f := range []string{"display_name", "job_title", "department", "site", "phone", "email", "manager", "skills", "about", "avatar"} {
			wantBody(t, rec, `<label for="`+f+`">`, `id="`+f+`" name="`+f+`"`)
		}
		wantBody(t, rec, `value="alice@example.com"`, `action="/settings/avatar" enctype="multipart/form-data"`,
			`aria-current="page">Profile`)

		valid := url.Values{
			"display_name": {"Alice Archer"}, "job_title": {"Chief Tester"}, "department": {"Quality"},
			"site": {"Hamburg"}, "phone": {"+49 40 123"}, "email": {"alice@corp.example"}, "manager": {"bob"},
			"skills": {"Go, SQL , go"}, "about": {"Hello **world**"},
		}
		withField := func(k, v string) url.Values {
			f := url.Values{}
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
			body   []string
		}{
			{"bad phone", withField("phone", "call me"), http.StatusUnprocessableEntity,
				[]string{"Use digits, spaces", `id="phone" name="phone" value="call me"`, `value="Chief Tester"`}},
			{"unknown manager", withField("manager", "nobody"), http.StatusUnprocessableEntity,
				[]string{"There is no such person.", `value="nobody"`}},
			{"bad email", withField("email", "not an address"), http.StatusUnprocessableEntity,
				[]string{"Enter a valid email address.", `value="not an address"`}},
			{"own manager", withField("manager", "alice"), http.StatusUnprocessableEntity,
				[]string{"loop in the reporting line"}},
			{"long title", withField("job_title", strings.Repeat("x", 101)), http.StatusUnprocessableEntity,
				[]string{"This is too long."}},
			{"no csrf", withField("csrf", "forged"), http.StatusForbidden, []string{"The form expired"}},
		}
		for _, tc := range refused {
			rec := c.post("/settings/profile", tc.form)
			if rec.Code != tc.status {
				t.Fatalf("%s: status %d, want %d", tc.name, rec.Code, tc.status)
			}
			wantBody(t, rec, tc.body...)
			if tc.status == http.StatusUnprocessableEntity {
				wantBody(t, rec, `aria-invalid="true"`, `class="field-error"`)
			}
			if a := reload(t, store, alice); a.JobTitle != "" || a.Email != "alice@example.com" || a.ManagerID != nil {
				t.Fatalf("%s: profile changed: %+v", tc.name, a)
			}
		}

		wantRedirect(t, c.post("/settings/profile", valid), "/settings/profile?notice=profile_saved")
		a := reload(t, store, alice)
		if a.DisplayName != "Alice Archer" || a.JobTitle != "Chief Tester" || a.Site != "Hamburg" ||
			a.Email != "alice@corp.example" || a.ManagerID == nil || *a.ManagerID != bob.ID {
			t.Fatalf("profile not saved: %+v", a)
		}
		if skills, err := store.Skills(ctx, alice.ID); err != nil || strings.Join(skills, ",") != "go,sql" {
			t.Fatalf("skills %v, %v", skills, err)
		}
		rec = c.get("/settings/profile?notice=profile_saved")
		wantBody(t, rec, "Your profile is saved.", `value="Chief Tester"`, `id="manager" name="manager" value="bob"`,
			`value="go, sql"`, "Hello **world**</textarea>")
	})
}

func TestHostileAbout(t *testing.T) {
	testrig.EachDB(t, func(t *testing.T, store *storage.Store) {
		u := newTestUI(t, store, false)
		u.account("alice", model.RoleMember)
		u.account("bob", model.RoleMember)
		c := u.login("alice")
		hostile := `<script>alert(1)</script><a href="javascript:alert(2)">x</a>"><img src=x onerror=alert(3)>`
		wantRedirect(t, c.post("/settings/profile", url.Values{"email": {"alice@example.com"}, "about": {hostile}}),
			"/settings/profile?notice=profile_saved")
		for _, rec := range []*httptest.ResponseRecorder{u.login("bob").get("/users/alice"), c.get("/settings/profile")} {
			wantStatus(t, rec, http.StatusOK)
			wantNoBody(t, rec, "<script>alert", `href="javascript:`, "<img src=x")
		}
		wantNoBody(t, u.login("bob").get("/users/alice"), "javascript:alert", "onerror")
		// The edit form shows the source, escaped.
		wantBody(t, c.get("/settings/profile"), "&lt;script&gt;alert(1)&lt;/script&gt;")
	})
}

func TestAvatarUpload(t *testing.T) {
	testrig.EachDB(t, func(t *testing.T, store *storage.Store) {
		u := newTestUI(t, store, false)
		alice := u.account("alice", model.RoleMember)
		u.account("bob", model.RoleMember)
		c := u.login("alice")

		rec := c.upload("/settings/avatar", nil, "avatar", "a.txt", []byte("this is not an image"))
		wantStatus(t, rec, http.StatusUnprocessableEntity)
		wantBody(t, rec, "Upload a PNG, JPEG or GIF image.", `id="avatar" name="avatar"`, `aria-invalid="true"`,
			`value="alice@example.com"`)
		rec = c.upload("/settings/avatar", url.Values{"csrf": {"forged"}}, "avatar", "a.png", pngImage(t, 40, 30))
		wantStatus(t, rec, http.StatusForbidden)
		big := append(pngImage(t, 8, 8), bytes.Repeat([]byte{0}, 6<<20)...)
		wantStatus(t, c.upload("/settings/avatar", nil, "avatar", "big.png", big), http.StatusRequestEntityTooLarge)
		// A form without the file field is refused like a bad file.
		wantStatus(t, c.post("/settings/avatar", nil), http.StatusUnprocessableEntity)
		if a := reload(t, store, alice); a.AvatarFile != "" {
			t.Fatalf("refused uploads set avatar %q", a.AvatarFile)
		}

		wantRedirect(t, c.upload("/settings/avatar", nil, "avatar", "a.png", pngImage(t, 40, 30)),
			"/settings/profile?notice=avatar_saved")
		file := reload(t, store, alice).AvatarFile
		if file == "" {
			t.Fatal("avatar not saved")
		}
		wantBody(t, c.get("/settings/profile?notice=avatar_saved"), "Your picture is saved.", `src="/avatars/`+file+`"`)
		wantBody(t, u.login("bob").get("/users/alice"), `<img class="avatar big" src="/avatars/`+file+`"`)

		img := u.login("bob").get("/avatars/" + file)
		wantStatus(t, img, http.StatusOK)
		hd := img.Header()
		if hd.Get("Content-Type") != "image/png" || hd.Get("X-Content-Type-Options") != "nosniff" ||
			!strings.HasPrefix(hd.Get("Cache-Control"), "private, max-age=") {
			t.Fatalf("avatar headers: %v", hd)
		}
		cfg, err := png.DecodeConfig(img.Body)
		if err != nil || cfg.Width != 256 || cfg.Height != 256 {
			t.Fatalf("avatar is not a 256×256 PNG: %+v, %v", cfg, err)
		}
		wantRedirect(t, u.anonymous().get("/avatars/"+file), "/login?next="+url.QueryEscape("/avatars/"+file))
	})
}

func TestAvatarPathTraversal(t *testing.T) {
	u := newTestUI(t, testrig.NewStore(t, "sqlite"), false)
	u.account("alice", model.RoleMember)
	c := u.login("alice")
	for _, name := range []string{"01ARZ3NDEKTSV4RRFFQ69G5FAV.png", "passwd", "..", "...png", "..%5Catrium.db",
		"01ARZ3NDEKTSV4RRFFQ69G5FAV.png%00", "01arz3ndektsv4rrffq69g5fav.png", "%2e%2e%5c%2e%2e%5cetc%5cpasswd"} {
		rec := c.get("/avatars/" + name)
		if name == ".." {
			// The router cleans dot segments before any handler runs.
			if rec.Code == http.StatusOK {
				t.Fatalf("%s: served", name)
			}
			continue
		}
		if rec.Code != http.StatusNotFound {
			t.Fatalf("%s: status %d, want 404", name, rec.Code)
		}
	}
	// Slashes never reach the handler as part of the name.
	for _, p := range []string{"/avatars/..%2F..%2Fatrium.db", "/avatars/../../etc/passwd"} {
		if rec := c.get(p); rec.Code == http.StatusOK {
			t.Fatalf("%s: served", p)
		}
	}
}

func TestPasswordChange(t *testing.T) {
	testrig.EachDB(t, func(t *testing.T, store *storage.Store) {
		u := newTestUI(t, store, false)
		ctx := context.Background()
		alice := u.account("alice", model.RoleMember)
		c := u.login("alice")

		rec := c.get("/settings/account")
		wantStatus(t, rec, http.StatusOK)
		wantBody(t, rec, "alice@example.com", "@alice", "Member", `<label for="old_password">`,
			`<label for="new_password">`, `<label for="confirm">`, `aria-current="page">Account`)

		const next = "a much better password"
		refused := []struct {
			name   string
			form   url.Values
			status int
			body   string
		}{
			{"mismatch", url.Values{"old_password": {testrig.Password}, "new_password": {next}, "confirm": {next + "!"}},
				http.StatusUnprocessableEntity, "The two new passwords differ."},
			{"wrong old", url.Values{"old_password": {"wrong password"}, "new_password": {next}, "confirm": {next}},
				http.StatusUnprocessableEntity, "The current password is wrong."},
			{"short", url.Values{"old_password": {testrig.Password}, "new_password": {"short"}, "confirm": {"short"}},
				http.StatusUnprocessableEntity, "at least 10 characters"},
			{"no csrf", url.Values{"old_password": {testrig.Password}, "new_password": {next}, "confirm": {next}, "csrf": {"x"}},
				http.StatusForbidden, "The form expired"},
		}
		for _, tc := range refused {
			rec := c.post("/settings/password", tc.form)
			if rec.Code != tc.status {
				t.Fatalf("%s: status %d, want %d", tc.name, rec.Code, tc.status)
			}
			wantBody(t, rec, tc.body)
			if tc.status == http.StatusUnprocessableEntity {
				wantBody(t, rec, `aria-invalid="true"`)
				wantNoBody(t, rec, testrig.Password, next)
			}
			if reload(t, store, alice).PasswordHash != alice.PasswordHash {
				t.Fatalf("%s: password changed", tc.name)
			}
		}

		wantRedirect(t, c.post("/settings/password", url.Values{"old_password": {testrig.Password}, "new_password": {next}, "confirm": {next}}),
			"/settings/account?notice=password_changed")
		if reload(t, store, alice).PasswordHash == alice.PasswordHash {
			t.Fatal("password not changed")
		}
		if _, err := u.svc.Auth.Login(ctx, "alice", next, "test", "192.0.2.9"); err != nil {
			t.Fatalf("login with the new password: %v", err)
		}
		wantBody(t, c.get("/settings/account?notice=password_changed"), "Your password is changed.")
	})
}

func TestFormsNeedLogin(t *testing.T) {
	u := newTestUI(t, testrig.NewStore(t, "sqlite"), false)
	c := u.anonymous()
	for _, path := range []string{"/users/alice/follow", "/users/alice/unfollow", "/settings/profile", "/settings/avatar",
		"/settings/password", "/settings/tokens", "/settings/tokens/x/revoke", "/admin/users", "/admin/users/x/role",
		"/admin/users/x/active"} {
		wantRedirect(t, c.post(path, url.Values{"csrf": {"x"}}), "/login")
	}
	for _, path := range []string{"/settings/profile", "/settings/account", "/settings/tokens", "/people?q=a"} {
		wantRedirect(t, c.get(path), "/login?next="+url.QueryEscape(path))
	}
}
