package ui

import (
	"net/http"
	"net/url"
	"strconv"
	"testing"

	"github.com/atrium-intranet/atrium/internal/testrig"
	"github.com/atrium-intranet/atrium/model"
	"github.com/atrium-intranet/atrium/social"
	"github.com/atrium-intranet/atrium/storage"
)

// TestPostingRateLimited writes through the forms past a small per-account budget: posts
// and comments share one bucket, reactions have their own; each refusal is a 429 with
// Retry-After that stores nothing.
func TestPostingRateLimited(t *testing.T) {
	testrig.EachDB(t, func(t *testing.T, store *storage.Store) {
		clock := testrig.NewClock()
		u := newTestUIWith(t, store, func(d *social.Deps) { d.Now, d.PostRate, d.PostBurst = clock.Now, 30, 2 })
		alice := u.account("alice", model.RoleMember)
		c := u.login("alice")
		wantStatus(t, c.post("/posts", url.Values{"source": {"first"}, "audience": {"company"}}), http.StatusSeeOther)
		feed, err := u.svc.Posts.Feed(t.Context(), alice, social.FeedQuery{})
		if err != nil {
			t.Fatal(err)
		}
		id := feed.Posts[0].Post.ID
		wantStatus(t, c.post("/posts", url.Values{"source": {"a comment"}, "in_reply_to_id": {id}}), http.StatusSeeOther)
		wantRetry := func(what string, code int, retry string) {
			t.Helper()
			if code != http.StatusTooManyRequests {
				t.Fatalf("%s: %d, want 429", what, code)
			}
			if s, err := strconv.Atoi(retry); err != nil || s < 1 || s > 2 {
				t.Fatalf("%s: Retry-After %q, want 1 or 2 seconds at 30/min", what, retry)
			}
		}
		rec := c.post("/posts", url.Values{"source": {"one too many"}, "audience": {"company"}})
		wantRetry("third post", rec.Code, rec.Header().Get("Retry-After"))
		rec = c.post("/posts", url.Values{"source": {"a comment too many"}, "in_reply_to_id": {id}})
		wantRetry("comment", rec.Code, rec.Header().Get("Retry-After"))
		if n, err := store.DB().NewSelect().TableExpr("posts").Where("account_id = ?", alice.ID).Count(t.Context()); err != nil || n != 2 {
			t.Fatalf("%d posts and comments after the refusals (%v), want the 2 allowed", n, err)
		}
		for _, r := range []string{"like:on", "like:off"} {
			wantStatus(t, c.post("/posts/"+id+"/react", url.Values{"reaction": {r}}), http.StatusSeeOther)
		}
		rec = c.post("/posts/"+id+"/react", url.Values{"reaction": {"like:on"}})
		wantRetry("reaction", rec.Code, rec.Header().Get("Retry-After"))
		if n, err := store.DB().NewSelect().TableExpr("reactions").Count(t.Context()); err != nil || n != 0 {
			t.Fatalf("%d reactions after the refusal (%v)", n, err)
		}
	})
}
