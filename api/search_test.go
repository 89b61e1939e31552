package api

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

func TestSearch(t *testing.T) {
	testrig.EachDB(t, func(t *testing.T, store *storage.Store) {
		e := newEnv(t, store)
		alice, token := e.user("alice", model.RoleMember)
		bob, bobToken := e.user("bob", model.RoleMember)
		shown := e.post(bob, "We are running the #roadmap <b>review</b>", model.AudienceCompany)
		hidden := e.post(bob, "running in private", model.AudienceFollowers)
		if _, err := e.svc.Groups.Create(context.Background(), bob, social.GroupInput{Name: "runners", DisplayName: "Runners", Kind: model.GroupOpen}); err != nil {
			t.Fatal(err)
		}

		w := e.get(token, "/api/v2/search?q=run")
		wantStatus(t, w, http.StatusOK)
		res := decode[SearchResults](t, w)
		if len(res.Statuses) != 1 || res.Statuses[0].ID != shown.ID || res.Statuses[0].Account.ID != bob.ID {
			t.Fatalf("statuses %+v", res.Statuses)
		}
		if s := res.Statuses[0].Snippet; !strings.Contains(s, "<mark>running</mark>") || strings.Contains(s, "<b>") {
			t.Errorf("snippet %q", s)
		}
		if len(res.Groups) != 1 || res.Groups[0].Name != "runners" || res.Groups[0].Member {
			t.Errorf("groups %+v", res.Groups)
		}
		if res.Accounts == nil || res.Hashtags == nil {
			t.Errorf("lists must be arrays: %s", w.Body)
		}
		for _, st := range res.Statuses {
			if st.ID == hidden.ID {
				t.Error("followers post found by a non-follower")
			}
		}

		res = decode[SearchResults](t, e.get(bobToken, "/api/v2/search?type=statuses&q=running"))
		if len(res.Statuses) != 2 || len(res.Groups) != 0 {
			t.Errorf("author's statuses: %d, groups %d", len(res.Statuses), len(res.Groups))
		}
		res = decode[SearchResults](t, e.get(token, "/api/v2/search?type=hashtags&q=%23road"))
		if len(res.Hashtags) != 1 || res.Hashtags[0].Name != "roadmap" || res.Hashtags[0].PostsCount != 1 || len(res.Statuses) != 0 {
			t.Errorf("hashtags %+v", res.Hashtags)
		}
		res = decode[SearchResults](t, e.get(token, "/api/v2/search?type=accounts&q=ali"))
		if len(res.Accounts) != 1 || res.Accounts[0].ID != alice.ID {
			t.Errorf("accounts %+v", res.Accounts)
		}
		res = decode[SearchResults](t, e.get(token, "/api/v2/search?type=statuses&q=run&limit=1&offset=1"))
		if len(res.Statuses) != 0 {
			t.Errorf("offset past the only result: %+v", res.Statuses)
		}

		for _, c := range []struct{ query, param string }{
			{"q=", "q"},
			{"q=" + strings.Repeat("x", 201), "q"},
			{"q=x&type=files", "type"},
			{"q=x&offset=-3", "offset"},
			{"q=x&offset=x", "offset"},
			{"q=x&limit=0", "limit"},
		} {
			b := wantError(t, e.get(token, "/api/v2/search?"+c.query), http.StatusUnprocessableEntity)
			if _, ok := b.Details[c.param]; !ok {
				t.Errorf("%s: details %v", c.query, b.Details)
			}
		}
		for _, q := range []string{`"`, `NEAR(a b)`, `-x OR y*`, `a:b`, `'; DROP TABLE posts; --`} {
			wantStatus(t, e.get(token, "/api/v2/search?q="+url.QueryEscape(q)), http.StatusOK)
		}
		wantError(t, e.get("", "/api/v2/search?q=run"), http.StatusUnauthorized)
	})
}
