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

// TestFollowAndPost is the basic round trip: Alice in Berlin follows Bob in Munich, Bob
// accepts automatically, and Bob's company post reaches Alice's feed.
func TestFollowAndPost(t *testing.T) {
	for _, dialect := range testrig.Dialects {
		t.Run(dialect, func(t *testing.T) {
			ctx := context.Background()
			nodes := cluster.Start(t, dialect, "Berlin", "Munich")
			berlin, munich := nodes[0], nodes[1]
			cluster.Connect(berlin, munich)
			alice := berlin.User("alice")
			bob := munich.User("bob")

			remoteBob := berlin.Find(munich, "bob")
			if err := berlin.Social.Follows.Follow(ctx, alice, remoteBob.ID); err != nil {
				t.Fatal(err)
			}
			cluster.Eventually(t, "Munich accepts the follow", func() bool {
				following, pending, err := berlin.Social.Follows.State(ctx, alice, remoteBob.ID)
				return err == nil && following && !pending
			})
			post, err := munich.Social.Posts.Create(ctx, bob, social.PostInput{Source: "Hello from **Munich**", Audience: model.AudienceCompany})
			if err != nil {
				t.Fatal(err)
			}
			cluster.Eventually(t, "the post reaches Berlin", func() bool {
				_, err := berlin.Store.PostByURI(ctx, post.URI)
				return err == nil
			})
			feed, err := berlin.Social.Posts.Feed(ctx, alice, social.FeedQuery{Following: true})
			if err != nil || len(feed.Posts) != 1 || feed.Posts[0].Post.URI != post.URI {
				t.Fatalf("Alice's feed: %+v, %v", feed, err)
			}
			if got := strings.TrimSpace(feed.Posts[0].Post.HTML); got != "<p>Hello from <strong>Munich</strong></p>" {
				t.Errorf("stored HTML %q", got)
			}
		})
	}
}
