package ui

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"

	"github.com/atrium-intranet/atrium/config"
	"github.com/atrium-intranet/atrium/internal/testrig"
	"github.com/atrium-intranet/atrium/model"
	"github.com/atrium-intranet/atrium/social"
	"github.com/atrium-intranet/atrium/storage"
)

// cookieOf is the cookie name set by rec, nil if none.
func cookieOf(rec *httptest.ResponseRecorder, name string) *http.Cookie {
	for _, ck := range rec.Result().Cookies() {
		if ck.Name == name {
			return ck
		}
	}
	return nil
}

// wantCookie fails unless ck is set, HttpOnly, on the whole site, with sameSite, and
// Secure exactly when secure.
func wantCookie(t *testing.T, what string, ck *http.Cookie, sameSite http.SameSite, secure bool) {
	t.Helper()
	if ck == nil {
		t.Fatalf("%s: no cookie", what)
	}
	if !ck.HttpOnly || ck.SameSite != sameSite || ck.Secure != secure || ck.Path != "/" {
		t.Errorf("%s: %+v; want HttpOnly, Path=/, SameSite %v, Secure %v", what, ck, sameSite, secure)
	}
}

// TestCookiesOverHTTPS runs a node whose base URL is https: the pre-session CSRF cookie,
// the session cookie set by login and by invitation acceptance, and the cookie cleared at
// logout are all Secure and HttpOnly; logout ends the session on the server.
func TestCookiesOverHTTPS(t *testing.T) {
	testrig.EachDB(t, func(t *testing.T, store *storage.Store) {
		u := newTestUIConfig(t, store, false, func(c *config.Config) { c.BaseURL = "https://atrium.example" })
		ann := u.account("ann", model.RoleAdmin)
		u.account("alice", model.RoleMember)
		c := u.anonymous()

		rec := c.get("/login")
		wantCookie(t, "CSRF cookie", cookieOf(rec, preSessionCookie), http.SameSiteStrictMode, true)
		csrf := c.cookies[preSessionCookie].Value
		rec = c.post("/login", url.Values{"csrf": {csrf}, "username": {"alice"}, "password": {testrig.Password}})
		wantRedirect(t, rec, "/")
		session := cookieOf(rec, sessionCookie)
		wantCookie(t, "session cookie", session, http.SameSiteLaxMode, true)
		wantStatus(t, c.get("/"), http.StatusOK)

		rec = c.post("/logout", url.Values{"csrf": {sessionCSRF(t, u, session.Value)}})
		wantRedirect(t, rec, "/login?notice=logged_out")
		cleared := cookieOf(rec, sessionCookie)
		wantCookie(t, "cleared session cookie", cleared, http.SameSiteLaxMode, true)
		if cleared.MaxAge >= 0 || cleared.Value != "" {
			t.Errorf("logout does not clear the cookie: %+v", cleared)
		}
		// The old cookie, kept by an attacker or a careless browser, opens nothing.
		stale := u.anonymous()
		stale.cookies[sessionCookie] = &http.Cookie{Name: sessionCookie, Value: session.Value}
		wantRedirect(t, stale.get("/"), "/login")

		team := u.group(ann, "team", model.GroupOpen, social.GroupInput{})
		link := u.inviteLink(ann, "carol@partner.example", team)
		guest := u.anonymous()
		csrf = guest.preSessionCSRF(link)
		rec = guest.post(link, url.Values{"csrf": {csrf}, "username": {"carol"}, "display_name": {"Carol"},
			"password": {testrig.Password}, "password2": {testrig.Password}})
		wantStatus(t, rec, http.StatusSeeOther)
		wantCookie(t, "session cookie after sign-up", cookieOf(rec, sessionCookie), http.SameSiteLaxMode, true)
	})
}

// TestLoginRotatesSession checks against session fixation with a live session: an
// attacker's own valid cookie planted in the victim's browser is replaced at login, and
// stays the attacker's session, never the victim's.
func TestLoginRotatesSession(t *testing.T) {
	testrig.EachDB(t, func(t *testing.T, store *storage.Store) {
		u := newTestUI(t, store, false)
		u.account("alice", model.RoleMember)
		u.account("mallory", model.RoleMember)
		planted := u.login("mallory").cookies[sessionCookie].Value

		c := u.anonymous()
		csrf := c.preSessionCSRF("/login")
		c.cookies[sessionCookie] = &http.Cookie{Name: sessionCookie, Value: planted}
		rec := c.post("/login", url.Values{"csrf": {csrf}, "username": {"alice"}, "password": {testrig.Password}})
		wantStatus(t, rec, http.StatusSeeOther)
		got := cookieOf(rec, sessionCookie)
		if got == nil || got.Value == planted {
			t.Fatalf("login kept the planted session: %+v", got)
		}
		_, who, err := u.svc.Auth.Session(context.Background(), planted)
		if err != nil || who.Username != "mallory" {
			t.Fatalf("the planted session now belongs to %v (%v)", who, err)
		}
		// Two logins of the same person get two different secrets.
		again := u.anonymous()
		csrf = again.preSessionCSRF("/login")
		rec = again.post("/login", url.Values{"csrf": {csrf}, "username": {"alice"}, "password": {testrig.Password}})
		if second := cookieOf(rec, sessionCookie); second == nil || second.Value == got.Value {
			t.Fatalf("a second login reused the session secret: %+v", second)
		}
	})
}
