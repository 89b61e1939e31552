package ui

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/atrium-intranet/atrium/internal/htmlcheck"
	"github.com/atrium-intranet/atrium/internal/testrig"
	"github.com/atrium-intranet/atrium/model"
	"github.com/atrium-intranet/atrium/social"
)

// TestXSSInLocalContent posts every known XSS vector as a post, a comment, profile fields
// and group fields, and checks that no page showing them carries executable markup, and
// that every page has the content security policy.
func TestXSSInLocalContent(t *testing.T) {
	xssVectors := htmlcheck.XSSVectors()
	u := newTestUI(t, testrig.NewStore(t, "sqlite"), false)
	alice := u.account("alice", model.RoleMember)
	c := u.login("alice")
	for i, v := range xssVectors {
		rec := c.post("/posts", url.Values{"source": {v}, "audience": {"company"}})
		if rec.Code != http.StatusSeeOther && rec.Code != http.StatusFound {
			t.Fatalf("vector %d: post: %d", i, rec.Code)
		}
	}
	parent, err := u.svc.Posts.Create(context.Background(), alice, social.PostInput{Source: "comment here", Audience: model.AudienceCompany})
	if err != nil {
		t.Fatal(err)
	}
	target := parent.ID
	for i, v := range xssVectors {
		rec := c.post("/posts", url.Values{"source": {v}, "audience": {"company"}, "in_reply_to_id": {target}})
		if rec.Code != http.StatusSeeOther && rec.Code != http.StatusFound {
			t.Fatalf("vector %d: comment: %d", i, rec.Code)
		}
	}
	joined := strings.Join(xssVectors, "\n")
	rec := c.post("/settings/profile", url.Values{
		"display_name": {xssVectors[1]}, "email": {"alice@example.com"}, "job_title": {xssVectors[11]}, "department": {xssVectors[12]},
		"skills": {strings.Join(xssVectors[:3], ", ") + ", \"><b>x"}, "about": {joined}})
	if rec.Code >= 400 {
		t.Fatalf("profile update: %d %q", rec.Code, regexp.MustCompile(`(?i)(error|alert)[^>]*>[^<]{3,}`).FindAllString(rec.Body.String(), -1))
	}
	rec = c.post("/groups", url.Values{"name": {"lair"}, "display_name": {xssVectors[11]}, "description": {joined}, "kind": {"open"}})
	if rec.Code != http.StatusSeeOther {
		t.Fatalf("group create: %d", rec.Code)
	}
	rec = c.post("/groups/lair/posts", url.Values{"source": {joined}})
	if rec.Code >= 400 {
		t.Fatalf("group post: %d", rec.Code)
	}
	for _, path := range []string{"/", "/posts/" + target, "/users/alice", "/settings/profile", "/people", "/people?q=alice",
		"/search?q=alert", "/search?q=x&type=people", "/groups", "/groups/lair", "/groups/lair/members", "/groups/lair/settings"} {
		rec := c.get(path)
		wantStatus(t, rec, http.StatusOK)
		if bad := htmlcheck.Page(rec.Body.String()); len(bad) > 0 {
			t.Errorf("%s has active markup: %q", path, bad)
		}
		if csp := rec.Header().Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self'") {
			t.Errorf("%s: CSP %q", path, csp)
		}
	}
}
