package cluster_test

import (
	"context"
	"net/http"
	"net/url"
	"testing"

	"github.com/atrium-intranet/atrium/internal/cluster"
	"github.com/atrium-intranet/atrium/internal/testrig"
	"github.com/atrium-intranet/atrium/model"
	"github.com/atrium-intranet/atrium/social"
)

// notePath is the path of a post's Note on its node.
func notePath(t *testing.T, p *model.Post) string {
	t.Helper()
	u, err := url.Parse(p.URI)
	if err != nil {
		t.Fatal(err)
	}
	return u.Path
}

// hasPost reports whether n holds a copy of the post with id uri.
func hasPost(n *cluster.Node, uri string) bool {
	_, err := n.Store.PostByURI(context.Background(), uri)
	return err == nil
}

// publish publishes a post, failing the test on error.
func publish(t *testing.T, n *cluster.Node, author *model.Account, src string, audience model.Audience) *model.Post {
	t.Helper()
	p, err := n.Social.Posts.Create(context.Background(), author, social.PostInput{Source: src, Audience: audience})
	if err != nil {
		t.Fatalf("%s: create post: %v", n.Name, err)
	}
	return p
}

// followAndWait makes follower (of n) follow followee (of other) and waits for the Accept.
func followAndWait(t *testing.T, n *cluster.Node, follower *model.Account, other *cluster.Node, followee string) *model.Account {
	t.Helper()
	ctx := context.Background()
	remote := n.Find(other, followee)
	if err := n.Social.Follows.Follow(ctx, follower, remote.ID); err != nil {
		t.Fatalf("%s follows %s: %v", follower.Username, followee, err)
	}
	cluster.Eventually(t, follower.Username+"'s follow of "+followee+" accepted", func() bool {
		following, pending, err := n.Social.Follows.State(ctx, follower, remote.ID)
		return err == nil && following && !pending
	})
	return remote
}

// TestFollowAcceptUndo follows across nodes, checks both sides, then unfollows: the Undo
// removes the follow on the followee's node, and a followers post no longer arrives
// (not queued, not stored, not even fetchable by the former follower's node).
func TestFollowAcceptUndo(t *testing.T) {
	for _, dialect := range testrig.Dialects {
		t.Run(dialect, func(t *testing.T) {
			ctx := context.Background()
			nodes := cluster.Start(t, dialect, "Berlin", "Munich")
			berlin, munich := nodes[0], nodes[1]
			cluster.Connect(berlin, munich)
			alice := berlin.User("alice")
			bob := munich.User("bob")

			remoteBob := followAndWait(t, berlin, alice, munich, "bob")
			// Munich knows Alice as a remote follower of Bob, accepted.
			var aliceOnMunich *model.Account
			cluster.Eventually(t, "Munich stores Alice's follow", func() bool {
				a, err := munich.Store.AccountByURI(ctx, alice.URI)
				if err != nil {
					return false
				}
				aliceOnMunich = a
				ok, err := munich.Store.IsFollowing(ctx, a.ID, bob.ID)
				return err == nil && ok
			})
			if aliceOnMunich.Domain != berlin.Host || aliceOnMunich.Role != model.RoleMember {
				t.Errorf("Alice on Munich: domain %q role %q", aliceOnMunich.Domain, aliceOnMunich.Role)
			}

			first := publish(t, munich, bob, "for my followers", model.AudienceFollowers)
			cluster.Eventually(t, "the followers post reaches Berlin", func() bool { return hasPost(berlin, first.URI) })
			if got := munich.SignedGet(berlin.NodeSigner(), notePath(t, first)).Status; got != http.StatusOK {
				t.Errorf("Berlin fetches a followers post while following: %d", got)
			}

			if err := berlin.Social.Follows.Unfollow(ctx, alice, remoteBob.ID); err != nil {
				t.Fatal(err)
			}
			cluster.Eventually(t, "Munich drops Alice's follow", func() bool {
				ok, err := munich.Store.IsFollowing(ctx, aliceOnMunich.ID, bob.ID)
				return err == nil && !ok
			})
			if following, pending, err := berlin.Social.Follows.State(ctx, alice, remoteBob.ID); err != nil || following || pending {
				t.Errorf("Berlin still has the follow: %v %v %v", following, pending, err)
			}

			queued := len(munich.Deliveries())
			second := publish(t, munich, bob, "after the unfollow", model.AudienceFollowers)
			cluster.Settle(t, berlin, munich)
			if got := len(munich.Deliveries()); got != queued {
				t.Errorf("the followers post was queued: %d rows, want %d", got, queued)
			}
			if hasPost(berlin, second.URI) {
				t.Error("the followers post reached Berlin after the unfollow")
			}
			if got := munich.SignedGet(berlin.NodeSigner(), notePath(t, second)).Status; got != http.StatusNotFound {
				t.Errorf("Berlin fetches a followers post after the unfollow: %d, want 404", got)
			}
			// The first post stays where it is: unfollowing does not recall what was seen.
			if !hasPost(berlin, first.URI) {
				t.Error("the earlier post vanished from Berlin")
			}
			noPublic(t, nodes...)
		})
	}
}
