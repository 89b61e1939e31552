package social_test

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/atrium-intranet/atrium/model"
	"github.com/atrium-intranet/atrium/social"
)

// followTag makes a follow a tag, failing the test on error.
func (e *env) followTag(a *model.Account, name string) {
	e.t.Helper()
	if _, err := e.svc.Tags.Follow(e.ctx, a, name); err != nil {
		e.t.Fatalf("%s follows #%s: %v", a.Username, name, err)
	}
}

// followedTags lists the tags a follows.
func (e *env) followedTags(a *model.Account) []string {
	e.t.Helper()
	list, err := e.svc.Tags.Followed(e.ctx, a)
	if err != nil {
		e.t.Fatal(err)
	}
	out := []string{}
	for _, f := range list {
		out = append(out, f.Tag)
	}
	return out
}

func TestNormalizeTag(t *testing.T) {
	for _, tc := range []struct {
		in, want string
		ok       bool
	}{
		{"go", "go", true},
		{"#Launch", "launch", true},
		{"  Café_2026 ", "café_2026", true},
		{"v2", "v2", true},
		{strings.Repeat("a", 64), strings.Repeat("a", 64), true},
		{"", "", false},
		{"#", "", false},
		{"123", "", false}, // an issue number, not a tag
		{"two words", "", false},
		{"a-b", "", false},
		{"##go", "", false},
		{strings.Repeat("a", 65), "", false},
		{"<script>", "", false},
	} {
		got, ok := social.NormalizeTag(tc.in)
		if got != tc.want || ok != tc.ok {
			t.Errorf("NormalizeTag(%q) = %q, %v; want %q, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}

func TestFollowTag(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		alice := e.member("alice")
		bob := e.member("bob")

		tag, err := e.svc.Tags.Follow(e.ctx, alice, "#Launch")
		if err != nil || tag != "launch" {
			t.Fatalf("follow = %q, %v", tag, err)
		}
		// Following again, in another spelling, changes nothing.
		e.followTag(alice, "LAUNCH")
		e.followTag(alice, "go")
		if got := e.followedTags(alice); !reflect.DeepEqual(got, []string{"go", "launch"}) {
			t.Fatalf("followed = %v", got)
		}
		if got := e.followedTags(bob); len(got) != 0 {
			t.Fatalf("bob follows %v", got)
		}
		info, err := e.svc.Tags.Info(e.ctx, alice, "launch")
		if err != nil || !info.Following {
			t.Fatalf("info = %+v, %v", info, err)
		}

		if _, err := e.svc.Tags.Unfollow(e.ctx, alice, "#launch"); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.Tags.Unfollow(e.ctx, alice, "launch"); err != nil {
			t.Fatalf("unfollow twice: %v", err)
		}
		if got := e.followedTags(alice); !reflect.DeepEqual(got, []string{"go"}) {
			t.Fatalf("after unfollow = %v", got)
		}

		for _, bad := range []string{"", "#", "123", "two words", "a-b", strings.Repeat("x", 65)} {
			_, err := e.svc.Tags.Follow(e.ctx, alice, bad)
			wantFields(t, err, map[string]string{"name": "error.tag.invalid"})
			_, err = e.svc.Tags.Unfollow(e.ctx, alice, bad)
			wantFields(t, err, map[string]string{"name": "error.tag.invalid"})
			_, err = e.svc.Tags.Info(e.ctx, alice, bad)
			wantFields(t, err, map[string]string{"name": "error.tag.invalid"})
		}
		if n := e.count("tag_follows", "account_id = ?", alice.ID); n != 1 {
			t.Fatalf("alice has %d tag follows", n)
		}
	})
}

func TestFollowTagLimit(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		alice := e.member("alice")
		// Fill up to the limit directly: 500 calls through the rules would only be slower.
		for i := 1; i < 500; i++ {
			if _, err := e.store.FollowTag(e.ctx, alice.ID, fmt.Sprintf("tag%03d", i), time.Now()); err != nil {
				t.Fatal(err)
			}
		}
		e.followTag(alice, "last")
		_, err := e.svc.Tags.Follow(e.ctx, alice, "onemore")
		wantFields(t, err, map[string]string{"name": "error.tag.limit"})
		// At the limit, a tag already followed is still fine, and unfollowing makes room.
		e.followTag(alice, "last")
		if _, err := e.svc.Tags.Unfollow(e.ctx, alice, "tag001"); err != nil {
			t.Fatal(err)
		}
		e.followTag(alice, "onemore")
		if n := e.count("tag_follows", "account_id = ?", alice.ID); n != 500 {
			t.Fatalf("alice follows %d tags", n)
		}
		// The page of followed tags goes on alphabetically.
		list, next, err := e.svc.Tags.FollowedPage(e.ctx, alice, "", 200)
		if err != nil || len(list) != 200 || next != list[199].Tag || list[0].Tag != "last" {
			t.Fatalf("first page: %d, next %q, %v", len(list), next, err)
		}
		seen := len(list)
		for next != "" {
			if list, next, err = e.svc.Tags.FollowedPage(e.ctx, alice, next, 200); err != nil {
				t.Fatal(err)
			}
			seen += len(list)
		}
		if seen != 500 {
			t.Fatalf("paged through %d followed tags", seen)
		}
		_, _, err = e.svc.Tags.FollowedPage(e.ctx, alice, "not a tag", 10)
		wantFields(t, err, map[string]string{"cursor": "error.cursor"})
	})
}

// TestFollowedTagsFeed checks how followed tags target posts: they bring posts of people
// the viewer does not follow into the Following feed, and never a post the viewer may
// not see.
func TestFollowedTagsFeed(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		alice := e.member("alice")
		bob := e.member("bob")     // not followed by alice
		carol := e.member("carol") // followed by alice
		dave := e.member("dave")
		guest := e.guest("gus")
		e.follow(alice, carol)
		club := e.group(dave, "club", model.GroupOpen) // alice is not in it
		team := e.group(dave, "team", model.GroupOpen)
		e.joined(team, dave, alice)

		e.post(bob, "bob company #Launch", model.AudienceCompany)
		e.post(bob, "bob site #launch", model.AudienceSite)
		e.post(bob, "bob followers #launch", model.AudienceFollowers)
		e.post(bob, "bob untagged", model.AudienceCompany)
		e.post(bob, "bob other #lunch", model.AudienceCompany)
		e.groupPost(dave, club, "club #launch")
		e.groupPost(dave, team, "team #launch")
		e.post(carol, "carol followers", model.AudienceFollowers)
		e.post(alice, "alice own", model.AudienceCompany)
		root := e.post(bob, "bob asks", model.AudienceCompany)
		e.comment(dave, root.ID, "dave answers #launch")

		following := func(v *model.Account) []string {
			got, _ := e.pageAll(v, social.FeedQuery{Following: true, Limit: 2})
			return got
		}
		before := []string{"alice own", "carol followers"}
		if got := following(alice); !reflect.DeepEqual(got, before) {
			t.Fatalf("before following the tag: %v", got)
		}

		e.followTag(alice, "launch")
		// Not bob's followers-only post (alice does not follow bob), not the group posts
		// (the Following tab has none; alice cannot see club's at all), not the comment.
		want := []string{"alice own", "carol followers", "bob site #launch", "bob company #Launch"}
		if got := following(alice); !reflect.DeepEqual(got, want) {
			t.Fatalf("following with #launch = %v, want %v", got, want)
		}
		// The full feed held them already; a followed tag adds nothing there.
		all, _ := e.pageAll(alice, social.FeedQuery{})
		for _, s := range all {
			if s == "club #launch" || s == "bob followers #launch" {
				t.Fatalf("full feed shows %q", s)
			}
		}
		// The tag's page shows the same rules: team's post for a member, never club's.
		page, err := e.svc.Tags.Page(e.ctx, alice, "launch", "", 0)
		if err != nil {
			t.Fatal(err)
		}
		wantPage := []string{"team #launch", "bob site #launch", "bob company #Launch"}
		if got := sources(page.Feed.Posts); !reflect.DeepEqual(got, wantPage) || !page.Following || page.Posts != 3 {
			t.Fatalf("tag page = %v (following %v, %d posts)", got, page.Following, page.Posts)
		}

		// A guest following the tag still sees only what guests see.
		e.followTag(guest, "launch")
		if got := following(guest); len(got) != 0 {
			t.Fatalf("guest's following feed = %v", got)
		}
		if page, err := e.svc.Tags.Page(e.ctx, guest, "launch", "", 0); err != nil || len(page.Feed.Posts) != 0 || page.Posts != 0 {
			t.Fatalf("guest's tag page = %v, %v", page, err)
		}

		if _, err := e.svc.Tags.Unfollow(e.ctx, alice, "launch"); err != nil {
			t.Fatal(err)
		}
		if got := following(alice); !reflect.DeepEqual(got, before) {
			t.Fatalf("after unfollowing: %v", got)
		}
	})
}

// TestRemoteTaggedPosts checks that posts from other nodes keep their hashtags, in the
// local form, and reach tag pages and tag followers.
func TestRemoteTaggedPosts(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		alice := e.member("alice")
		bob := e.remoteActor("bob", model.TrustSibling)
		p := social.RemotePost{URI: nodeB + "/posts/t1", Audience: model.AudienceCompany, Source: "remote launch",
			HTML: `<p>We <a href="` + nodeB + `/tags/launch">#Launch</a> today at the <a href="` + nodeB + `/tags/Caf%C3%A9" class="mention hashtag" rel="tag">#<span>Café</span></a>, ` +
				`see <a href="` + nodeB + `/docs">the plan</a> and <a href="` + nodeB + `/tags/other">#other</a> &amp; <a href="` + nodeB + `/x">#2026</a></p>`,
			CreatedAt: time.Date(2026, 11, 25, 8, 0, 0, 0, time.UTC),
			Tags:      []string{"#Launch", "#2026", "Plan-B", "#launch", "#Café"}}
		if err := e.svc.Remote.ReceivePost(e.ctx, e.in(bob, model.TrustSibling), p); err != nil {
			t.Fatal(err)
		}
		stored, err := e.store.PostByURI(e.ctx, p.URI)
		if err != nil {
			t.Fatal(err)
		}
		tags, err := e.store.TagsOfPost(e.ctx, stored.ID)
		if err != nil {
			t.Fatal(err)
		}
		// Lower-cased without '#', repeats, digits-only and malformed names dropped.
		if want := []string{"café", "launch"}; !reflect.DeepEqual(sortedCopy(tags), want) {
			t.Fatalf("stored tags = %v, want %v", tags, want)
		}

		// Links to the post's hashtags lead to the tag pages here, as in local posts; other
		// links, and hashtags the Note did not list, stay as they came.
		for _, want := range []string{
			`<a href="/tags/launch" class="hashtag">#Launch</a>`,
			`<a href="/tags/café" class="hashtag">#<span>Café</span></a>`,
			`<a href="` + nodeB + `/docs" rel="nofollow noopener" target="_blank">the plan</a>`,
			`<a href="` + nodeB + `/tags/other" rel="nofollow noopener" target="_blank">#other</a> &amp; <a href="` + nodeB + `/x" rel="nofollow noopener" target="_blank">#2026</a>`,
		} {
			if !strings.Contains(stored.HTML, want) {
				t.Fatalf("stored HTML lacks %s:\n%s", want, stored.HTML)
			}
		}
		page, err := e.svc.Tags.Page(e.ctx, alice, "#LAUNCH", "", 0)
		if err != nil || !reflect.DeepEqual(sources(page.Feed.Posts), []string{"remote launch"}) {
			t.Fatalf("tag page = %v, %v", page, err)
		}
		got, _ := e.pageAll(alice, social.FeedQuery{Following: true})
		if len(got) != 0 {
			t.Fatalf("following before the tag = %v", got)
		}
		e.followTag(alice, "café")
		if got, _ := e.pageAll(alice, social.FeedQuery{Following: true}); !reflect.DeepEqual(got, []string{"remote launch"}) {
			t.Fatalf("following #café = %v", got)
		}
	})
}

func sortedCopy(in []string) []string {
	out := append([]string(nil), in...)
	for i := range out {
		for j := i + 1; j < len(out); j++ {
			if out[j] < out[i] {
				out[i], out[j] = out[j], out[i]
			}
		}
	}
	return out
}

func TestTagFiguresAndTrending(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		alice := e.member("alice")
		bob := e.member("bob")
		carol := e.member("carol")
		// Old posts: counted in all, not in the last seven days.
		e.post(bob, "old #ops", model.AudienceCompany)
		e.post(bob, "old #ops again", model.AudienceCompany)
		e.clock.Advance(10 * 24 * time.Hour)
		e.post(bob, "#ops now", model.AudienceCompany)
		e.post(carol, "#ops too", model.AudienceCompany)
		e.post(carol, "#ops hidden", model.AudienceFollowers) // alice does not follow carol
		e.post(bob, "#hiring", model.AudienceCompany)
		e.post(bob, "#hiring more", model.AudienceCompany)
		e.post(carol, "#hiring #ops", model.AudienceSite)
		e.post(bob, "only #hiring", model.AudienceCompany)

		info, err := e.svc.Tags.Info(e.ctx, alice, "ops")
		if err != nil {
			t.Fatal(err)
		}
		if info.Posts != 5 || info.RecentPosts != 3 || info.RecentAccounts != 2 || info.Following {
			t.Fatalf("ops = %+v", info)
		}
		// Carol sees her followers-only post.
		if info, err := e.svc.Tags.Info(e.ctx, carol, "ops"); err != nil || info.Posts != 6 {
			t.Fatalf("ops for carol = %+v, %v", info, err)
		}
		if info, err := e.svc.Tags.Info(e.ctx, alice, "unused"); err != nil || info.Posts != 0 {
			t.Fatalf("unused = %+v, %v", info, err)
		}

		trend, err := e.svc.Tags.Trending(e.ctx, alice, 10)
		if err != nil {
			t.Fatal(err)
		}
		// Both tags were used by two people this week; #hiring in more posts.
		want := []social.TagCount{{Tag: "hiring", Posts: 4, Accounts: 2}, {Tag: "ops", Posts: 3, Accounts: 2}}
		if !reflect.DeepEqual(trend, want) {
			t.Fatalf("trending = %+v, want %+v", trend, want)
		}

		days, err := e.svc.Tags.History(e.ctx, alice, "ops")
		if err != nil || len(days) != 7 {
			t.Fatalf("history = %v, %v", days, err)
		}
		if days[0].Posts != 3 || days[0].Accounts != 2 || !days[0].Day.Equal(days[1].Day.Add(24*time.Hour)) {
			t.Fatalf("history today = %+v, yesterday %+v", days[0], days[1])
		}
		for _, d := range days[1:] {
			if d.Posts != 0 {
				t.Fatalf("history %+v", days)
			}
		}
	})
}
