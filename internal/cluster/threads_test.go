package cluster_test

import (
	"context"
	"strings"
	"testing"

	"github.com/atrium-intranet/atrium/activitypub"
	"github.com/atrium-intranet/atrium/internal/cluster"
	"github.com/atrium-intranet/atrium/internal/testrig"
	"github.com/atrium-intranet/atrium/model"
	"github.com/atrium-intranet/atrium/social"
)

// copyOf returns n's copy of the post with id uri, failing the test when it is missing.
func copyOf(t *testing.T, n *cluster.Node, uri string) *model.Post {
	t.Helper()
	p, err := n.Store.PostByURI(context.Background(), uri)
	if err != nil {
		t.Fatalf("%s: post %s: %v", n.Name, uri, err)
	}
	return p
}

// comment answers the post with id uri, from n's copy of it.
func comment(t *testing.T, n *cluster.Node, author *model.Account, uri, src string) *model.Post {
	t.Helper()
	parent := copyOf(t, n, uri)
	c, err := n.Social.Posts.Create(context.Background(), author, social.PostInput{Source: src, InReplyToID: parent.ID})
	if err != nil {
		t.Fatalf("%s: comment: %v", n.Name, err)
	}
	return c
}

// checkThread checks that n's copy of the comment uri answers parentURI in the thread of
// rootURI, all three as n knows them.
func checkThread(t *testing.T, n *cluster.Node, uri, parentURI, rootURI string) {
	t.Helper()
	c, parent, root := copyOf(t, n, uri), copyOf(t, n, parentURI), copyOf(t, n, rootURI)
	if c.InReplyToID == nil || *c.InReplyToID != parent.ID || c.RootID == nil || *c.RootID != root.ID {
		t.Errorf("%s: comment %s answers %v in thread %v, want %s in %s", n.Name, uri, c.InReplyToID, c.RootID, parent.ID, root.ID)
	}
	if c.Audience != root.Audience {
		t.Errorf("%s: comment audience %q, thread's %q", n.Name, c.Audience, root.Audience)
	}
}

// TestThreads follows a thread across three sibling nodes: a comment from Berlin on a
// Munich post and a reply from Vienna arrive threaded on every node; edits update the
// copies and keep their history; deleting a comment and then the post removes them
// everywhere, the post with its comments.
func TestThreads(t *testing.T) {
	for _, dialect := range testrig.Dialects {
		t.Run(dialect, func(t *testing.T) {
			ctx := context.Background()
			nodes := cluster.Start(t, dialect, "Berlin", "Munich", "Vienna")
			berlin, munich, vienna := nodes[0], nodes[1], nodes[2]
			cluster.Connect(nodes...)
			alice := berlin.User("alice")
			bob := munich.User("bob")
			vera := vienna.User("vera")

			post := publish(t, munich, bob, "Plans for *Q3*", model.AudienceCompany)
			cluster.Eventually(t, "the post reaches Berlin and Vienna", func() bool {
				return hasPost(berlin, post.URI) && hasPost(vienna, post.URI)
			})

			c1 := comment(t, berlin, alice, post.URI, "Count Berlin in")
			if got, want := inboxesOf(berlin, activitypub.CreateID(c1.URI)), origins(munich, vienna); !equal(got, want) {
				t.Errorf("comment queued for %v, want %v", got, want)
			}
			cluster.Eventually(t, "the comment reaches Munich and Vienna", func() bool {
				return hasPost(munich, c1.URI) && hasPost(vienna, c1.URI)
			})
			for _, n := range []*cluster.Node{munich, vienna} {
				checkThread(t, n, c1.URI, post.URI, post.URI)
			}
			view, err := munich.Social.Posts.View(ctx, bob, post.ID)
			if err != nil || len(view.Comments) != 1 || view.Comments[0].Post.URI != c1.URI || view.Comments[0].Author.URI != alice.URI {
				t.Fatalf("Bob's view of his post: %+v, %v", view, err)
			}

			c2 := comment(t, vienna, vera, c1.URI, "Vienna too")
			cluster.Eventually(t, "the reply reaches Munich and Berlin", func() bool {
				return hasPost(munich, c2.URI) && hasPost(berlin, c2.URI)
			})
			for _, n := range []*cluster.Node{munich, berlin} {
				checkThread(t, n, c2.URI, c1.URI, post.URI)
			}

			t.Run("edit", func(t *testing.T) {
				if _, err := munich.Social.Posts.Edit(ctx, bob, post.ID, "Plans for *Q4*"); err != nil {
					t.Fatal(err)
				}
				if _, err := berlin.Social.Posts.Edit(ctx, alice, c1.ID, "Count Berlin in, twice"); err != nil {
					t.Fatal(err)
				}
				cluster.Eventually(t, "the edits arrive", func() bool {
					return strings.Contains(copyOf(t, berlin, post.URI).HTML, "Q4") &&
						strings.Contains(copyOf(t, vienna, post.URI).HTML, "Q4") &&
						strings.Contains(copyOf(t, munich, c1.URI).HTML, "twice")
				})
				for _, x := range []struct {
					n        *cluster.Node
					uri, old string
				}{{berlin, post.URI, "Q3"}, {vienna, post.URI, "Q3"}, {munich, c1.URI, "Count Berlin in</p>"}} {
					cp := copyOf(t, x.n, x.uri)
					if cp.EditedAt == nil {
						t.Errorf("%s: copy of %s not marked edited", x.n.Name, x.uri)
					}
					edits, err := x.n.Store.PostEdits(ctx, cp.ID)
					if err != nil || len(edits) != 1 || !strings.Contains(edits[0].HTML, x.old) {
						t.Errorf("%s: history of %s: %+v, %v; want the version with %q", x.n.Name, x.uri, edits, err, x.old)
					}
				}
			})

			t.Run("delete comment", func(t *testing.T) {
				if err := vienna.Social.Posts.Delete(ctx, vera, c2.ID); err != nil {
					t.Fatal(err)
				}
				cluster.Eventually(t, "the reply disappears", func() bool {
					return !hasPost(munich, c2.URI) && !hasPost(berlin, c2.URI)
				})
				if !hasPost(munich, c1.URI) || !hasPost(berlin, post.URI) {
					t.Error("deleting a reply removed more than the reply")
				}
			})

			t.Run("delete post", func(t *testing.T) {
				if err := munich.Social.Posts.Delete(ctx, bob, post.ID); err != nil {
					t.Fatal(err)
				}
				cluster.Eventually(t, "the post and its comments disappear", func() bool {
					for _, n := range []*cluster.Node{berlin, vienna} {
						if hasPost(n, post.URI) || hasPost(n, c1.URI) {
							return false
						}
					}
					return true
				})
				cluster.Settle(t, nodes...)
				for _, n := range nodes {
					if got := n.Count("posts"); got != 0 {
						t.Errorf("%s keeps %d posts", n.Name, got)
					}
				}
				noPublic(t, nodes...)
			})
		})
	}
}

// TestFollowersThread checks where comments on a followers-only post go. Alice's post
// reaches Munich, where Mia follows her; Mia's comment comes back to Berlin; a comment by
// Ben, Alice's colleague and follower, belongs to Alice's audience and so goes to Munich, and not to
// Vienna, where someone follows Ben but nobody may see Alice's post.
func TestFollowersThread(t *testing.T) {
	for _, dialect := range testrig.Dialects {
		t.Run(dialect, func(t *testing.T) {
			nodes := cluster.Start(t, dialect, "Berlin", "Munich", "Vienna")
			berlin, munich, vienna := nodes[0], nodes[1], nodes[2]
			cluster.Connect(nodes...)
			alice := berlin.User("alice")
			ben := berlin.User("ben")
			mia := munich.User("mia")
			vera := vienna.User("vera")
			followAndWait(t, munich, mia, berlin, "alice")
			followAndWait(t, vienna, vera, berlin, "ben")

			post := publish(t, berlin, alice, "followers only", model.AudienceFollowers)
			cluster.Eventually(t, "the post reaches Munich", func() bool { return hasPost(munich, post.URI) })

			fromMia := comment(t, munich, mia, post.URI, "seen it")
			cluster.Eventually(t, "Mia's comment reaches Berlin", func() bool { return hasPost(berlin, fromMia.URI) })
			checkThread(t, berlin, fromMia.URI, post.URI, post.URI)

			// Ben follows Alice too, so he sees her followers post on Berlin.
			if err := berlin.Social.Follows.Follow(context.Background(), ben, alice.ID); err != nil {
				t.Fatal(err)
			}
			fromBen := comment(t, berlin, ben, post.URI, "me too")
			if got, want := inboxesOf(berlin, activitypub.CreateID(fromBen.URI)), origins(munich); !equal(got, want) {
				t.Errorf("Ben's comment on Alice's followers post queued for %v, want %v (Alice's followers' nodes)", got, want)
			}
			cluster.Settle(t, nodes...)
			if hasPost(vienna, fromBen.URI) || hasPost(vienna, post.URI) || hasPost(vienna, fromMia.URI) {
				t.Error("Vienna holds part of a thread none of its users may see")
			}
			if !hasPost(munich, fromBen.URI) {
				t.Fatal("Ben's comment did not reach Munich, where Alice's follower sees the thread")
			}
			checkThread(t, munich, fromBen.URI, post.URI, post.URI)

			// Reactions, edits and deletes in the thread follow the same audience.
			react(t, munich, mia, fromBen.URI, "love", true)
			like := munich.Deliveries()[0] // the newest
			if got, want := inboxesOf(munich, like.ActivityID), origins(berlin); !equal(got, want) {
				t.Errorf("Mia's reaction on Ben's comment queued for %v, want %v", got, want)
			}
			cluster.Eventually(t, "Mia's reaction reaches Berlin", func() bool { return tally(t, berlin, fromBen.URI)["love"] == 1 })
			react(t, berlin, alice, fromBen.URI, "insightful", true)
			if got, want := inboxesOf(berlin, berlin.Deliveries()[0].ActivityID), origins(munich); !equal(got, want) {
				t.Errorf("Alice's reaction on Ben's comment queued for %v, want %v", got, want)
			}
			cluster.Eventually(t, "Alice's reaction reaches Munich", func() bool { return tally(t, munich, fromBen.URI)["insightful"] == 1 })
			edited, err := berlin.Social.Posts.Edit(context.Background(), ben, fromBen.ID, "me too, edited")
			if err != nil {
				t.Fatal(err)
			}
			if got, want := inboxesOf(berlin, activitypub.UpdateID(fromBen.URI, *edited.EditedAt)), origins(munich); !equal(got, want) {
				t.Errorf("the edit of Ben's comment queued for %v, want %v", got, want)
			}
			if err := berlin.Social.Posts.Delete(context.Background(), ben, fromBen.ID); err != nil {
				t.Fatal(err)
			}
			if got, want := inboxesOf(berlin, activitypub.DeleteID(fromBen.URI)), origins(munich); !equal(got, want) {
				t.Errorf("the delete of Ben's comment queued for %v, want %v", got, want)
			}
			cluster.Eventually(t, "Ben's comment disappears from Munich", func() bool { return !hasPost(munich, fromBen.URI) })
			noPublic(t, nodes...)
		})
	}
}
