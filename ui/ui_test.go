package ui

import (
	"encoding/json"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/atrium-intranet/atrium/internal/testrig"
	"github.com/atrium-intranet/atrium/model"
)

func TestSecurityHeaders(t *testing.T) {
	u := newTestUI(t, testrig.NewStore(t, "sqlite"), false)
	for _, path := range []string{"/login", "/nowhere"} {
		rec := u.anonymous().get(path)
		for _, h := range []string{"Content-Security-Policy", "X-Content-Type-Options", "X-Frame-Options", "Referrer-Policy"} {
			if rec.Header().Get(h) == "" {
				t.Errorf("%s: no %s header", path, h)
			}
		}
	}
}

func TestStaticAssets(t *testing.T) {
	u := newTestUI(t, testrig.NewStore(t, "sqlite"), false)
	c := u.anonymous()
	page := c.get("/login").Body.String()
	m := regexp.MustCompile(`href="(/static/[0-9a-f]+/app\.css)"`).FindStringSubmatch(page)
	if m == nil {
		t.Fatal("login page links no hashed stylesheet")
	}
	rec := c.get(m[1])
	wantStatus(t, rec, http.StatusOK)
	if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "text/css") {
		t.Errorf("Content-Type %q", ct)
	}
	if !strings.Contains(rec.Header().Get("Cache-Control"), "immutable") {
		t.Error("hashed asset is not cached for long")
	}
	wantStatus(t, c.get("/static/000000000000/app.css"), http.StatusNotFound)
	if rec := c.get("/static/x/../../go.mod"); rec.Code == http.StatusOK || strings.Contains(rec.Body.String(), "module") {
		t.Errorf("path traversal under /static: %d", rec.Code)
	}
	// No page pulls anything from another origin.
	if strings.Contains(page, "https://") || strings.Contains(page, "http://") {
		t.Error("the login page references an external URL")
	}
}

func TestBadRequests(t *testing.T) {
	u := newTestUI(t, testrig.NewStore(t, "sqlite"), false)
	alice := u.account("alice", model.RoleMember)
	c := u.login("alice")
	wantStatus(t, c.get("/no/such/page"), http.StatusNotFound)
	wantStatus(t, u.anonymous().get("/no/such/page"), http.StatusNotFound)
	wantStatus(t, c.do(httptest.NewRequest(http.MethodDelete, "/", nil)), http.StatusMethodNotAllowed)

	big := c.post("/posts", url.Values{"source": {strings.Repeat("x", 2<<20)}, "audience": {"company"}})
	wantStatus(t, big, http.StatusRequestEntityTooLarge)
	wantBody(t, big, "too large")

	// A form posted from another origin is refused even with a valid token.
	req := httptest.NewRequest(http.MethodPost, "/posts", strings.NewReader(url.Values{
		"source": {"cross"}, "audience": {"company"}, "csrf": {c.csrf}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	wantStatus(t, c.do(req), http.StatusForbidden)
	if n := feedCount(t, u, alice); n != 0 {
		t.Fatalf("%d posts after refused requests", n)
	}
}

func TestLanguage(t *testing.T) {
	u := newTestUI(t, testrig.NewStore(t, "sqlite"), false)
	req := httptest.NewRequest(http.MethodGet, "/login", nil)
	req.Header.Set("Accept-Language", "de-DE,de;q=0.9,en;q=0.5")
	rec := u.anonymous().do(req)
	wantBody(t, rec, `<html lang="de">`, "Benutzername")
	wantBody(t, u.anonymous().get("/login"), `<html lang="en">`, "Username")
}

// TestCatalogs checks that both languages have the same messages and that every key the
// templates and the rules use exists.
func TestCatalogs(t *testing.T) {
	cat, err := loadCatalogs()
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range languages {
		for _, b := range languages {
			for k := range cat[a] {
				if _, ok := cat[b][k]; !ok {
					t.Errorf("%q is in %s but not in %s", k, a, b)
				}
			}
		}
	}
	used := map[string]string{}
	literal := regexp.MustCompile(`\bt "([a-z_.]+)"`)
	_ = fs.WalkDir(templateFS, "templates", func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			b, _ := templateFS.ReadFile(p)
			for _, m := range literal.FindAllStringSubmatch(string(b), -1) {
				used[m[1]] = p
			}
		}
		return nil
	})
	keyed := regexp.MustCompile(`"((?:error|notice|title)\.[a-z_.]+)"`)
	for _, dir := range []string{".", "../social"} {
		files, _ := filepath.Glob(filepath.Join(dir, "*.go"))
		for _, f := range files {
			if strings.HasSuffix(f, "_test.go") {
				continue
			}
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			for _, m := range keyed.FindAllStringSubmatch(string(b), -1) {
				used[m[1]] = f
			}
		}
	}
	for _, k := range []string{"audience.site", "audience.company", "audience.followers"} {
		used[k] = "model"
	}
	for _, r := range model.ReactionKinds {
		used["reaction."+r.Kind] = "model"
	}
	for k, where := range used {
		if !cat.has(k) {
			t.Errorf("message %q (used in %s) is missing", k, where)
		}
	}
	if len(used) < 50 {
		t.Fatalf("found only %d used keys; the scan is broken", len(used))
	}
	// Catalog files are valid JSON objects of strings.
	files, _ := fs.Glob(localeFS, "locales/*.json")
	for _, f := range files {
		b, _ := localeFS.ReadFile(f)
		var m map[string]string
		if err := json.Unmarshal(b, &m); err != nil {
			t.Errorf("%s: %v", f, err)
		}
	}
}
