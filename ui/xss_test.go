package ui

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/atrium-intranet/atrium/internal/htmlcheck"
	"github.com/atrium-intranet/atrium/internal/testrig"
	"github.com/atrium-intranet/atrium/model"
)

// xssVectors are known cross-site scripting payloads (after the OWASP filter evasion
// cheat sheet), in HTML and in Markdown.
var xssVectors = []string{
	"<script>alert(1)</script>",
	`<img src=x onerror=alert(1)>`,
	`<svg onload=alert(1)>`,
	`<a href="javascript:alert(1)">x</a>`,
	`<a href="jav&#x61;script:alert(1)">x</a>`,
	`<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>`,
	`<p style="background:url(javascript:alert(1))">x</p>`,
	`<div style="width: expression(alert(1))">x</div>`,
	`<iframe src="https://evil.example"></iframe>`,
	`<object data="x.swf"></object>`,
	`<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>`,
	`"><script>alert(1)</script>`,
	`' onmouseover='alert(1)`,
	"[x](javascript:alert(1))",
	"[x](data:text/html,<script>alert(1)</script>)",
	"![x](javascript:alert(1))",
	"<javascript:alert(1)>",
	"&lt;script&gt;alert(1)&lt;/script&gt;",
	"\u202e<script>alert(1)</script>",
	"<scr<script>ipt>alert(1)</scr</script>ipt>",
}

// TestXSSInLocalContent posts every vector as a post, a comment and profile fields, and
// checks that no page showing them carries executable markup, and that every page has
// the content security policy.
func TestXSSInLocalContent(t *testing.T) {
	u := newTestUI(t, testrig.NewStore(t, "sqlite"), false)
	u.account("alice", model.RoleMember)
	c := u.login("alice")
	for i, v := range xssVectors {
		rec := c.post("/posts", url.Values{"source": {v}, "audience": {"company"}})
		if rec.Code != http.StatusSeeOther && rec.Code != http.StatusFound {
			t.Fatalf("vector %d: post: %d", i, rec.Code)
		}
	}
	joined := strings.Join(xssVectors, "\n")
	rec := c.post("/settings/profile", url.Values{
		"display_name": {xssVectors[1]}, "email": {"alice@example.com"}, "job_title": {xssVectors[11]}, "department": {xssVectors[12]},
		"skills": {strings.Join(xssVectors[:3], ", ") + ", \"><b>x"}, "about": {joined}})
	if rec.Code >= 400 {
		t.Fatalf("profile update: %d %q", rec.Code, regexp.MustCompile(`(?i)(error|alert)[^>]*>[^<]{3,}`).FindAllString(rec.Body.String(), -1))
	}
	for _, path := range []string{"/", "/users/alice", "/settings/profile"} {
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
