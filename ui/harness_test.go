package ui

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/atrium-intranet/atrium/config"
	"github.com/atrium-intranet/atrium/internal/testrig"
	"github.com/atrium-intranet/atrium/model"
	"github.com/atrium-intranet/atrium/social"
	"github.com/atrium-intranet/atrium/storage"
)

// testUI is a web UI over a migrated test database.
type testUI struct {
	t       *testing.T
	store   *storage.Store
	svc     *social.Service
	handler http.Handler
	setup   *SetupLink
}

// newTestUI builds the UI over store; withSetup also gives it a first-admin link.
func newTestUI(t *testing.T, store *storage.Store, withSetup bool) *testUI {
	t.Helper()
	return newTestUIConfig(t, store, withSetup, nil)
}

// newTestUIConfig is newTestUI with the configuration changed by edit (nil for none).
func newTestUIConfig(t *testing.T, store *storage.Store, withSetup bool, edit func(*config.Config)) *testUI {
	t.Helper()
	cfg := config.Default()
	cfg.BaseURL = testrig.BaseURL
	cfg.SiteName = "Berlin"
	if edit != nil {
		edit(&cfg)
	}
	deps := testrig.SocialDeps(t, store)
	cfg.DataDir = deps.DataDir
	svc := social.New(deps)
	u := &testUI{t: t, store: store, svc: svc}
	if withSetup {
		link, err := NewSetupLink()
		if err != nil {
			t.Fatal(err)
		}
		u.setup = link
	}
	h, err := New(Options{Config: cfg, Social: svc, Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Setup: u.setup})
	if err != nil {
		t.Fatalf("build UI: %v", err)
	}
	u.handler = h
	return u
}

// account creates a local account with the fixture password.
func (u *testUI) account(username string, role model.Role) *model.Account {
	return testrig.CreateAccount(u.t, u.svc, username, role)
}

// client is a browser: it keeps cookies and knows its CSRF token.
type client struct {
	u       *testUI
	cookies map[string]*http.Cookie
	csrf    string
}

// anonymous is a browser without a session.
func (u *testUI) anonymous() *client { return &client{u: u, cookies: map[string]*http.Cookie{}} }

// login opens a session for username the way the login form does.
func (u *testUI) login(username string) *client {
	u.t.Helper()
	secret, err := u.svc.Auth.Login(context.Background(), username, testrig.Password, "test", "192.0.2.1")
	if err != nil {
		u.t.Fatalf("login %s: %v", username, err)
	}
	sess, _, err := u.svc.Auth.Session(context.Background(), secret)
	if err != nil {
		u.t.Fatal(err)
	}
	c := u.anonymous()
	c.cookies[sessionCookie] = &http.Cookie{Name: sessionCookie, Value: secret}
	c.csrf = sess.CSRFToken
	return c
}

func (c *client) do(req *http.Request) *httptest.ResponseRecorder {
	for _, ck := range c.cookies {
		req.AddCookie(ck)
	}
	req.RemoteAddr = "192.0.2.1:1234"
	rec := httptest.NewRecorder()
	c.u.handler.ServeHTTP(rec, req)
	for _, ck := range rec.Result().Cookies() {
		if ck.MaxAge < 0 {
			delete(c.cookies, ck.Name)
		} else {
			c.cookies[ck.Name] = ck
		}
	}
	return rec
}

// get fetches path.
func (c *client) get(path string) *httptest.ResponseRecorder {
	return c.do(httptest.NewRequest(http.MethodGet, path, nil))
}

// post submits form to path, adding the session's CSRF token unless form has one.
func (c *client) post(path string, form url.Values) *httptest.ResponseRecorder {
	if form == nil {
		form = url.Values{}
	}
	if _, ok := form["csrf"]; !ok && c.csrf != "" {
		form.Set("csrf", c.csrf)
	}
	req := httptest.NewRequest(http.MethodPost, path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return c.do(req)
}

// upload submits a multipart form with one file field.
func (c *client) upload(path string, fields url.Values, fileField, fileName string, content []byte) *httptest.ResponseRecorder {
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	if fields == nil {
		fields = url.Values{}
	}
	if _, ok := fields["csrf"]; !ok {
		fields.Set("csrf", c.csrf)
	}
	for k, vs := range fields {
		for _, v := range vs {
			_ = mw.WriteField(k, v)
		}
	}
	fw, err := mw.CreateFormFile(fileField, fileName)
	if err != nil {
		c.u.t.Fatal(err)
	}
	_, _ = fw.Write(content)
	_ = mw.Close()
	req := httptest.NewRequest(http.MethodPost, path, &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return c.do(req)
}

// preSessionCSRF fetches path and returns the double-submit token its form carries.
func (c *client) preSessionCSRF(path string) string {
	c.u.t.Helper()
	rec := c.get(path)
	ck, ok := c.cookies[preSessionCookie]
	if !ok {
		c.u.t.Fatalf("GET %s set no %s cookie (status %d)", path, preSessionCookie, rec.Code)
	}
	if !strings.Contains(rec.Body.String(), `name="csrf" value="`+ck.Value+`"`) {
		c.u.t.Fatalf("GET %s: form does not carry the CSRF token", path)
	}
	return ck.Value
}

// wantStatus fails the test when rec has another status.
func wantStatus(t *testing.T, rec *httptest.ResponseRecorder, want int) {
	t.Helper()
	if rec.Code != want {
		t.Fatalf("status %d, want %d; body:\n%s", rec.Code, want, truncateBody(rec.Body.String()))
	}
}

// wantRedirect fails the test unless rec is a 303 to location.
func wantRedirect(t *testing.T, rec *httptest.ResponseRecorder, location string) {
	t.Helper()
	wantStatus(t, rec, http.StatusSeeOther)
	if got := rec.Header().Get("Location"); got != location {
		t.Fatalf("redirect to %q, want %q", got, location)
	}
}

// wantBody fails the test unless the body contains every snippet.
func wantBody(t *testing.T, rec *httptest.ResponseRecorder, snippets ...string) {
	t.Helper()
	for _, s := range snippets {
		if !strings.Contains(rec.Body.String(), s) {
			t.Fatalf("body lacks %q:\n%s", s, truncateBody(rec.Body.String()))
		}
	}
}

// wantNoBody fails the test if the body contains any snippet.
func wantNoBody(t *testing.T, rec *httptest.ResponseRecorder, snippets ...string) {
	t.Helper()
	for _, s := range snippets {
		if strings.Contains(rec.Body.String(), s) {
			t.Fatalf("body contains %q:\n%s", s, truncateBody(rec.Body.String()))
		}
	}
}

func truncateBody(s string) string {
	if len(s) > 4000 {
		return s[:4000] + "…"
	}
	return s
}
