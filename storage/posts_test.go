package storage_test

import (
	"reflect"
	"testing"
	"time"

	"github.com/atrium-intranet/atrium/internal/testrig"
	"github.com/atrium-intranet/atrium/model"
	"github.com/atrium-intranet/atrium/storage"
)

func TestVisiblePostAndFeed(t *testing.T) {
	testrig.EachDB(t, func(t *testing.T, s *storage.Store) {
		author := local(t, s, "author")
		fan := local(t, s, "fan")
		pending := local(t, s, "pending")
		stranger := local(t, s, "stranger")
		follow(t, s, fan, author, true)
		follow(t, s, pending, author, false)
		at := func(m int) time.Time { return t0.Add(time.Duration(m) * time.Minute) }
		site := post(t, s, author, model.AudienceSite, at(1), nil, "go")
		company := post(t, s, author, model.AudienceCompany, at(2), nil)
		followers := post(t, s, author, model.AudienceFollowers, at(3), nil, "go")
		comment := post(t, s, fan, "", at(4), followers)
		own := post(t, s, stranger, model.AudienceFollowers, at(5), nil)

		cases := []struct {
			name string
			v    storage.Viewer
			want []*model.Post // visible, in feed order
		}{
			{"author", storage.Viewer{AccountID: author.ID}, []*model.Post{followers, company, site}},
			{"accepted follower", storage.Viewer{AccountID: fan.ID}, []*model.Post{followers, company, site}},
			{"pending follower", storage.Viewer{AccountID: pending.ID}, []*model.Post{company, site}},
			{"stranger", storage.Viewer{AccountID: stranger.ID}, []*model.Post{own, company, site}},
			// Guests see the posts of their groups only: no follows, not even their own
			// posts of another audience.
			{"guest following", storage.Viewer{AccountID: fan.ID, Guest: true}, []*model.Post{}},
			{"guest pending", storage.Viewer{AccountID: pending.ID, Guest: true}, []*model.Post{}},
			{"guest own", storage.Viewer{AccountID: stranger.ID, Guest: true}, []*model.Post{}},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				feed, err := s.Feed(ctx, storage.FeedFilter{Viewer: c.v, Limit: 10})
				if err != nil {
					t.Fatal(err)
				}
				if got, want := ids(feed), ids(c.want); !reflect.DeepEqual(got, want) {
					t.Fatalf("feed = %v, want %v", got, want)
				}
				visible := map[string]bool{}
				for _, p := range c.want {
					visible[p.ID] = true
				}
				visible[comment.ID] = visible[followers.ID] // comments go with their post
				for _, p := range []*model.Post{site, company, followers, comment, own} {
					got, err := s.VisiblePost(ctx, c.v, p.ID)
					if visible[p.ID] && (err != nil || got.ID != p.ID) {
						t.Errorf("post %s: want visible, got %v", p.ID, err)
					}
					if !visible[p.ID] && err == nil {
						t.Errorf("post %s: want hidden", p.ID)
					}
				}
			})
		}
		_, err := s.VisiblePost(ctx, storage.Viewer{AccountID: author.ID}, "nope")
		wantErr(t, err, storage.ErrNotFound)

		v := storage.Viewer{AccountID: fan.ID}
		filters := []struct {
			name string
			f    storage.FeedFilter
			want []*model.Post
		}{
			{"before", storage.FeedFilter{Before: followers.ID}, []*model.Post{company, site}},
			{"before the oldest", storage.FeedFilter{Before: site.ID}, []*model.Post{}},
			{"limit", storage.FeedFilter{Limit: 1}, []*model.Post{followers}},
			{"tag", storage.FeedFilter{Tag: "go"}, []*model.Post{followers, site}},
			{"tag case-sensitive in storage", storage.FeedFilter{Tag: "Go"}, []*model.Post{}},
			{"author", storage.FeedFilter{AuthorID: stranger.ID}, []*model.Post{}},
			{"following", storage.FeedFilter{Following: true}, []*model.Post{followers, company, site}},
			{"following before", storage.FeedFilter{Following: true, Before: followers.ID}, []*model.Post{company, site}},
			{"following limit", storage.FeedFilter{Following: true, Limit: 1}, []*model.Post{followers}},
			{"following tag", storage.FeedFilter{Following: true, Tag: "go"}, []*model.Post{followers, site}},
		}
		for _, c := range filters {
			t.Run(c.name, func(t *testing.T) {
				c.f.Viewer = v
				if c.f.Limit == 0 {
					c.f.Limit = 10
				}
				feed, err := s.Feed(ctx, c.f)
				if err != nil {
					t.Fatal(err)
				}
				if got, want := ids(feed), ids(c.want); !reflect.DeepEqual(got, want) {
					t.Fatalf("feed = %v, want %v", got, want)
				}
			})
		}
		// Following keeps the viewer's own posts too.
		feed, _ := s.Feed(ctx, storage.FeedFilter{Viewer: storage.Viewer{AccountID: stranger.ID}, Following: true, Limit: 10})
		if got := ids(feed); !reflect.DeepEqual(got, []string{own.ID}) {
			t.Fatalf("stranger following = %v", got)
		}
		// The home timeline's posts come with their authors, without secrets.
		if a := feed[0].Author; a == nil || a.ID != stranger.ID || a.Username != stranger.Username || a.PasswordHash != "" {
			t.Fatalf("author of the home timeline's post = %+v", a)
		}
		// Guests see group posts only, and the Following tab holds none.
		feed, err = s.Feed(ctx, storage.FeedFilter{Viewer: storage.Viewer{AccountID: stranger.ID, Guest: true}, Following: true, Limit: 10})
		if err != nil || len(feed) != 0 {
			t.Fatalf("guest following = %v, %v", ids(feed), err)
		}
	})
}

func TestCommentsAndCounts(t *testing.T) {
	testrig.EachDB(t, func(t *testing.T, s *storage.Store) {
		mia := local(t, s, "mia")
		bob := local(t, s, "bob")
		p1 := post(t, s, mia, model.AudienceSite, t0, nil)
		p2 := post(t, s, mia, model.AudienceSite, t0, nil)
		c1 := post(t, s, bob, "", t0.Add(time.Second), p1)
		c2 := post(t, s, mia, "", t0.Add(2*time.Second), c1)
		c3 := post(t, s, bob, "", t0.Add(3*time.Second), p1)
		list, err := s.Comments(ctx, p1.ID, 10)
		if err != nil || !reflect.DeepEqual(ids(list), ids([]*model.Post{c1, c2, c3})) {
			t.Fatalf("comments = %v, %v", ids(list), err)
		}
		if list, _ := s.Comments(ctx, p1.ID, 2); len(list) != 2 {
			t.Fatalf("limit ignored: %d", len(list))
		}
		counts, err := s.CountPosts(ctx, []string{p1.ID, p2.ID, c1.ID}, "")
		if err != nil || !reflect.DeepEqual(counts.Comments, map[string]int{p1.ID: 3}) {
			t.Fatalf("counts = %v, %v", counts, err)
		}
		// Posts and comments: mia wrote p1, p2 and c2, bob c1 and c3.
		if c, err := s.CountsOfAccount(ctx, mia.ID); err != nil || c.Posts != 3 {
			t.Fatalf("posts by mia = %d, %v", c.Posts, err)
		}
		if c, _ := s.CountsOfAccount(ctx, bob.ID); c.Posts != 2 {
			t.Fatalf("posts by bob = %d", c.Posts)
		}
		if c, err := s.CountPosts(ctx, nil, ""); err != nil || len(c.Comments) != 0 || len(c.Tallies) != 0 {
			t.Fatalf("no ids: %v %v", c, err)
		}
	})
}

func TestReactionsStore(t *testing.T) {
	testrig.EachDB(t, func(t *testing.T, s *storage.Store) {
		mia := local(t, s, "mia")
		bob := local(t, s, "bob")
		p1 := post(t, s, mia, model.AudienceSite, t0, nil)
		p2 := post(t, s, mia, model.AudienceSite, t0, nil)
		add := func(p *model.Post, a *model.Account, kind string) {
			t.Helper()
			if err := s.AddReaction(ctx, &model.Reaction{PostID: p.ID, AccountID: a.ID, Kind: kind, URI: "u:" + newID(t0), CreatedAt: t0}); err != nil {
				t.Fatal(err)
			}
		}
		add(p1, mia, "like")
		add(p1, bob, "like")
		add(p1, bob, "like") // idempotent
		add(p1, bob, "love")
		add(p2, mia, "sad")
		counts, err := s.CountPosts(ctx, []string{p1.ID, p2.ID}, bob.ID)
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]storage.ReactionTally{}
		for _, r := range counts.Tallies {
			got[r.PostID+"/"+r.Kind] = r
		}
		want := map[string]storage.ReactionTally{
			p1.ID + "/like": {PostID: p1.ID, Kind: "like", N: 2, Mine: 1},
			p1.ID + "/love": {PostID: p1.ID, Kind: "love", N: 1, Mine: 1},
			p2.ID + "/sad":  {PostID: p2.ID, Kind: "sad", N: 1, Mine: 0},
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("tallies = %v, want %v", got, want)
		}
		if err := s.RemoveReaction(ctx, p1.ID, bob.ID, "like"); err != nil {
			t.Fatal(err)
		}
		if err := s.RemoveReaction(ctx, p1.ID, bob.ID, "like"); err != nil {
			t.Fatal(err)
		}
		if n := count(t, s, "reactions", "post_id = ?", p1.ID); n != 2 {
			t.Fatalf("reactions on p1 = %d", n)
		}
		if c, err := s.CountPosts(ctx, nil, bob.ID); err != nil || len(c.Tallies) != 0 {
			t.Fatalf("no ids: %v %v", c, err)
		}
	})
}

func TestPostEditsAndDelete(t *testing.T) {
	testrig.EachDB(t, func(t *testing.T, s *storage.Store) {
		mia := local(t, s, "mia")
		bob := local(t, s, "bob")
		p := post(t, s, mia, model.AudienceSite, t0, nil, "a")
		other := post(t, s, mia, model.AudienceSite, t0, nil, "a")
		for i, src := range []string{"v2", "v3"} {
			old := &model.PostEdit{ID: newID(t0), PostID: p.ID, Source: p.Source, HTML: p.HTML, EditedAt: p.UpdatedAt}
			at := t0.Add(time.Duration(i+1) * time.Hour)
			p.Source, p.HTML, p.UpdatedAt, p.EditedAt = src, "<p>"+src+"</p>", at, &at
			err := s.InTx(ctx, func(tx *storage.Store) error {
				return tx.UpdatePostContent(ctx, p, old, []string{bob.ID}, []string{"b" + src})
			})
			if err != nil {
				t.Fatal(err)
			}
		}
		edits, err := s.PostEdits(ctx, p.ID)
		if err != nil || len(edits) != 2 || edits[0].Source != "v2" || edits[1].Source != "src" ||
			!edits[0].EditedAt.Equal(t0.Add(time.Hour)) || !edits[1].EditedAt.Equal(t0) {
			t.Fatalf("edits = %+v, %v", edits, err)
		}
		got, _ := s.Post(ctx, p.ID)
		if got.Source != "v3" || got.EditedAt == nil || !got.EditedAt.Equal(t0.Add(2*time.Hour)) || !got.CreatedAt.Equal(t0) {
			t.Fatalf("post = %+v", got)
		}
		if n := count(t, s, "post_tags", "post_id = ? AND tag = 'bv3'", p.ID) + count(t, s, "post_tags", "post_id = ?", p.ID); n != 2 {
			t.Fatalf("tags not replaced: %d", n)
		}

		c := post(t, s, bob, "", t0, p)
		if err := s.AddReaction(ctx, &model.Reaction{PostID: c.ID, AccountID: mia.ID, Kind: "like", URI: "u", CreatedAt: t0}); err != nil {
			t.Fatal(err)
		}
		if err := s.DeletePost(ctx, p.ID); err != nil {
			t.Fatal(err)
		}
		for _, table := range []string{"post_edits", "mentions", "reactions"} {
			if n := count(t, s, table, "1 = 1"); n != 0 {
				t.Fatalf("%s keeps %d rows of the deleted post", table, n)
			}
		}
		if n := count(t, s, "posts", "1 = 1"); n != 1 {
			t.Fatalf("posts left = %d, want only the other post", n)
		}
		if n := count(t, s, "post_tags", "post_id = ?", other.ID); n != 1 {
			t.Fatalf("other post lost its tag")
		}
		if err := s.DeletePost(ctx, "nope"); err != nil {
			t.Fatalf("deleting a missing post: %v", err)
		}
	})
}

func TestFollowsStore(t *testing.T) {
	testrig.EachDB(t, func(t *testing.T, s *storage.Store) {
		mia := local(t, s, "mia")
		bob := local(t, s, "bob")
		cy := local(t, s, "cy")
		follow(t, s, mia, bob, false)
		follow(t, s, mia, bob, true) // exists: left as it is
		follow(t, s, cy, bob, true)
		follow(t, s, bob, mia, true)
		if ok, err := s.IsFollowing(ctx, mia.ID, bob.ID); err != nil || ok {
			t.Fatalf("pending follow counted: %v %v", ok, err)
		}
		if ok, _ := s.IsFollowing(ctx, cy.ID, bob.ID); !ok {
			t.Fatal("accepted follow not found")
		}
		if c, err := s.CountsOfAccount(ctx, bob.ID); err != nil || c.Followers != 1 || c.Following != 1 {
			t.Fatalf("bob: %d followers %d following, %v", c.Followers, c.Following, err)
		}
		post(t, s, bob, model.AudienceSite, t0, nil)
		counts, err := s.CountsOf(ctx, []string{bob.ID, cy.ID, "nope"})
		want := map[string]storage.AccountCounts{
			bob.ID: {AccountID: bob.ID, Followers: 1, Following: 1, Posts: 1},
			cy.ID:  {AccountID: cy.ID, Following: 1},
		}
		if err != nil || !reflect.DeepEqual(counts, want) {
			t.Fatalf("counts = %+v, %v", counts, err)
		}
		if counts, err := s.CountsOf(ctx, nil); err != nil || len(counts) != 0 {
			t.Fatalf("no ids: %v, %v", counts, err)
		}
		if err := s.DeleteFollow(ctx, mia.ID, bob.ID); err != nil {
			t.Fatal(err)
		}
		if n := count(t, s, "follows", "1 = 1"); n != 2 {
			t.Fatalf("follows = %d", n)
		}
	})
}
