package social_test

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/atrium-intranet/atrium/model"
	"github.com/atrium-intranet/atrium/social"
)

func TestPostsCreateValidation(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		mia := e.member("mia")
		bob := e.member("bob")
		gus := e.guest("gus")
		hidden := e.post(bob, "for my followers", model.AudienceFollowers)
		open := e.post(bob, "for everyone", model.AudienceSite)
		cases := []struct {
			name   string
			author *model.Account
			in     social.PostInput
			want   map[string]string
		}{
			{"empty", mia, social.PostInput{Audience: model.AudienceSite}, fields("source", "error.post.empty")},
			{"blank", mia, social.PostInput{Source: " \n\t ", Audience: model.AudienceSite}, fields("source", "error.post.empty")},
			{"too long", mia, social.PostInput{Source: strings.Repeat("ä", 10_001), Audience: model.AudienceSite}, fields("source", "error.post.too_long")},
			{"no audience", mia, social.PostInput{Source: "x"}, fields("audience", "error.post.audience")},
			{"bad audience", mia, social.PostInput{Source: "x", Audience: "public"}, fields("audience", "error.post.audience")},
			{"empty and bad audience", mia, social.PostInput{Audience: "public"}, fields("source", "error.post.empty", "audience", "error.post.audience")},
			{"reply to unknown", mia, social.PostInput{Source: "x", InReplyToID: "01NOSUCHPOST00000000000000"}, fields("in_reply_to_id", "error.post.parent_missing")},
			{"reply to hidden", mia, social.PostInput{Source: "x", InReplyToID: hidden.ID}, fields("in_reply_to_id", "error.post.parent_missing")},
			{"guest replies to unfollowed", gus, social.PostInput{Source: "x", InReplyToID: open.ID}, fields("in_reply_to_id", "error.post.parent_missing")},
			{"empty reply", mia, social.PostInput{InReplyToID: open.ID}, fields("source", "error.post.empty")},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				p, err := e.svc.Posts.Create(e.ctx, c.author, c.in)
				wantFields(t, err, c.want)
				if p != nil {
					t.Fatalf("post returned with error: %+v", p)
				}
			})
		}
		if n := e.count("posts", "1 = 1"); n != 2 {
			t.Fatalf("posts = %d, want 2", n)
		}
		// The limit counts characters, not bytes.
		if _, err := e.svc.Posts.Create(e.ctx, mia, social.PostInput{Source: strings.Repeat("ä", 10_000), Audience: model.AudienceSite}); err != nil {
			t.Fatalf("10,000 characters: %v", err)
		}
	})
}

func TestPostsCreate(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		mia := e.member("mia")
		for _, aud := range []model.Audience{model.AudienceSite, model.AudienceCompany, model.AudienceFollowers} {
			p, err := e.svc.Posts.Create(e.ctx, mia, social.PostInput{Source: "  Hello *world*  \n", Audience: aud})
			if err != nil {
				t.Fatal(err)
			}
			got, err := e.store.Post(e.ctx, p.ID)
			if err != nil {
				t.Fatal(err)
			}
			if got.URI != "http://127.0.0.1:8080/posts/"+p.ID || got.AccountID != mia.ID || got.Audience != aud ||
				got.Source != "Hello *world*" || got.HTML != "<p>Hello <em>world</em></p>\n" || !got.Local ||
				got.InReplyToID != nil || got.RootID != nil || got.EditedAt != nil ||
				!got.CreatedAt.Equal(p.CreatedAt) || !got.UpdatedAt.Equal(p.CreatedAt) || len(p.ID) != 26 {
				t.Fatalf("stored %+v", got)
			}
		}
	})
}

func TestPostsComments(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		mia := e.member("mia")
		bob := e.member("bob")
		eve := e.member("eve")
		e.follow(bob, mia)
		root := e.post(mia, "root", model.AudienceFollowers)
		// The comment's own audience is ignored: it inherits the post's.
		c1, err := e.svc.Posts.Create(e.ctx, bob, social.PostInput{Source: "first", Audience: model.AudienceCompany, InReplyToID: root.ID})
		if err != nil {
			t.Fatal(err)
		}
		c2 := e.comment(mia, root.ID, "second")
		// Replying to a comment stays in the thread: in reply to the comment, rooted at the post.
		c3 := e.comment(mia, c1.ID, "answer to first")
		c4 := e.comment(bob, c3.ID, "answer to answer")
		cases := []struct {
			c               *model.Post
			inReplyTo, root string
		}{{c1, root.ID, root.ID}, {c2, root.ID, root.ID}, {c3, c1.ID, root.ID}, {c4, c3.ID, root.ID}}
		for _, c := range cases {
			got, err := e.store.Post(e.ctx, c.c.ID)
			if err != nil {
				t.Fatal(err)
			}
			if got.Audience != model.AudienceFollowers || *got.InReplyToID != c.inReplyTo || *got.RootID != c.root {
				t.Fatalf("%s: audience %s in reply to %s root %s", got.Source, got.Audience, *got.InReplyToID, *got.RootID)
			}
		}

		v, err := e.svc.Posts.View(e.ctx, bob, root.ID)
		if err != nil {
			t.Fatal(err)
		}
		var srcs []string
		for _, c := range v.Comments {
			srcs = append(srcs, c.Post.Source)
		}
		if want := []string{"first", "second", "answer to first", "answer to answer"}; !reflect.DeepEqual(srcs, want) {
			t.Fatalf("comments = %q, want %q", srcs, want)
		}
		if v.CommentCount != 4 || v.Author.ID != mia.ID || v.CanEdit || v.CanDelete {
			t.Fatalf("view: count %d author %v edit %v delete %v", v.CommentCount, v.Author.Username, v.CanEdit, v.CanDelete)
		}
		if c := v.Comments[0]; c.Author.ID != bob.ID || !c.CanEdit || !c.CanDelete || c.CommentCount != 0 || len(c.Comments) != 0 {
			t.Fatalf("comment view: %+v", c)
		}
		// A comment viewed alone has no comments of its own.
		cv, err := e.svc.Posts.View(e.ctx, mia, c1.ID)
		if err != nil || cv.Post.ID != c1.ID || len(cv.Comments) != 0 {
			t.Fatalf("comment alone: %+v, %v", cv, err)
		}
		// Comments are as hidden as their post.
		for _, id := range []string{root.ID, c1.ID, c3.ID} {
			_, err := e.svc.Posts.View(e.ctx, eve, id)
			wantErr(t, err, social.ErrNotFound)
		}
		_, err = e.svc.Posts.Create(e.ctx, eve, social.PostInput{Source: "x", InReplyToID: c1.ID})
		wantFields(t, err, fields("in_reply_to_id", "error.post.parent_missing"))
	})
}

func TestPostsRendering(t *testing.T) {
	cases := []struct {
		name, src, html string
		mentions, tags  []string
	}{
		{"plain", "Hello", "<p>Hello</p>\n", nil, nil},
		{"markdown", "**bold** and _it_\nnext line", "<p><strong>bold</strong> and <em>it</em><br>\nnext line</p>\n", nil, nil},
		{"known mention", "Hi @Bob!", `<p>Hi <a href="/users/bob" class="mention">@Bob</a>!</p>` + "\n", []string{"bob"}, nil},
		{"unknown mention", "Hi @nobody", "<p>Hi @nobody</p>\n", nil, nil},
		{"remote username is not local", "Hi @rem", "<p>Hi @rem</p>\n", nil, nil},
		{"several mentions once each", "@bob @carl @bob", `<p><a href="/users/bob" class="mention">@bob</a> <a href="/users/carl" class="mention">@carl</a> <a href="/users/bob" class="mention">@bob</a></p>` + "\n", []string{"bob", "carl"}, nil},
		{"email is no mention", "mail carl@example.com", `<p>mail <a href="mailto:carl@example.com" rel="nofollow">carl@example.com</a></p>` + "\n", nil, nil},
		{"tags lower-cased", "#Go and #GO and #Über_Tag", `<p><a href="/tags/go" class="hashtag">#Go</a> and <a href="/tags/go" class="hashtag">#GO</a> and <a href="/tags/über_tag" class="hashtag">#Über_Tag</a></p>` + "\n", nil, []string{"go", "über_tag"}},
		{"number is no tag", "issue #123", "<p>issue #123</p>\n", nil, nil},
		{"heading is no tag", "# Title", "<h1>Title</h1>\n", nil, nil},
		{"not in inline code", "see `#notag @bob` here", "<p>see <code>#notag @bob</code> here</p>\n", nil, nil},
		{"not in code block", "```\n#define X @bob\n```", "<pre><code>#define X @bob\n</code></pre>\n", nil, nil},
		{"not in link text", "[#tag @bob](https://example.com/#x)", `<p><a href="https://example.com/#x" rel="nofollow noopener" target="_blank">#tag @bob</a></p>` + "\n", nil, nil},
		{"not in url", "https://example.com/@bob/#frag", `<p><a href="https://example.com/@bob/#frag" rel="nofollow noopener" target="_blank">https://example.com/@bob/#frag</a></p>` + "\n", nil, nil},
		{"code and text", "`#a` #b `@bob` @carl", `<p><code>#a</code> <a href="/tags/b" class="hashtag">#b</a> <code>@bob</code> <a href="/users/carl" class="mention">@carl</a></p>` + "\n", []string{"carl"}, []string{"b"}},
		{"script dropped", "hi <script>alert(1)</script>", "<p>hi alert(1)</p>\n", nil, nil},
		{"onerror dropped", `x <img src="a.png" onerror="alert(1)">`, "<p>x </p>\n", nil, nil},
		{"javascript link dropped", "[click](javascript:alert(1))", "<p>click</p>\n", nil, nil},
		{"html entity", "a < b & c", "<p>a &lt; b &amp; c</p>\n", nil, nil},
	}
	eachEnv(t, func(t *testing.T, e *env) {
		mia := e.member("mia")
		e.member("bob")
		e.member("carl")
		e.insertRemote("rem")
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				p := e.post(mia, c.src, model.AudienceSite)
				if p.HTML != c.html {
					t.Fatalf("html = %q\nwant   %q", p.HTML, c.html)
				}
				if got := e.postMentions(p.ID); !reflect.DeepEqual(got, nonNil(c.mentions)) {
					t.Fatalf("mentions = %q, want %q", got, c.mentions)
				}
				if got := e.postTags(p.ID); !reflect.DeepEqual(got, nonNil(c.tags)) {
					t.Fatalf("tags = %q, want %q", got, c.tags)
				}
			})
		}
	})
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func TestPostsEdit(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		root := e.admin("root")
		mia := e.member("mia")
		bob := e.member("bob")
		e.member("carl")
		p := e.post(mia, "v1 #old @bob", model.AudienceSite)
		hidden := e.post(bob, "secret", model.AudienceFollowers)

		_, err := e.svc.Posts.Edit(e.ctx, bob, p.ID, "hijack")
		wantErr(t, err, social.ErrForbidden)
		_, err = e.svc.Posts.Edit(e.ctx, root, p.ID, "moderated")
		wantErr(t, err, social.ErrForbidden)
		_, err = e.svc.Posts.Edit(e.ctx, mia, hidden.ID, "x")
		wantErr(t, err, social.ErrNotFound)
		_, err = e.svc.Posts.Edit(e.ctx, mia, "01NOSUCHPOST00000000000000", "x")
		wantErr(t, err, social.ErrNotFound)
		_, err = e.svc.Posts.Edit(e.ctx, mia, p.ID, "  ")
		wantFields(t, err, fields("source", "error.post.empty"))
		_, err = e.svc.Posts.Edit(e.ctx, mia, p.ID, strings.Repeat("x", 10_001))
		wantFields(t, err, fields("source", "error.post.too_long"))
		// An unchanged text makes no history.
		same, err := e.svc.Posts.Edit(e.ctx, mia, p.ID, " v1 #old @bob ")
		if err != nil || same.EditedAt != nil {
			t.Fatalf("unchanged edit: %+v, %v", same, err)
		}
		if h, err := e.svc.Posts.History(e.ctx, mia, p.ID); err != nil || len(h) != 0 {
			t.Fatalf("history after refused edits: %v, %v", h, err)
		}

		v1, _ := e.store.Post(e.ctx, p.ID)
		e.clock.Advance(time.Minute)
		edited2 := e.clock.Peek().Add(time.Millisecond)
		p2, err := e.svc.Posts.Edit(e.ctx, mia, p.ID, "v2 #new @carl")
		if err != nil {
			t.Fatal(err)
		}
		if p2.Source != "v2 #new @carl" || p2.EditedAt == nil || !p2.EditedAt.Equal(edited2) || !p2.UpdatedAt.Equal(edited2) ||
			!p2.CreatedAt.Equal(v1.CreatedAt) {
			t.Fatalf("edited post %+v", p2)
		}
		if got := e.postTags(p.ID); !reflect.DeepEqual(got, []string{"new"}) {
			t.Fatalf("tags after edit = %v", got)
		}
		if got := e.postMentions(p.ID); !reflect.DeepEqual(got, []string{"carl"}) {
			t.Fatalf("mentions after edit = %v", got)
		}
		e.clock.Advance(time.Minute)
		if _, err := e.svc.Posts.Edit(e.ctx, mia, p.ID, "v3"); err != nil {
			t.Fatal(err)
		}
		stored, _ := e.store.Post(e.ctx, p.ID)
		if stored.Source != "v3" || stored.HTML != "<p>v3</p>\n" {
			t.Fatalf("stored %q %q", stored.Source, stored.HTML)
		}
		if got := e.postTags(p.ID); len(got) != 0 {
			t.Fatalf("tags after second edit = %v", got)
		}

		// History is newest first; each entry is the version before an edit, dated when
		// that version was written. Anyone who sees the post sees its history.
		h, err := e.svc.Posts.History(e.ctx, bob, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(h) != 2 || h[0].Source != "v2 #new @carl" || h[1].Source != "v1 #old @bob" ||
			h[1].HTML != v1.HTML || !h[1].EditedAt.Equal(v1.UpdatedAt) || !h[0].EditedAt.Equal(edited2) || h[0].PostID != p.ID {
			t.Fatalf("history = %+v", h)
		}
		_, err = e.svc.Posts.History(e.ctx, mia, hidden.ID)
		wantErr(t, err, social.ErrNotFound)

		// Comments can be edited by their author as well.
		c := e.comment(bob, p.ID, "nice")
		if _, err := e.svc.Posts.Edit(e.ctx, bob, c.ID, "very nice"); err != nil {
			t.Fatal(err)
		}
		_, err = e.svc.Posts.Edit(e.ctx, mia, c.ID, "not yours")
		wantErr(t, err, social.ErrForbidden)
	})
}

func TestPostsDelete(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		root := e.admin("root")
		mia := e.member("mia")
		bob := e.member("bob")
		build := func() (post, comment, reply *model.Post) {
			post = e.post(mia, "post #tag @bob", model.AudienceSite)
			comment = e.comment(bob, post.ID, "comment #ctag @mia")
			reply = e.comment(mia, comment.ID, "reply")
			if _, err := e.svc.Posts.Edit(e.ctx, mia, post.ID, "post #tag @bob edited"); err != nil {
				t.Fatal(err)
			}
			for _, id := range []string{post.ID, comment.ID} {
				if err := e.svc.Posts.React(e.ctx, bob, id, "like", true); err != nil {
					t.Fatal(err)
				}
			}
			return
		}
		traces := func(ids ...string) int {
			n := 0
			for _, table := range []string{"posts", "reactions", "mentions", "post_tags", "post_edits"} {
				col := "post_id"
				if table == "posts" {
					col = "id"
				}
				for _, id := range ids {
					n += e.count(table, col+" = ?", id)
				}
			}
			return n
		}

		post, comment, reply := build()
		wantErr(t, e.svc.Posts.Delete(e.ctx, bob, post.ID), social.ErrForbidden)
		wantErr(t, e.svc.Posts.Delete(e.ctx, mia, comment.ID), social.ErrForbidden)
		wantErr(t, e.svc.Posts.Delete(e.ctx, mia, "01NOSUCHPOST00000000000000"), social.ErrNotFound)
		if n := traces(post.ID, comment.ID, reply.ID); n != 10 {
			t.Fatalf("rows before delete = %d, want 10", n)
		}

		// The author deletes a comment: its replies go with it, the post stays.
		if err := e.svc.Posts.Delete(e.ctx, bob, comment.ID); err != nil {
			t.Fatal(err)
		}
		if n := traces(comment.ID, reply.ID); n != 0 {
			t.Fatalf("%d rows of the deleted comment remain", n)
		}
		v, err := e.svc.Posts.View(e.ctx, mia, post.ID)
		if err != nil || v.CommentCount != 0 || len(v.Comments) != 0 || v.Reactions[0].Count != 1 {
			t.Fatalf("post after comment delete: %+v, %v", v, err)
		}

		// The author deletes the post with everything hanging on it.
		if err := e.svc.Posts.Delete(e.ctx, mia, post.ID); err != nil {
			t.Fatal(err)
		}
		if n := traces(post.ID); n != 0 {
			t.Fatalf("%d rows of the deleted post remain", n)
		}
		_, err = e.svc.Posts.View(e.ctx, mia, post.ID)
		wantErr(t, err, social.ErrNotFound)
		wantErr(t, e.svc.Posts.Delete(e.ctx, mia, post.ID), social.ErrNotFound)

		// An admin may delete anyone's post, comments included.
		post, comment, reply = build()
		if err := e.svc.Posts.Delete(e.ctx, root, post.ID); err != nil {
			t.Fatal(err)
		}
		if n := traces(post.ID, comment.ID, reply.ID); n != 0 {
			t.Fatalf("%d rows remain after admin delete", n)
		}
		if n := e.count("posts", "1 = 1"); n != 0 {
			t.Fatalf("%d posts remain", n)
		}
		// Accounts are untouched.
		if n := e.count("accounts", "1 = 1"); n != 3 {
			t.Fatalf("accounts = %d", n)
		}
	})
}

func TestPostsVisibility(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		author := e.member("author")
		follower := e.member("follower")
		stranger := e.member("stranger")
		admin := e.admin("admin")
		guest := e.member("guest")
		guestFollower := e.member("guestfan")
		pending := e.member("pending")
		e.follow(follower, author)
		e.follow(guestFollower, author)
		// A follow not (yet) accepted does not open followers posts.
		if _, err := e.store.DB().NewInsert().Model(&model.Follow{FollowerID: pending.ID, FolloweeID: author.ID,
			URI: "http://127.0.0.1:8080/users/pending/follows/1", CreatedAt: time.Now()}).Exec(e.ctx); err != nil {
			t.Fatal(err)
		}
		posts := map[model.Audience]*model.Post{}
		for _, aud := range []model.Audience{model.AudienceSite, model.AudienceCompany, model.AudienceFollowers} {
			posts[aud] = e.post(author, string(aud)+" post", aud)
		}
		guestPost := e.post(guest, "guest's own", model.AudienceSite)
		// Guests see the posts of their groups only: a follow from before they became
		// guests, or their own earlier post, opens nothing.
		for _, g := range []*model.Account{guest, guestFollower} {
			if err := e.svc.Accounts.SetRole(e.ctx, admin, g.ID, model.RoleGuest); err != nil {
				t.Fatal(err)
			}
		}
		guest, guestFollower = e.reload(guest), e.reload(guestFollower)
		cases := []struct {
			viewer                  *model.Account
			site, company, follower bool
			guestPost               bool
		}{
			{author, true, true, true, true},
			{follower, true, true, true, true},
			{stranger, true, true, false, true},
			{admin, true, true, false, true},
			{pending, true, true, false, true},
			{guest, false, false, false, false},
			{guestFollower, false, false, false, false},
		}
		for _, c := range cases {
			t.Run(c.viewer.Username, func(t *testing.T) {
				want := map[*model.Post]bool{posts[model.AudienceSite]: c.site, posts[model.AudienceCompany]: c.company,
					posts[model.AudienceFollowers]: c.follower, guestPost: c.guestPost}
				for p, visible := range want {
					v, err := e.svc.Posts.View(e.ctx, c.viewer, p.ID)
					if visible && (err != nil || v.Post.ID != p.ID) {
						t.Errorf("%s: want visible, got %v", p.Source, err)
					}
					if !visible {
						if err == nil {
							t.Errorf("%s: want hidden, got it", p.Source)
						}
						wantErr(t, err, social.ErrNotFound)
					}
					// Reacting and commenting follow the same rule.
					rerr := e.svc.Posts.React(e.ctx, c.viewer, p.ID, "like", true)
					_, cerr := e.svc.Posts.Create(e.ctx, c.viewer, social.PostInput{Source: "hi", InReplyToID: p.ID})
					if visible && (rerr != nil || cerr != nil) {
						t.Errorf("%s: react %v comment %v", p.Source, rerr, cerr)
					}
					if !visible {
						wantErr(t, rerr, social.ErrNotFound)
						wantFields(t, cerr, fields("in_reply_to_id", "error.post.parent_missing"))
					}
				}
			})
		}
	})
}

func TestPostsReact(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		mia := e.member("mia")
		bob := e.member("bob")
		carl := e.member("carl")
		p := e.post(mia, "react to me", model.AudienceSite)
		other := e.post(mia, "other", model.AudienceSite)
		type want struct {
			kind  string
			count int
			mine  bool
		}
		check := func(viewer *model.Account, ws ...want) {
			t.Helper()
			v, err := e.svc.Posts.View(e.ctx, viewer, p.ID)
			if err != nil {
				t.Fatal(err)
			}
			if len(v.Reactions) != len(model.ReactionKinds) {
				t.Fatalf("%d reaction kinds", len(v.Reactions))
			}
			for i, r := range v.Reactions {
				if r.Kind != model.ReactionKinds[i].Kind || r.Emoji != model.ReactionKinds[i].Emoji {
					t.Fatalf("reaction %d = %s %s", i, r.Kind, r.Emoji)
				}
				exp := want{kind: r.Kind}
				for _, w := range ws {
					if w.kind == r.Kind {
						exp = w
					}
				}
				if r.Count != exp.count || r.Mine != exp.mine {
					t.Fatalf("%s sees %s: count %d mine %v, want %d %v", viewer.Username, r.Kind, r.Count, r.Mine, exp.count, exp.mine)
				}
			}
		}
		check(bob)
		react := func(who *model.Account, kind string, on bool) {
			t.Helper()
			if err := e.svc.Posts.React(e.ctx, who, p.ID, kind, on); err != nil {
				t.Fatal(err)
			}
		}
		react(bob, "like", true)
		react(bob, "like", true) // idempotent
		react(bob, "love", true)
		react(carl, "like", true)
		react(mia, "funny", true)
		check(bob, want{"like", 2, true}, want{"love", 1, true}, want{"funny", 1, false})
		check(carl, want{"like", 2, true}, want{"love", 1, false}, want{"funny", 1, false})
		check(mia, want{"like", 2, false}, want{"love", 1, false}, want{"funny", 1, true})
		react(bob, "like", false)
		react(bob, "like", false) // idempotent
		react(bob, "sad", false)  // never given
		check(bob, want{"like", 1, false}, want{"love", 1, true}, want{"funny", 1, false})
		if n := e.count("reactions", "post_id = ?", p.ID); n != 3 {
			t.Fatalf("reaction rows = %d, want 3", n)
		}
		var r model.Reaction
		if err := e.store.DB().NewSelect().Model(&r).Where("post_id = ? AND kind = 'love'", p.ID).Scan(e.ctx); err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(r.URI, "http://127.0.0.1:8080/reactions/") || r.AccountID != bob.ID {
			t.Fatalf("reaction row %+v", r)
		}
		// Reactions on one post do not show on another.
		ov, _ := e.svc.Posts.View(e.ctx, bob, other.ID)
		for _, r := range ov.Reactions {
			if r.Count != 0 || r.Mine {
				t.Fatalf("other post shows %+v", r)
			}
		}

		for _, kind := range []string{"", "LIKE", "dislike", "👍"} {
			wantFields(t, e.svc.Posts.React(e.ctx, bob, p.ID, kind, true), fields("kind", "error.reaction.kind"))
		}
		wantErr(t, e.svc.Posts.React(e.ctx, bob, "01NOSUCHPOST00000000000000", "like", true), social.ErrNotFound)
		if n := e.count("reactions", "1 = 1"); n != 3 {
			t.Fatalf("reaction rows = %d after refused reactions", n)
		}
	})
}

func TestPostsTagLimit(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		mia := e.member("mia")
		var src []string
		var want []string
		for i := 0; i < 35; i++ {
			tag := "t" + string(rune('a'+i/10)) + string(rune('0'+i%10))
			src = append(src, "#"+tag)
			if i < 30 {
				want = append(want, tag)
			}
		}
		p := e.post(mia, strings.Join(src, " "), model.AudienceSite)
		// The first 30 tags are stored; every one is still linked.
		if got := e.postTags(p.ID); !reflect.DeepEqual(got, want) {
			t.Fatalf("stored tags = %v, want %v", got, want)
		}
		if n := strings.Count(p.HTML, `class="hashtag"`); n != 35 {
			t.Fatalf("%d hashtag links, want 35", n)
		}
	})
}
