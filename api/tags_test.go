package api

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/atrium-intranet/atrium/internal/testrig"
	"github.com/atrium-intranet/atrium/model"
	"github.com/atrium-intranet/atrium/storage"
)

func TestTagEndpointsNeedToken(t *testing.T) {
	testrig.EachDB(t, func(t *testing.T, store *storage.Store) {
		e := newEnv(t, store)
		for _, rq := range []request{
			{method: http.MethodGet, path: "/api/v1/tags/launch"},
			{method: http.MethodPost, path: "/api/v1/tags/launch/follow"},
			{method: http.MethodPost, path: "/api/v1/tags/launch/unfollow"},
			{method: http.MethodGet, path: "/api/v1/followed_tags"},
			{method: http.MethodGet, path: "/api/v1/timelines/tag/launch"},
			{method: http.MethodPost, path: "/api/v1/tags/launch/follow", token: "not-a-token"},
		} {
			w := e.do(rq)
			wantError(t, w, http.StatusUnauthorized)
			if !strings.HasPrefix(w.Header().Get("WWW-Authenticate"), "Bearer") {
				t.Fatalf("%s %s: no Bearer challenge", rq.method, rq.path)
			}
		}
	})
}

func TestTagFollowAPI(t *testing.T) {
	testrig.EachDB(t, func(t *testing.T, store *storage.Store) {
		e := newEnv(t, store)
		alice, token := e.user("alice", model.RoleMember)
		bob, bobToken := e.user("bob", model.RoleMember)
		e.post(bob, "launch day #Launch", model.AudienceCompany)
		e.post(bob, "for followers #launch", model.AudienceFollowers)
		e.post(bob, "no tag", model.AudienceCompany)

		w := e.get(token, "/api/v1/tags/Launch")
		wantStatus(t, w, http.StatusOK)
		tag := decode[TagEntity](t, w)
		if tag.Name != "launch" || tag.URL != testrig.BaseURL+"/tags/launch" || tag.Following || len(tag.History) != 7 {
			t.Fatalf("tag = %+v", tag)
		}
		// Alice sees one of bob's two tagged posts.
		if tag.History[0].Uses != "1" || tag.History[0].Accounts != "1" || tag.History[1].Uses != "0" {
			t.Fatalf("history = %+v", tag.History)
		}
		if day := mustAtoi(t, tag.History[0].Day); day%86400 != 0 || mustAtoi(t, tag.History[1].Day) != day-86400 {
			t.Fatalf("days = %+v", tag.History)
		}

		// The home timeline holds bob's tagged post once alice follows the tag.
		if got := e.timeline(token, "/api/v1/timelines/home"); len(got) != 0 {
			t.Fatalf("home before following = %v", got)
		}
		for i := 0; i < 2; i++ { // following twice is no error
			w = e.postJSON(token, "/api/v1/tags/%23LAUNCH/follow", "")
			wantStatus(t, w, http.StatusOK)
			if tag = decode[TagEntity](t, w); tag.Name != "launch" || !tag.Following {
				t.Fatalf("follow = %+v", tag)
			}
		}
		if got := e.timeline(token, "/api/v1/timelines/home"); strings.Join(got, "|") != "launch day #Launch" {
			t.Fatalf("home after following = %v", got)
		}
		if !decode[TagEntity](t, e.get(token, "/api/v1/tags/launch")).Following {
			t.Fatal("tag not followed")
		}
		if decode[TagEntity](t, e.get(bobToken, "/api/v1/tags/launch")).Following {
			t.Fatal("bob follows the tag")
		}

		w = e.get(token, "/api/v1/followed_tags")
		wantStatus(t, w, http.StatusOK)
		list := decode[[]TagEntity](t, w)
		if len(list) != 1 || list[0].Name != "launch" || !list[0].Following || list[0].History == nil {
			t.Fatalf("followed = %+v", list)
		}
		if list := decode[[]TagEntity](t, e.get(bobToken, "/api/v1/followed_tags")); len(list) != 0 {
			t.Fatalf("bob's followed = %+v", list)
		}

		for i := 0; i < 2; i++ { // unfollowing twice is no error
			w = e.postJSON(token, "/api/v1/tags/launch/unfollow", "")
			wantStatus(t, w, http.StatusOK)
			if tag = decode[TagEntity](t, w); tag.Following {
				t.Fatalf("unfollow = %+v", tag)
			}
		}
		if got := e.timeline(token, "/api/v1/timelines/home"); len(got) != 0 {
			t.Fatalf("home after unfollowing = %v", got)
		}

		// Names no post can carry are refused, and nothing is stored.
		for _, bad := range []string{"123", "a-b", "two%20words", strings.Repeat("x", 65)} {
			wantError(t, e.postJSON(token, "/api/v1/tags/"+bad+"/follow", ""), http.StatusUnprocessableEntity)
			wantError(t, e.get(token, "/api/v1/tags/"+bad), http.StatusUnprocessableEntity)
			wantError(t, e.get(token, "/api/v1/timelines/tag/"+bad), http.StatusUnprocessableEntity)
		}
		if n, err := store.CountFollowedTags(context.Background(), alice.ID); err != nil || n != 0 {
			t.Fatalf("alice follows %d tags, %v", n, err)
		}
	})
}

func TestFollowedTagsLimitAndPages(t *testing.T) {
	testrig.EachDB(t, func(t *testing.T, store *storage.Store) {
		e := newEnv(t, store)
		alice, token := e.user("alice", model.RoleMember)
		ctx := context.Background()
		for i := 0; i < 500; i++ {
			if _, err := store.FollowTag(ctx, alice.ID, fmt.Sprintf("t%03d", i), time.Now()); err != nil {
				t.Fatal(err)
			}
		}
		b := wantError(t, e.postJSON(token, "/api/v1/tags/onemore/follow", ""), http.StatusUnprocessableEntity)
		if b.Details["name"] != "error.tag.limit" {
			t.Fatalf("limit answer = %+v", b)
		}
		// Following one already followed still answers 200.
		wantStatus(t, e.postJSON(token, "/api/v1/tags/t000/follow", ""), http.StatusOK)

		var names []string
		path := "/api/v1/followed_tags?limit=200"
		for pages := 0; path != ""; pages++ {
			if pages > 3 {
				t.Fatal("paging does not end")
			}
			w := e.get(token, path)
			wantStatus(t, w, http.StatusOK)
			for _, tag := range decode[[]TagEntity](t, w) {
				names = append(names, tag.Name)
			}
			path = ""
			if link := w.Header().Get("Link"); link != "" {
				m := nextLink.FindStringSubmatch(link)
				if m == nil || !strings.HasPrefix(m[1], testrig.BaseURL+"/api/v1/followed_tags?") {
					t.Fatalf("Link = %q", link)
				}
				path = strings.TrimPrefix(m[1], testrig.BaseURL)
			}
		}
		if len(names) != 500 || names[0] != "t000" || names[499] != "t499" {
			t.Fatalf("paged %d tags: %v … %v", len(names), names[:1], names[len(names)-1:])
		}
		wantError(t, e.get(token, "/api/v1/followed_tags?after=a-b"), http.StatusUnprocessableEntity)
		wantError(t, e.get(token, "/api/v1/followed_tags?limit=0"), http.StatusUnprocessableEntity)
	})
}

func TestTimelineTag(t *testing.T) {
	testrig.EachDB(t, func(t *testing.T, store *storage.Store) {
		e := newEnv(t, store)
		_, token := e.user("alice", model.RoleMember)
		bob, _ := e.user("bob", model.RoleMember)
		for i := 0; i < 5; i++ {
			e.post(bob, fmt.Sprintf("plan %d #Plan", i), model.AudienceCompany)
		}
		e.post(bob, "hidden #plan", model.AudienceFollowers)
		e.post(bob, "other #planning", model.AudienceCompany)

		var got []string
		path := "/api/v1/timelines/tag/PLAN?limit=2"
		for pages := 0; path != ""; pages++ {
			if pages > 4 {
				t.Fatal("paging does not end")
			}
			w := e.get(token, path)
			wantStatus(t, w, http.StatusOK)
			for _, st := range decode[[]Status](t, w) {
				got = append(got, st.Content)
				if len(st.Tags) != 1 || st.Tags[0].Name != "plan" {
					t.Fatalf("tags of %s = %+v", st.Content, st.Tags)
				}
			}
			path = ""
			if link := w.Header().Get("Link"); link != "" {
				m := nextLink.FindStringSubmatch(link)
				if m == nil || !strings.HasPrefix(m[1], testrig.BaseURL+"/api/v1/timelines/tag/plan?") {
					t.Fatalf("Link = %q", link)
				}
				path = strings.TrimPrefix(m[1], testrig.BaseURL)
			}
		}
		if len(got) != 5 || !strings.Contains(got[0], "plan 4") || !strings.Contains(got[4], "plan 0") {
			t.Fatalf("tag timeline = %v", got)
		}
		wantError(t, e.get(token, "/api/v1/timelines/tag/plan?max_id=nope"), http.StatusUnprocessableEntity)
	})
}

// timeline returns the Markdown-free text of every status of one timeline page.
func (e *env) timeline(token, path string) []string {
	e.t.Helper()
	w := e.get(token, path)
	wantStatus(e.t, w, http.StatusOK)
	out := []string{}
	for _, st := range decode[[]Status](e.t, w) {
		out = append(out, stripTags(st.Content))
	}
	return out
}

// stripTags drops the markup of a status's content.
func stripTags(s string) string {
	var b strings.Builder
	in := false
	for _, r := range s {
		switch {
		case r == '<':
			in = true
		case r == '>':
			in = false
		case !in:
			b.WriteRune(r)
		}
	}
	return b.String()
}

func mustAtoi(t *testing.T, s string) int64 {
	t.Helper()
	var n int64
	if _, err := fmt.Sscan(s, &n); err != nil {
		t.Fatalf("not a number: %q", s)
	}
	return n
}
