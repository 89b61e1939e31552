package ui

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/atrium-intranet/atrium/internal/testrig"
	"github.com/atrium-intranet/atrium/model"
	"github.com/atrium-intranet/atrium/social"
	"github.com/atrium-intranet/atrium/storage"
)

func TestSearchPage(t *testing.T) {
	testrig.EachDB(t, func(t *testing.T, store *storage.Store) {
		u := newTestUI(t, store, false)
		ctx := context.Background()
		alice := u.account("alice", model.RoleMember)
		bob := u.account("bob", model.RoleMember)
		setProfile(t, u, alice, social.ProfileInput{DisplayName: "Alice Häuser", JobTitle: "Architect"})
		if _, err := u.svc.Posts.Create(ctx, alice, social.PostInput{Source: "Die neuen Häuser am See: `<script>alert(1)</script>` #bauplan", Audience: model.AudienceCompany}); err != nil {
			t.Fatal(err)
		}
		secret, err := u.svc.Posts.Create(ctx, alice, social.PostInput{Source: "Private Häuser für Freunde", Audience: model.AudienceFollowers})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := u.svc.Groups.Create(ctx, alice, social.GroupInput{Name: "hausbau", DisplayName: "Hausbau", Kind: model.GroupOpen}); err != nil {
			t.Fatal(err)
		}
		c := u.login("bob")

		// The header of every page has the search box.
		wantBody(t, c.get("/"), `action="/search"`, `name="q"`)
		rec := c.get("/search")
		wantStatus(t, rec, http.StatusOK)
		wantBody(t, rec, `id="search-q"`, `<option value="posts">`)
		wantNoBody(t, rec, "Nothing found")

		rec = c.get("/search?q=haus")
		wantStatus(t, rec, http.StatusOK)
		wantBody(t, rec,
			`Die neuen <mark>Häuser</mark> am See: &lt;script&gt;alert(1)&lt;/script&gt;`, // escaped, marked
			`href="/users/alice">Alice Häuser</a>`,                                        // person by name prefix
			`href="/groups/hausbau">Hausbau</a>`,                                          // group by name prefix
			`aria-current="page">Everything`)
		wantNoBody(t, rec, "<script>alert", "Private", "/posts/"+secret.ID)

		rec = c.get("/search?q=" + url.QueryEscape("#bauplan") + "&type=tags")
		wantBody(t, rec, `href="/tags/bauplan">#bauplan</a>`, "1 posts")
		wantNoBody(t, rec, "<mark>") // the tags tab shows no posts

		// Hostile and wrong input: form errors, never a server error.
		for _, q := range []string{`"NEAR(`, `*`, `a:b -c`, `'; DROP TABLE posts; --`} {
			wantStatus(t, c.get("/search?q="+url.QueryEscape(q)), http.StatusOK)
		}
		rec = c.get("/search?q=+")
		wantStatus(t, rec, http.StatusUnprocessableEntity)
		wantBody(t, rec, "Type something to search for.", `aria-invalid="true"`)
		wantStatus(t, c.get("/search?q="+strings.Repeat("x", 201)), http.StatusUnprocessableEntity)
		wantStatus(t, c.get("/search?q=x&type=files"), http.StatusUnprocessableEntity)
		wantStatus(t, c.get("/search?q=x&type=posts&offset=abc"), http.StatusUnprocessableEntity)

		// The follower sees the followers post; German messages for German browsers.
		if err := u.svc.Follows.Follow(ctx, bob, alice.ID); err != nil {
			t.Fatal(err)
		}
		req, _ := http.NewRequest(http.MethodGet, "/search?q=h%C3%A4user&type=posts", nil)
		req.Header.Set("Accept-Language", "de")
		rec = c.do(req)
		wantBody(t, rec, "Private <mark>Häuser</mark> für Freunde", "Beiträge und Kommentare")

		wantRedirect(t, u.anonymous().get("/search?q=haus"), "/login?next=%2Fsearch%3Fq%3Dhaus")
	})
}

func TestSearchPaging(t *testing.T) {
	testrig.EachDB(t, func(t *testing.T, store *storage.Store) {
		u := newTestUI(t, store, false)
		alice := u.account("alice", model.RoleMember)
		for i := 0; i < 25; i++ {
			if _, err := u.svc.Posts.Create(context.Background(), alice, social.PostInput{Source: "weekly report", Audience: model.AudienceSite}); err != nil {
				t.Fatal(err)
			}
		}
		c := u.login("alice")
		rec := c.get("/search?q=report")
		wantBody(t, rec, `href="/search?q=report&amp;type=posts">Show more</a>`)
		rec = c.get("/search?q=report&type=posts")
		wantBody(t, rec, `href="/search?offset=20&amp;q=report&amp;type=posts" rel="next"`)
		wantNoBody(t, rec, `rel="prev"`)
		rec = c.get("/search?q=report&type=posts&offset=20")
		wantBody(t, rec, `href="/search?q=report&amp;type=posts" rel="prev"`)
		wantNoBody(t, rec, `rel="next"`)
		if n := strings.Count(rec.Body.String(), `class="post search-hit"`); n != 5 {
			t.Errorf("last page has %d posts", n)
		}
	})
}
