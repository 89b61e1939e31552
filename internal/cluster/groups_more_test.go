package cluster_test

import (
	"context"
	"testing"

	"github.com/atrium-intranet/atrium/internal/cluster"
	"github.com/atrium-intranet/atrium/internal/testrig"
	"github.com/atrium-intranet/atrium/model"
	"github.com/atrium-intranet/atrium/social"
)

// relayed waits until cond holds on each of nodes. What a group relays crosses two
// nodes, and Settle may look at the second before the first has queued the relay.
func relayed(t *testing.T, what string, cond func(n *cluster.Node) bool, nodes ...*cluster.Node) {
	t.Helper()
	for _, n := range nodes {
		cluster.Eventually(t, n.Name+": "+what, func() bool { return cond(n) })
	}
	cluster.Settle(t, nodes...)
}

// reactions is true of a node storing want reactions.
func reactions(want int) func(n *cluster.Node) bool {
	return func(n *cluster.Node) bool { return n.Count("reactions") == want }
}

// TestGroupEditsAndReactionsAcrossNodes edits a group post and reacts on group posts
// from member nodes and from the home node: the group relays each (Announce) to the
// other members' nodes.
func TestGroupEditsAndReactionsAcrossNodes(t *testing.T) {
	for _, dialect := range testrig.Dialects {
		t.Run(dialect, func(t *testing.T) {
			ctx := context.Background()
			nodes := cluster.Start(t, dialect, "Berlin", "Munich", "Vienna")
			berlin, munich, vienna := nodes[0], nodes[1], nodes[2]
			cluster.Connect(berlin, munich, vienna)
			alice, bob, carl := berlin.User("alice"), munich.User("bob"), vienna.User("carl")
			newGroup(t, berlin, alice, "hiking", model.GroupOpen, false)
			join := func(n *cluster.Node, who *model.Account) *model.Group {
				t.Helper()
				v, err := n.Social.Groups.Get(ctx, who, "hiking@"+berlin.Host)
				if err != nil {
					t.Fatal(err)
				}
				if _, err := n.Social.Groups.Join(ctx, who, v.Group.ID); err != nil {
					t.Fatal(err)
				}
				return v.Group
			}
			hikingB, _ := join(munich, bob), join(vienna, carl)
			cluster.Settle(t, nodes...)

			post, err := munich.Social.Posts.Create(ctx, bob, social.PostInput{Source: "Summit on Sunday", GroupID: hikingB.ID})
			if err != nil {
				t.Fatal(err)
			}
			cluster.Settle(t, nodes...)

			// The edit reaches the home node and the other member's node, history kept.
			if _, err := munich.Social.Posts.Edit(ctx, bob, post.ID, "Summit on Saturday"); err != nil {
				t.Fatal(err)
			}
			relayed(t, "the edit", func(n *cluster.Node) bool {
				p := postOn(t, n, post.URI)
				return p != nil && p.Source == "Summit on Saturday"
			}, berlin, vienna)
			for _, n := range []*cluster.Node{berlin, vienna} {
				p := postOn(t, n, post.URI)
				if p == nil || p.Source != "Summit on Saturday" || p.EditedAt == nil {
					t.Fatalf("%s has %+v after the edit", n.Name, p)
				}
				edits, err := n.Store.PostEdits(ctx, p.ID)
				if err != nil || len(edits) != 1 || edits[0].Source != "Summit on Sunday" {
					t.Errorf("%s: history %+v %v", n.Name, edits, err)
				}
			}

			// A like on a member node is counted on the home node and the other member's.
			onVienna := postOn(t, vienna, post.URI)
			if err := vienna.Social.Posts.React(ctx, carl, onVienna.ID, model.ReactionLike, true); err != nil {
				t.Fatal(err)
			}
			relayed(t, "carl's like counted", reactions(1), nodes...)
			// A reaction on the home node goes out as the group's Announce.
			onBerlin := postOn(t, berlin, post.URI)
			if err := berlin.Social.Posts.React(ctx, alice, onBerlin.ID, "celebrate", true); err != nil {
				t.Fatal(err)
			}
			relayed(t, "alice's reaction counted", reactions(2), nodes...)
			// Undo removes it everywhere.
			if err := vienna.Social.Posts.React(ctx, carl, onVienna.ID, model.ReactionLike, false); err != nil {
				t.Fatal(err)
			}
			relayed(t, "carl's like withdrawn", reactions(1), nodes...)
		})
	}
}

// TestGroupPreModerationAcrossNodes posts in a pre-moderated group from a member node:
// the post is pending there (its author sees it, nobody else) and at home until a
// moderator approves it; the group's Announce then publishes it on the author's node
// and brings it to the other members' nodes.
func TestGroupPreModerationAcrossNodes(t *testing.T) {
	for _, dialect := range testrig.Dialects {
		t.Run(dialect, func(t *testing.T) {
			ctx := context.Background()
			nodes := cluster.Start(t, dialect, "Berlin", "Munich", "Vienna")
			berlin, munich, vienna := nodes[0], nodes[1], nodes[2]
			cluster.Connect(berlin, munich, vienna)
			alice, bob, carl := berlin.User("alice"), munich.User("bob"), vienna.User("carl")
			mia := munich.User("mia")
			_, err := berlin.Social.Groups.Create(ctx, alice, social.GroupInput{Name: "news", DisplayName: "News",
				Kind: model.GroupOpen, PreModeration: true})
			if err != nil {
				t.Fatal(err)
			}
			join := func(n *cluster.Node, who *model.Account) *model.Group {
				t.Helper()
				v, err := n.Social.Groups.Get(ctx, who, "news@"+berlin.Host)
				if err != nil {
					t.Fatal(err)
				}
				if !v.Group.PreModeration {
					t.Errorf("%s: the cached group is not pre-moderated", n.Name)
				}
				if _, err := n.Social.Groups.Join(ctx, who, v.Group.ID); err != nil {
					t.Fatal(err)
				}
				return v.Group
			}
			newsB := join(munich, bob)
			join(munich, mia)
			join(vienna, carl)
			cluster.Settle(t, nodes...)

			post, err := munich.Social.Posts.Create(ctx, bob, social.PostInput{Source: "Office closed Friday", GroupID: newsB.ID})
			if err != nil {
				t.Fatal(err)
			}
			if post.State != model.PostPending {
				t.Fatalf("bob's post is %q on Munich, want pending", post.State)
			}
			relayed(t, "the pending post at home", func(n *cluster.Node) bool { return postOn(t, n, post.URI) != nil }, berlin)
			if _, err := munich.Social.Posts.View(ctx, bob, post.ID); err != nil {
				t.Errorf("bob does not see his pending post: %v", err)
			}
			if _, err := munich.Social.Posts.View(ctx, mia, post.ID); err == nil {
				t.Error("another member on Munich sees the pending post")
			}
			onBerlin := postOn(t, berlin, post.URI)
			if onBerlin == nil || onBerlin.State != model.PostPending {
				t.Fatalf("Berlin has %+v, want it pending", onBerlin)
			}
			if postOn(t, vienna, post.URI) != nil {
				t.Error("the pending post reached Vienna")
			}

			if err := berlin.Social.Groups.Moderate(ctx, alice, onBerlin.ID, true); err != nil {
				t.Fatal(err)
			}
			relayed(t, "the approved post", func(n *cluster.Node) bool {
				p := postOn(t, n, post.URI)
				return p != nil && p.State == model.PostPublished
			}, munich, vienna)
			if p := postOn(t, munich, post.URI); p == nil || p.State != model.PostPublished {
				t.Fatalf("Munich has %+v after approval, want it published", p)
			}
			if _, err := munich.Social.Posts.View(ctx, mia, post.ID); err != nil {
				t.Errorf("mia does not see the approved post: %v", err)
			}
			if p := postOn(t, vienna, post.URI); p == nil || p.State != model.PostPublished || p.GroupID == nil {
				t.Errorf("Vienna has %+v after approval", p)
			}
		})
	}
}
