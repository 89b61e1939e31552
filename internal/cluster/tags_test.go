package cluster_test

import (
	"context"
	"strings"
	"testing"

	"github.com/atrium-intranet/atrium/internal/cluster"
	"github.com/atrium-intranet/atrium/internal/testrig"
	"github.com/atrium-intranet/atrium/model"
	"github.com/atrium-intranet/atrium/social"
)

// TestFollowedTagAcrossNodes: a post with a hashtag written on one node reaches, on a
// sibling node, the tag's page and the Following feed of someone there who follows the
// tag but not its author, its hashtag linked to the tag page there. A followers-only
// post with the tag reaches nobody who does not follow its author.
func TestFollowedTagAcrossNodes(t *testing.T) {
	for _, dialect := range testrig.Dialects {
		t.Run(dialect, func(t *testing.T) {
			ctx := context.Background()
			nodes := cluster.Start(t, dialect, "Berlin", "Munich")
			berlin, munich := nodes[0], nodes[1]
			cluster.Connect(berlin, munich)
			alice := berlin.User("alice")
			bob := munich.User("bob")
			if _, err := berlin.Social.Tags.Follow(ctx, alice, "#launch"); err != nil {
				t.Fatal(err)
			}

			hidden := publish(t, munich, bob, "Only my followers #launch", model.AudienceFollowers)
			p := publish(t, munich, bob, "Ship it #Launch", model.AudienceCompany)
			cluster.Eventually(t, "the tagged post reaches Berlin", func() bool { return hasPost(berlin, p.URI) })
			cluster.Settle(t, nodes...)
			if hasPost(berlin, hidden.URI) {
				t.Fatal("the followers-only post reached Berlin")
			}

			feed, err := berlin.Social.Posts.Feed(ctx, alice, social.FeedQuery{Following: true})
			if err != nil {
				t.Fatal(err)
			}
			if len(feed.Posts) != 1 || feed.Posts[0].Post.URI != p.URI {
				t.Fatalf("alice's Following feed holds %d posts", len(feed.Posts))
			}
			if html := feed.Posts[0].Post.HTML; !strings.Contains(html, `<a href="/tags/launch" class="hashtag">#Launch</a>`) {
				t.Fatalf("the hashtag does not lead to Berlin's tag page: %s", html)
			}
			page, err := berlin.Social.Tags.Page(ctx, alice, "launch", "", 0)
			if err != nil || len(page.Feed.Posts) != 1 || page.Posts != 1 || !page.Following {
				t.Fatalf("Berlin's tag page: %+v, %v", page, err)
			}
		})
	}
}
