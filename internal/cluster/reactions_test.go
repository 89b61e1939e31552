package cluster_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/atrium-intranet/atrium/internal/cluster"
	"github.com/atrium-intranet/atrium/internal/testrig"
	"github.com/atrium-intranet/atrium/model"
)

// tally returns the reaction counts of n's copy of the post uri, by kind.
func tally(t *testing.T, n *cluster.Node, uri string) map[string]int {
	t.Helper()
	p := copyOf(t, n, uri)
	counts, err := n.Store.CountPosts(context.Background(), []string{p.ID}, "")
	if err != nil {
		t.Fatalf("%s: tallies: %v", n.Name, err)
	}
	out := map[string]int{}
	for _, r := range counts.Tallies {
		if r.N > 0 {
			out[r.Kind] = r.N
		}
	}
	return out
}

// react adds (on) or removes a reaction of viewer on n's copy of the post uri.
func react(t *testing.T, n *cluster.Node, viewer *model.Account, uri, kind string, on bool) {
	t.Helper()
	if err := n.Social.Posts.React(context.Background(), viewer, copyOf(t, n, uri).ID, kind, on); err != nil {
		t.Fatalf("%s: react %s %v: %v", n.Name, kind, on, err)
	}
}

// TestReactions likes and reacts with emoji across nodes, then undoes both: the counts on
// the author's node, and on the third node showing the post, follow each step.
func TestReactions(t *testing.T) {
	for _, dialect := range testrig.Dialects {
		t.Run(dialect, func(t *testing.T) {
			nodes := cluster.Start(t, dialect, "Berlin", "Munich", "Vienna")
			berlin, munich, vienna := nodes[0], nodes[1], nodes[2]
			cluster.Connect(nodes...)
			alice := berlin.User("alice")
			bob := munich.User("bob")
			vera := vienna.User("vera")
			post := publish(t, munich, bob, "Lunch at noon?", model.AudienceCompany)
			cluster.Eventually(t, "the post reaches Berlin and Vienna", func() bool {
				return hasPost(berlin, post.URI) && hasPost(vienna, post.URI)
			})

			// wantEverywhere waits until every node shows the counts want for the post.
			wantEverywhere := func(what string, want map[string]int) {
				t.Helper()
				cluster.Eventually(t, what, func() bool {
					for _, n := range nodes {
						if fmt.Sprint(tally(t, n, post.URI)) != fmt.Sprint(want) {
							return false
						}
					}
					return true
				})
			}

			react(t, berlin, alice, post.URI, model.ReactionLike, true)
			react(t, vienna, vera, post.URI, "celebrate", true)
			react(t, berlin, alice, post.URI, "celebrate", true)
			wantEverywhere("a like and two 🎉", map[string]int{"like": 1, "celebrate": 2})

			// Repeating a reaction sends nothing and counts once.
			queued := len(berlin.Deliveries())
			react(t, berlin, alice, post.URI, model.ReactionLike, true)
			if got := len(berlin.Deliveries()); got != queued {
				t.Errorf("a repeated like queued %d deliveries", got-queued)
			}

			react(t, berlin, alice, post.URI, model.ReactionLike, false)
			wantEverywhere("the like undone", map[string]int{"celebrate": 2})
			react(t, vienna, vera, post.URI, "celebrate", false)
			wantEverywhere("Vera's 🎉 undone", map[string]int{"celebrate": 1})

			// Bob sees the remaining reaction as Alice's.
			view, err := munich.Social.Posts.View(context.Background(), bob, post.ID)
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range view.Reactions {
				if (r.Kind == "celebrate") != (r.Count == 1) || r.Mine {
					t.Errorf("Bob's view: %+v", view.Reactions)
				}
			}
			var reactor string
			if err := munich.Store.DB().NewSelect().Table("reactions").Column("account_id").Scan(context.Background(), &reactor); err != nil {
				t.Fatal(err)
			}
			if a, err := munich.Store.Account(context.Background(), reactor); err != nil || a.URI != alice.URI {
				t.Errorf("the reaction on Munich is by %+v, %v; want Alice", a, err)
			}

			// A reaction on a comment reaches the comment's author.
			c := comment(t, berlin, alice, post.URI, "yes")
			cluster.Eventually(t, "the comment reaches Munich", func() bool { return hasPost(munich, c.URI) })
			react(t, munich, bob, c.URI, "love", true)
			cluster.Eventually(t, "Bob's ❤️ reaches Berlin", func() bool { return tally(t, berlin, c.URI)["love"] == 1 })
			noPublic(t, nodes...)
		})
	}
}
