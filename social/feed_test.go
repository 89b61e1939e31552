package social_test

import (
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/atrium-intranet/atrium/model"
	"github.com/atrium-intranet/atrium/social"
)

func sources(views []*social.PostView) []string {
	out := []string{}
	for _, v := range views {
		out = append(out, v.Post.Source)
	}
	return out
}

// pageAll walks the feed with limit, returning every post's source and the number of pages.
func (e *env) pageAll(viewer *model.Account, q social.FeedQuery) ([]string, int) {
	e.t.Helper()
	var all []string
	seen := map[string]bool{}
	for pages := 1; ; pages++ {
		page, err := e.svc.Posts.Feed(e.ctx, viewer, q)
		if err != nil {
			e.t.Fatal(err)
		}
		for _, v := range page.Posts {
			if seen[v.Post.ID] {
				e.t.Fatalf("post %q twice", v.Post.Source)
			}
			seen[v.Post.ID] = true
		}
		all = append(all, sources(page.Posts)...)
		if page.Next == "" {
			return all, pages
		}
		if last := page.Posts[len(page.Posts)-1].Post.ID; page.Next != last {
			e.t.Fatalf("next %q is not the last post %q", page.Next, last)
		}
		q.Cursor = page.Next
		if pages > 100 {
			e.t.Fatal("feed paging does not end")
		}
	}
}

func numberedSources(prefix string, from, to int) []string {
	var out []string
	for i := from; i >= to; i-- {
		out = append(out, fmt.Sprintf("%s%02d", prefix, i))
	}
	return out
}

func TestFeedPaging(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		mia := e.member("mia")
		bob := e.member("bob")
		for i := 1; i <= 7; i++ {
			e.post(mia, fmt.Sprintf("p%02d", i), model.AudienceSite)
		}
		want := numberedSources("p", 7, 1)
		cases := []struct {
			limit, pages int
		}{{1, 7}, {2, 4}, {3, 3}, {6, 2}, {7, 1}, {8, 1}, {0, 1}}
		for _, c := range cases {
			got, pages := e.pageAll(bob, social.FeedQuery{Limit: c.limit})
			if !reflect.DeepEqual(got, want) || pages != c.pages {
				t.Fatalf("limit %d: %v in %d pages, want %v in %d", c.limit, got, pages, want, c.pages)
			}
		}
		page, err := e.svc.Posts.Feed(e.ctx, bob, social.FeedQuery{Limit: 3})
		if err != nil || page.Next == "" {
			t.Fatal(err)
		}
		// Posts created after the first page do not disturb the next one.
		e.post(mia, "p08", model.AudienceSite)
		next, err := e.svc.Posts.Feed(e.ctx, bob, social.FeedQuery{Limit: 3, Cursor: page.Next})
		if err != nil || !reflect.DeepEqual(sources(next.Posts), []string{"p04", "p03", "p02"}) {
			t.Fatalf("second page = %v, %v", sources(next.Posts), err)
		}
		for _, bad := range []string{"x", "01NOTAULID", "'; DROP TABLE posts; --", "ZZZZZZZZZZZZZZZZZZZZZZZZZZ"} {
			_, err := e.svc.Posts.Feed(e.ctx, bob, social.FeedQuery{Cursor: bad})
			wantFields(t, err, fields("cursor", "error.cursor"))
		}
	})
}

func TestFeedPagingSameTimestamp(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		deps := e.deps
		instant := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
		deps.Now = func() time.Time { return instant }
		svc := social.New(deps)
		mia, err := svc.Accounts.Create(e.ctx, social.NewAccount{Username: "mia", Email: "mia@example.com", Password: "0123456789"})
		if err != nil {
			t.Fatal(err)
		}
		for i := 1; i <= 9; i++ {
			if _, err := svc.Posts.Create(e.ctx, mia, social.PostInput{Source: fmt.Sprintf("s%02d", i), Audience: model.AudienceSite}); err != nil {
				t.Fatal(err)
			}
		}
		if n := e.count("posts", "created_at = ?", instant); n != 9 {
			t.Fatalf("%d posts at the same instant", n)
		}
		e.svc = svc
		for _, limit := range []int{1, 2, 4} {
			got, _ := e.pageAll(mia, social.FeedQuery{Limit: limit})
			if want := numberedSources("s", 9, 1); !reflect.DeepEqual(got, want) {
				t.Fatalf("limit %d: %v, want %v", limit, got, want)
			}
		}
	})
}

func TestFeedLimits(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		mia := e.member("mia")
		for i := 1; i <= 55; i++ {
			e.post(mia, fmt.Sprintf("p%02d", i), model.AudienceSite)
		}
		cases := []struct {
			limit, want int
		}{{0, 20}, {-5, 20}, {1, 1}, {50, 50}, {51, 50}, {1000, 50}}
		for _, c := range cases {
			page, err := e.svc.Posts.Feed(e.ctx, mia, social.FeedQuery{Limit: c.limit})
			if err != nil {
				t.Fatal(err)
			}
			if got := sources(page.Posts); !reflect.DeepEqual(got, numberedSources("p", 55, 56-c.want)) || page.Next != page.Posts[c.want-1].Post.ID {
				t.Fatalf("limit %d: %d posts next %q", c.limit, len(got), page.Next)
			}
		}
	})
}

func TestFeedFilters(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		viewer := e.member("viewer")
		friend := e.member("friend")
		other := e.member("other")
		// The guest followed and posted as a member; as a guest it sees its groups only.
		guest := e.member("guest")
		e.follow(viewer, friend)
		e.follow(guest, friend)

		e.post(friend, "f-site #Go", model.AudienceSite)
		e.post(other, "o-company #go", model.AudienceCompany)
		e.post(other, "o-followers #go", model.AudienceFollowers)
		e.post(viewer, "v-followers", model.AudienceFollowers)
		fFollowers := e.post(friend, "f-followers #rust", model.AudienceFollowers)
		e.post(guest, "g-site", model.AudienceSite)
		e.comment(viewer, fFollowers.ID, "a comment #go")
		e.post(other, "o-site `#go`", model.AudienceSite)
		if err := e.svc.Accounts.SetRole(e.ctx, e.admin("root"), guest.ID, model.RoleGuest); err != nil {
			t.Fatal(err)
		}
		guest = e.reload(guest)

		cases := []struct {
			name   string
			viewer *model.Account
			q      social.FeedQuery
			want   []string
		}{
			{"home", viewer, social.FeedQuery{}, []string{"o-site `#go`", "g-site", "f-followers #rust", "v-followers", "o-company #go", "f-site #Go"}},
			{"following", viewer, social.FeedQuery{Following: true}, []string{"f-followers #rust", "v-followers", "f-site #Go"}},
			{"author", viewer, social.FeedQuery{AuthorID: other.ID}, []string{"o-site `#go`", "o-company #go"}},
			{"author followed", viewer, social.FeedQuery{AuthorID: friend.ID}, []string{"f-followers #rust", "f-site #Go"}},
			{"tag", viewer, social.FeedQuery{Tag: "go"}, []string{"o-company #go", "f-site #Go"}},
			{"tag with hash and case", viewer, social.FeedQuery{Tag: "#GO"}, []string{"o-company #go", "f-site #Go"}},
			{"tag and following", viewer, social.FeedQuery{Tag: "go", Following: true}, []string{"f-site #Go"}},
			{"tag and author", viewer, social.FeedQuery{Tag: "go", AuthorID: other.ID}, []string{"o-company #go"}},
			{"unknown tag", viewer, social.FeedQuery{Tag: "cobol"}, []string{}},
			{"other's home", other, social.FeedQuery{}, []string{"o-site `#go`", "g-site", "o-followers #go", "o-company #go", "f-site #Go"}},
			{"other following", other, social.FeedQuery{Following: true}, []string{"o-site `#go`", "o-followers #go", "o-company #go"}},
			{"friend's home", friend, social.FeedQuery{}, []string{"o-site `#go`", "g-site", "f-followers #rust", "o-company #go", "f-site #Go"}},
			{"guest home", guest, social.FeedQuery{}, []string{}},
			{"guest author filter", guest, social.FeedQuery{AuthorID: other.ID}, []string{}},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				got, _ := e.pageAll(c.viewer, c.q)
				if got == nil {
					got = []string{}
				}
				if !reflect.DeepEqual(got, c.want) {
					t.Fatalf("feed = %q\nwant   %q", got, c.want)
				}
			})
		}
	})
}

func TestFeedViews(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		admin := e.admin("admin")
		mia := e.member("mia")
		bob := e.member("bob")
		p1 := e.post(mia, "one", model.AudienceSite)
		p2 := e.post(bob, "two", model.AudienceSite)
		e.comment(bob, p1.ID, "c1")
		c2 := e.comment(mia, p1.ID, "c2")
		e.comment(bob, c2.ID, "c3")
		for _, who := range []*model.Account{mia, bob} {
			if err := e.svc.Posts.React(e.ctx, who, p1.ID, "celebrate", true); err != nil {
				t.Fatal(err)
			}
		}
		if err := e.svc.Posts.React(e.ctx, mia, p2.ID, "sad", true); err != nil {
			t.Fatal(err)
		}
		cases := []struct {
			viewer           *model.Account
			edit1, del1      bool
			edit2, del2      bool
			mine1, mine2     bool
			celebrate1, sad2 int
			comments1, comm2 int
		}{
			{mia, true, true, false, false, true, true, 2, 1, 3, 0},
			{bob, false, false, true, true, true, false, 2, 1, 3, 0},
			{admin, false, true, false, true, false, false, 2, 1, 3, 0},
		}
		for _, c := range cases {
			page, err := e.svc.Posts.Feed(e.ctx, c.viewer, social.FeedQuery{})
			if err != nil {
				t.Fatal(err)
			}
			if len(page.Posts) != 2 || page.Next != "" {
				t.Fatalf("%d posts, next %q", len(page.Posts), page.Next)
			}
			v2, v1 := page.Posts[0], page.Posts[1]
			if v1.Author.ID != mia.ID || v2.Author.ID != bob.ID || v1.Post.Author != v1.Author {
				t.Fatalf("authors %v %v", v1.Author, v2.Author)
			}
			got := []any{v1.CanEdit, v1.CanDelete, v2.CanEdit, v2.CanDelete, v1.Reactions[2].Mine, v2.Reactions[5].Mine,
				v1.Reactions[2].Count, v2.Reactions[5].Count, v1.CommentCount, v2.CommentCount}
			want := []any{c.edit1, c.del1, c.edit2, c.del2, c.mine1, c.mine2, c.celebrate1, c.sad2, c.comments1, c.comm2}
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("%s: got %v, want %v", c.viewer.Username, got, want)
			}
			if v1.Reactions[2].Kind != "celebrate" || v2.Reactions[5].Kind != "sad" || len(v1.Comments) != 0 {
				t.Fatalf("reaction order or comments: %+v", v1)
			}
		}
	})
}
