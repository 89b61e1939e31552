package ui

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/atrium-intranet/atrium/internal/testrig"
	"github.com/atrium-intranet/atrium/model"
)

// TestCSRFTokens checks that a form without the session's own token changes nothing.
func TestCSRFTokens(t *testing.T) {
	u := newTestUI(t, testrig.NewStore(t, "sqlite"), false)
	alice := u.account("alice", model.RoleMember)
	u.account("bob", model.RoleMember)
	c := u.login("alice")
	other := u.login("bob")
	for name, token := range map[string]string{
		"missing":             "",
		"wrong":               "not-the-token",
		"another session's":   other.csrf,
		"truncated":           c.csrf[:len(c.csrf)-1],
		"own with extra tail": c.csrf + "x",
	} {
		form := url.Values{"source": {"forged " + name}, "audience": {"company"}, "csrf": {token}}
		wantStatus(t, c.post("/posts", form), http.StatusForbidden)
	}
	if n := feedCount(t, u, alice); n != 0 {
		t.Fatalf("%d posts after refused forms", n)
	}
	// The real token works, so the refusals above were about the token.
	if rec := c.post("/posts", url.Values{"source": {"real"}, "audience": {"company"}}); rec.Code >= 400 {
		t.Fatalf("own token refused: %d", rec.Code)
	}
}

// TestLoginIssuesNewSession checks against session fixation: a session cookie planted
// before login is replaced by a new one.
func TestLoginIssuesNewSession(t *testing.T) {
	u := newTestUI(t, testrig.NewStore(t, "sqlite"), false)
	u.account("alice", model.RoleMember)
	c := u.anonymous()
	const planted = "planted-by-an-attacker-0123456789abcdef"
	c.cookies[sessionCookie] = &http.Cookie{Name: sessionCookie, Value: planted}
	csrf := c.preSessionCSRF("/login")
	rec := c.post("/login", url.Values{"csrf": {csrf}, "username": {"alice"}, "password": {testrig.Password}})
	if rec.Code != http.StatusSeeOther && rec.Code != http.StatusFound {
		t.Fatalf("login: %d", rec.Code)
	}
	var got *http.Cookie
	for _, ck := range rec.Result().Cookies() {
		if ck.Name == sessionCookie {
			got = ck
		}
	}
	if got == nil || got.Value == planted || got.Value == "" {
		t.Fatalf("login kept or set no session cookie: %+v", got)
	}
}
