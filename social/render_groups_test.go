package social_test

import (
	"reflect"
	"testing"

	"github.com/atrium-intranet/atrium/model"
)

func TestPostsRenderGroupHandles(t *testing.T) {
	cases := []struct {
		name, src, html string
		mentions        []string
	}{
		{"local open group", "see @devs@127.0.0.1:8080!", `<p>see <a href="/groups/devs" class="mention group">@devs@127.0.0.1:8080</a>!</p>` + "\n", nil},
		{"local closed group, any case", "@Board@127.0.0.1:8080", `<p><a href="/groups/board" class="mention group">@Board@127.0.0.1:8080</a></p>` + "\n", nil},
		{"local secret group", "@hush@127.0.0.1:8080", "<p>@hush@127.0.0.1:8080</p>\n", nil},
		{"cached remote group", "@chess@127.0.0.1:8081.", `<p><a href="/groups/chess@127.0.0.1:8081" class="mention group">@chess@127.0.0.1:8081</a>.</p>` + "\n", nil},
		{"remote handle of a local name", "@devs@127.0.0.1:8081", "<p>@devs@127.0.0.1:8081</p>\n", nil},
		{"unknown group", "@nogroup@127.0.0.1:8080", "<p>@nogroup@127.0.0.1:8080</p>\n", nil},
		{"bare group name is plain", "@devs", "<p>@devs</p>\n", nil},
		{"handle of a user is no local mention", "@bob@127.0.0.1:8081", "<p>@bob@127.0.0.1:8081</p>\n", nil},
		{"user mention beside a group", "@bob and @devs@127.0.0.1:8080", `<p><a href="/users/bob" class="mention">@bob</a> and <a href="/groups/devs" class="mention group">@devs@127.0.0.1:8080</a></p>` + "\n", []string{"bob"}},
		{"not in inline code", "`@devs@127.0.0.1:8080`", "<p><code>@devs@127.0.0.1:8080</code></p>\n", nil},
		{"not in code block", "```\n@chess@127.0.0.1:8081\n```", "<pre><code>@chess@127.0.0.1:8081\n</code></pre>\n", nil},
	}
	eachEnv(t, func(t *testing.T, e *env) {
		mia := e.member("mia")
		e.member("bob")
		e.group(mia, "devs", model.GroupOpen)
		e.group(mia, "board", model.GroupClosed)
		e.group(mia, "hush", model.GroupSecret)
		if _, err := e.svc.Remote.UpsertGroup(e.ctx, model.Group{Name: "chess", Domain: "127.0.0.1:8081",
			URI: "http://127.0.0.1:8081/groups/chess", InboxURI: "http://127.0.0.1:8081/groups/chess/inbox",
			Kind: model.GroupClosed}); err != nil {
			t.Fatal(err)
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				p := e.post(mia, c.src, model.AudienceSite)
				if p.HTML != c.html {
					t.Fatalf("html = %q\nwant   %q", p.HTML, c.html)
				}
				if got := e.postMentions(p.ID); !reflect.DeepEqual(got, nonNil(c.mentions)) {
					t.Fatalf("mentions = %q, want %q", got, c.mentions)
				}
			})
		}
	})
}
