package api

import (
	"context"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/atrium-intranet/atrium/internal/testrig"
	"github.com/atrium-intranet/atrium/model"
	"github.com/atrium-intranet/atrium/social"
	"github.com/atrium-intranet/atrium/storage"
)

var nextLink = regexp.MustCompile(`^<([^>]+)>; rel="next"$`)

// nextPage returns the path and query of the Link rel="next" target, or "" without one.
func nextPage(t *testing.T, header http.Header) string {
	t.Helper()
	link := header.Get("Link")
	if link == "" {
		return ""
	}
	m := nextLink.FindStringSubmatch(link)
	if m == nil || !strings.HasPrefix(m[1], testrig.BaseURL+"/api/v1/timelines/home?") {
		t.Fatalf("Link = %q", link)
	}
	return strings.TrimPrefix(m[1], testrig.BaseURL)
}

func TestTimelineHomePages(t *testing.T) {
	testrig.EachDB(t, func(t *testing.T, store *storage.Store) {
		e := newEnv(t, store)
		alice, token := e.user("alice", model.RoleMember)
		bob, _ := e.user("bob", model.RoleMember)
		carol, _ := e.user("carol", model.RoleMember)
		e.follow(alice, bob)

		want := map[string]bool{}
		for i := 0; i < 4; i++ {
			want[e.post(alice, fmt.Sprintf("alice %d", i), model.AudienceCompany).ID] = true
			e.post(carol, fmt.Sprintf("carol %d, not followed", i), model.AudienceCompany)
			audience := model.AudienceCompany
			if i%2 == 1 {
				audience = model.AudienceFollowers
			}
			bp := e.post(bob, fmt.Sprintf("bob %d", i), audience)
			if i < 3 {
				want[bp.ID] = true
			} else {
				// deleted posts leave the timeline
				if err := e.svc.Posts.Delete(context.Background(), bob, bp.ID); err != nil {
					t.Fatal(err)
				}
			}
		}
		parent := e.post(carol, "carol asks", model.AudienceCompany)
		if _, err := e.svc.Posts.Create(context.Background(), bob, social.PostInput{Source: "bob answers", InReplyToID: parent.ID}); err != nil {
			t.Fatal(err)
		}
		if len(want) != 7 {
			t.Fatalf("fixture has %d posts", len(want))
		}

		seen := map[string]bool{}
		var sizes []int
		last := ""
		path := "/api/v1/timelines/home?limit=3"
		for pages := 0; path != ""; pages++ {
			if pages > 5 {
				t.Fatal("pagination does not end")
			}
			w := e.get(token, path)
			wantStatus(t, w, http.StatusOK)
			statuses := decode[[]Status](t, w)
			sizes = append(sizes, len(statuses))
			for _, st := range statuses {
				if seen[st.ID] {
					t.Errorf("status %s on two pages", st.ID)
				}
				if last != "" && st.ID >= last {
					t.Errorf("status %s after %s: not newest first", st.ID, last)
				}
				seen[st.ID], last = true, st.ID
				if !want[st.ID] {
					t.Errorf("unexpected status %s: %q by %s", st.ID, st.Content, st.Account.Username)
				}
				if st.Account.ID == "" || st.MediaAttachments == nil || st.Mentions == nil || st.Tags == nil {
					t.Errorf("incomplete status %+v", st)
				}
			}
			path = nextPage(t, w.Header())
			if path != "" && !strings.Contains(path, "max_id="+last) {
				t.Errorf("next page %q does not continue after %s", path, last)
			}
		}
		if fmt.Sprint(sizes) != "[3 3 1]" {
			t.Errorf("page sizes %v, want [3 3 1]", sizes)
		}
		if len(seen) != len(want) {
			t.Errorf("saw %d statuses, want %d", len(seen), len(want))
		}

		t.Run("exact last page has no next link", func(t *testing.T) {
			w := e.get(token, "/api/v1/timelines/home?limit=7")
			wantStatus(t, w, http.StatusOK)
			if n := len(decode[[]Status](t, w)); n != 7 {
				t.Errorf("%d statuses", n)
			}
			if link := w.Header().Get("Link"); link != "" {
				t.Errorf("Link = %q on the last page", link)
			}
		})
		t.Run("max_id below everything", func(t *testing.T) {
			w := e.get(token, "/api/v1/timelines/home?max_id=00000000000000000000000000")
			wantStatus(t, w, http.StatusOK)
			if body := strings.TrimSpace(w.Body.String()); body != "[]" {
				t.Errorf("body = %s, want []", body)
			}
		})
	})
}

func TestTimelineHomeLimits(t *testing.T) {
	testrig.EachDB(t, func(t *testing.T, store *storage.Store) {
		e := newEnv(t, store)
		alice, token := e.user("alice", model.RoleMember)
		for i := 0; i < 45; i++ {
			e.post(alice, fmt.Sprintf("post %d", i), model.AudienceCompany)
		}
		cases := []struct {
			query    string
			want     int
			wantNext bool
		}{
			{"", 20, true},
			{"?limit=5", 5, true},
			{"?limit=40", 40, true},
			{"?limit=100", 40, true},
			{"?limit=45", 40, true},
		}
		for _, c := range cases {
			t.Run("limit "+c.query, func(t *testing.T) {
				w := e.get(token, "/api/v1/timelines/home"+c.query)
				wantStatus(t, w, http.StatusOK)
				if n := len(decode[[]Status](t, w)); n != c.want {
					t.Errorf("%d statuses, want %d", n, c.want)
				}
				if got := nextPage(t, w.Header()) != ""; got != c.wantNext {
					t.Errorf("next link %v, want %v", got, c.wantNext)
				}
			})
		}
		invalid := []struct{ query, field string }{
			{"?limit=0", "limit"},
			{"?limit=-3", "limit"},
			{"?limit=many", "limit"},
			{"?max_id=not-an-id", "max_id"},
		}
		for _, c := range invalid {
			t.Run("invalid "+c.query, func(t *testing.T) {
				b := wantError(t, e.get(token, "/api/v1/timelines/home"+c.query), http.StatusUnprocessableEntity)
				if _, ok := b.Details[c.field]; !ok {
					t.Errorf("details = %v, want key %s", b.Details, c.field)
				}
			})
		}
	})
}
