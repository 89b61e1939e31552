package storage_test

import (
	"strings"
	"testing"
	"time"

	"github.com/atrium-intranet/atrium/internal/testrig"
	"github.com/atrium-intranet/atrium/model"
	"github.com/atrium-intranet/atrium/storage"
)

// TestSearchFollowsVisibilityChanges changes, one at a time, everything the feed's rule
// reads about a thread (a root's state, audience, author and group, memberships, roles,
// follows, guest scope, deletions) and checks after each change that every viewer finds
// by search exactly the posts and comments VisiblePost shows them. Search reads copies
// of the root's columns kept beside the index, VisiblePost the posts themselves: a change
// the copy misses shows up as a difference. Some steps also spell out the expected
// outcome, so that a change that shows nothing to anybody cannot pass unnoticed.
func TestSearchFollowsVisibilityChanges(t *testing.T) {
	testrig.EachDB(t, func(t *testing.T, s *storage.Store) {
		author, mod, member, fan, outsider, guest := local(t, s, "author"), local(t, s, "mod"), local(t, s, "member"),
			local(t, s, "fan"), local(t, s, "outsider"), local(t, s, "guest")
		g := group(t, s, "premod", model.GroupClosed)
		other := group(t, s, "other", model.GroupClosed)
		join(t, s, g, author, model.GroupMember, model.MemberActive)
		join(t, s, g, mod, model.GroupModerator, model.MemberActive)
		join(t, s, g, member, model.GroupMember, model.MemberActive)
		join(t, s, g, guest, model.GroupMember, model.MemberActive)
		join(t, s, other, outsider, model.GroupMember, model.MemberActive)
		follow(t, s, fan, author, true)

		// Each post is found by a word of its own.
		word := map[string]string{} // post id -> word
		withWord := func(p *model.Post, w string) *model.Post {
			p.HTML = "<p>" + w + "</p>"
			if err := s.InTx(ctx, func(tx *storage.Store) error {
				return tx.UpdatePostContent(ctx, p, &model.PostEdit{ID: newID(t0), PostID: p.ID, Source: "s", HTML: "h", EditedAt: t0}, nil, nil)
			}); err != nil {
				t.Fatal(err)
			}
			word[p.ID] = w
			return p
		}
		pending := withWord(groupPost(t, s, g, author, model.PostPending, t0), "pendingword")
		pendingComment := withWord(post(t, s, mod, model.AudienceGroup, t0.Add(time.Second), pending), "pendingcomment")
		site := withWord(post(t, s, author, model.AudienceSite, t0.Add(2*time.Second), nil), "siteword")
		siteComment := withWord(post(t, s, member, "", t0.Add(3*time.Second), site), "sitecomment")
		followers := withWord(post(t, s, author, model.AudienceFollowers, t0.Add(4*time.Second), nil), "followersword")

		type viewer struct {
			name string
			v    storage.Viewer
		}
		viewers := []viewer{
			{"author", storage.Viewer{AccountID: author.ID}}, {"mod", storage.Viewer{AccountID: mod.ID}},
			{"member", storage.Viewer{AccountID: member.ID}}, {"fan", storage.Viewer{AccountID: fan.ID}},
			{"outsider", storage.Viewer{AccountID: outsider.ID}}, {"guest", storage.Viewer{AccountID: guest.ID, Guest: true}},
		}
		byName := map[string]storage.Viewer{}
		for _, v := range viewers {
			byName[v.name] = v.v
		}
		// finds reports whether the viewer finds the post by its word.
		finds := func(v storage.Viewer, id string) bool {
			for _, got := range found(t, s, v, word[id]) {
				if got == id {
					return true
				}
			}
			return false
		}
		// agree checks search against VisiblePost for every viewer and live post.
		agree := func(step string) {
			t.Helper()
			for id := range word {
				if _, err := s.Post(ctx, id); err != nil {
					if n := count(t, s, "post_search", "post_id = ?", id); n != 0 {
						t.Errorf("%s: deleted post %s keeps %d search rows", step, word[id], n)
					}
					continue
				}
				for _, v := range viewers {
					_, err := s.VisiblePost(ctx, v.v, id)
					if canView, found := err == nil, finds(v.v, id); canView != found {
						t.Errorf("%s: %s may see %s: %v, finds it: %v", step, v.name, word[id], canView, found)
					}
				}
			}
		}
		expect := func(step, who string, p *model.Post, want bool) {
			t.Helper()
			if got := finds(byName[who], p.ID); got != want {
				t.Errorf("%s: %s finds %s: %v, want %v", step, who, word[p.ID], got, want)
			}
		}
		exec := func(query string, args ...any) {
			t.Helper()
			if _, err := s.DB().ExecContext(ctx, query, args...); err != nil {
				t.Fatalf("%s: %v", query, err)
			}
		}

		steps := []struct {
			name   string
			change func()
			check  func(step string)
		}{
			{"start", func() {}, func(step string) {
				expect(step, "member", pending, false)
				expect(step, "mod", pendingComment, true)
				expect(step, "outsider", site, true)
			}},
			{"approval", func() {
				if err := s.SetPostState(ctx, pending.ID, model.PostPublished); err != nil {
					t.Fatal(err)
				}
			}, func(step string) {
				expect(step, "member", pending, true)
				expect(step, "guest", pendingComment, true)
			}},
			{"back to pending (moderation)", func() {
				if err := s.SetPostState(ctx, pending.ID, model.PostPending); err != nil {
					t.Fatal(err)
				}
			}, func(step string) {
				expect(step, "member", pendingComment, false)
			}},
			{"member promoted to moderator", func() {
				join(t, s, g, member, model.GroupModerator, model.MemberActive)
			}, func(step string) { expect(step, "member", pending, true) }},
			{"guest leaves the group (guest scope)", func() {
				if err := s.DeleteMembership(ctx, g.ID, guest.ID); err != nil {
					t.Fatal(err)
				}
			}, func(step string) { expect(step, "guest", pending, false) }},
			{"audience of a root changed", func() {
				exec("UPDATE posts SET audience = ? WHERE id = ?", model.AudienceFollowers, site.ID)
			}, func(step string) {
				expect(step, "outsider", siteComment, false)
				expect(step, "fan", siteComment, true)
			}},
			{"author of a root changed", func() {
				exec("UPDATE posts SET account_id = ? WHERE id = ?", outsider.ID, followers.ID)
			}, func(step string) {
				expect(step, "fan", followers, false)
				expect(step, "outsider", followers, true)
			}},
			{"group of a thread changed", func() {
				exec("UPDATE posts SET group_id = ?, state = ? WHERE id = ?", other.ID, model.PostPublished, pending.ID)
			}, func(step string) {
				expect(step, "outsider", pendingComment, true)
				expect(step, "mod", pendingComment, false)
			}},
			{"follow ended", func() {
				exec("DELETE FROM follows WHERE follower_id = ?", fan.ID)
			}, func(step string) { expect(step, "fan", siteComment, false) }},
			{"root deleted", func() {
				if err := s.DeletePost(ctx, pending.ID); err != nil {
					t.Fatal(err)
				}
			}, func(step string) {}},
			{"group deleted", func() {
				p := withWord(groupPost(t, s, g, author, model.PostPublished, t0.Add(5*time.Second)), "groupword")
				expect("before group deleted", "author", p, true)
				if err := s.DeleteGroup(ctx, g.ID); err != nil {
					t.Fatal(err)
				}
			}, func(step string) {}},
		}
		for _, st := range steps {
			st.change()
			step := strings.ReplaceAll(st.name, " ", "_")
			agree(step)
			st.check(step)
		}
	})
}
