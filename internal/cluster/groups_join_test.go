package cluster_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/atrium-intranet/atrium/activitypub"
	"github.com/atrium-intranet/atrium/federation"
	"github.com/atrium-intranet/atrium/internal/cluster"
	"github.com/atrium-intranet/atrium/internal/testrig"
	"github.com/atrium-intranet/atrium/model"
	"github.com/atrium-intranet/atrium/social"
	"github.com/atrium-intranet/atrium/storage"
)

// membershipState is acct's membership state in group on n, "" when it has none.
func membershipState(t *testing.T, n *cluster.Node, groupID, accountID string) model.MemberState {
	t.Helper()
	m, err := n.Store.Membership(context.Background(), groupID, accountID)
	if errors.Is(err, storage.ErrNotFound) {
		return ""
	} else if err != nil {
		t.Fatalf("%s: membership: %v", n.Name, err)
	}
	return m.State
}

// postOn returns the post uri on n, nil when n does not have it.
func postOn(t *testing.T, n *cluster.Node, uri string) *model.Post {
	t.Helper()
	p, err := n.Store.PostByURI(context.Background(), uri)
	if errors.Is(err, storage.ErrNotFound) {
		return nil
	} else if err != nil {
		t.Fatalf("%s: post %s: %v", n.Name, uri, err)
	}
	return p
}

// TestGroupJoinAcrossNodes joins groups of another node (open, closed, secret), posts,
// comments and deletes in a group across nodes, removes and leaves (FEP-1b12).
func TestGroupJoinAcrossNodes(t *testing.T) {
	for _, dialect := range testrig.Dialects {
		t.Run(dialect, func(t *testing.T) {
			ctx := context.Background()
			nodes := cluster.Start(t, dialect, "Berlin", "Munich", "Vienna", "Graz", "Consult")
			berlin, munich, vienna, graz, consult := nodes[0], nodes[1], nodes[2], nodes[3], nodes[4]
			cluster.Connect(berlin, munich, vienna, graz)
			berlin.Allow(consult, model.TrustPartner)
			consult.Allow(berlin, model.TrustSibling)
			all := []*cluster.Node{berlin, munich, vienna, graz, consult}
			alice := berlin.User("alice")
			bob := munich.User("bob")
			carl := vienna.User("carl")
			dora := graz.User("dora")
			consult.User("pia")
			hiking := newGroup(t, berlin, alice, "hiking", model.GroupOpen, false)
			chess := newGroup(t, berlin, alice, "chess", model.GroupClosed, false)
			newGroup(t, berlin, alice, "board", model.GroupSecret, false)

			remote := func(n *cluster.Node, viewer *model.Account, name string) *social.GroupView {
				t.Helper()
				v, err := n.Social.Groups.Get(ctx, viewer, name+"@"+berlin.Host)
				if err != nil {
					t.Fatalf("%s gets %s: %v", n.Name, name, err)
				}
				return v
			}

			// Open group: requested until the group's Accept, then active on both nodes.
			hikingB := remote(munich, bob, "hiking")
			if !hikingB.CanJoin || hikingB.CanRequest {
				t.Errorf("Munich may not join an open remote group: %+v", hikingB)
			}
			st, err := munich.Social.Groups.Join(ctx, bob, hikingB.Group.ID)
			if err != nil || st != model.MemberRequested {
				t.Fatalf("join: %q %v", st, err)
			}
			cluster.Settle(t, all...)
			bobOnBerlin := berlin.Find(munich, "bob")
			if got := membershipState(t, berlin, hiking.ID, bobOnBerlin.ID); got != model.MemberActive {
				t.Errorf("Berlin: bob is %q in hiking", got)
			}
			if got := membershipState(t, munich, hikingB.Group.ID, bob.ID); got != model.MemberActive {
				t.Errorf("Munich: bob is %q in hiking", got)
			}
			hikingC := remote(vienna, carl, "hiking")
			if _, err := vienna.Social.Groups.Join(ctx, carl, hikingC.Group.ID); err != nil {
				t.Fatal(err)
			}

			// Closed group: a request until a moderator at home approves it.
			chessB := remote(munich, bob, "chess")
			if st, err := munich.Social.Groups.Join(ctx, bob, chessB.Group.ID); err != nil || st != model.MemberRequested {
				t.Fatalf("join chess: %q %v", st, err)
			}
			cluster.Settle(t, all...)
			if got := membershipState(t, berlin, chess.ID, bobOnBerlin.ID); got != model.MemberRequested {
				t.Errorf("Berlin: bob is %q in chess, want requested", got)
			}
			if got := membershipState(t, munich, chessB.Group.ID, bob.ID); got != model.MemberRequested {
				t.Errorf("Munich: bob is %q in chess, want requested", got)
			}
			if err := berlin.Social.Groups.Decide(ctx, alice, chess.ID, bobOnBerlin.ID, true); err != nil {
				t.Fatal(err)
			}
			cluster.Settle(t, all...)
			if got := membershipState(t, munich, chessB.Group.ID, bob.ID); got != model.MemberActive {
				t.Errorf("Munich: bob is %q in chess after approval", got)
			}

			// Secret group without invitation: the group rejects the Follow.
			follow, err := activitypub.NewJoin(model.NewURIs(graz.URL).Follow("dora", "x1"), dora.URI, berlin.URL+"/groups/board")
			if err != nil {
				t.Fatal(err)
			}
			body, err := activitypub.Marshal(graz.URL, follow)
			if err != nil {
				t.Fatal(err)
			}
			if r := berlin.SignedPost(graz.AccountSigner(dora), "/groups/board/inbox", body); r.Status != http.StatusAccepted {
				t.Fatalf("follow of the secret group: %d %s", r.Status, r.Body)
			}
			rejected := false
			for _, d := range berlin.DeliveriesTo(graz) {
				rejected = rejected || strings.Contains(d.Payload, `"Reject"`) && d.GroupID != nil
			}
			if !rejected {
				t.Error("no Reject signed by the secret group for Graz")
			}
			if n := berlin.Count("group_members"); n != 6 { // 3 owners, bob twice, carl
				t.Errorf("Berlin has %d memberships, want 6", n)
			}
			cluster.Settle(t, all...)

			// A post by a member on Munich reaches the home node and the other member's
			// node, never a node without members nor the partner.
			post, err := munich.Social.Posts.Create(ctx, bob, social.PostInput{Source: "Summit on Sunday", GroupID: hikingB.Group.ID})
			if err != nil {
				t.Fatal(err)
			}
			cluster.Settle(t, all...)
			onBerlin, onVienna := postOn(t, berlin, post.URI), postOn(t, vienna, post.URI)
			if onBerlin == nil || onBerlin.GroupID == nil || *onBerlin.GroupID != hiking.ID || onBerlin.State != model.PostPublished {
				t.Fatalf("Berlin has %+v", onBerlin)
			}
			if onVienna == nil || onVienna.GroupID == nil || *onVienna.GroupID != hikingC.Group.ID {
				t.Fatalf("Vienna has %+v", onVienna)
			}
			cluster.Never(t, "the group post on Graz or Consult", func() bool {
				return postOn(t, graz, post.URI) != nil || postOn(t, consult, post.URI) != nil
			}, all...)
			for _, d := range berlin.DeliveriesTo(munich) {
				if strings.Contains(d.Payload, "Announce") && strings.Contains(d.Payload, post.URI) {
					t.Error("Berlin relayed bob's post back to Munich")
				}
			}
			// Only members see it on Vienna.
			if _, err := vienna.Social.Posts.View(ctx, vienna.User("vic"), onVienna.ID); err == nil {
				t.Error("a non-member of Vienna sees the group post")
			}

			// A post on the home node and a comment from Munich on it.
			home, err := berlin.Social.Posts.Create(ctx, alice, social.PostInput{Source: "Bring boots", GroupID: hiking.ID})
			if err != nil {
				t.Fatal(err)
			}
			cluster.Settle(t, all...)
			homeOnMunich := postOn(t, munich, home.URI)
			if homeOnMunich == nil || postOn(t, vienna, home.URI) == nil {
				t.Fatal("alice's group post did not reach the members' nodes")
			}
			comment, err := munich.Social.Posts.Create(ctx, bob, social.PostInput{Source: "Will do", InReplyToID: homeOnMunich.ID})
			if err != nil {
				t.Fatal(err)
			}
			cluster.Settle(t, all...)
			if c := postOn(t, vienna, comment.URI); c == nil || c.RootID == nil {
				t.Errorf("the comment on Vienna: %+v", c)
			}
			if c := postOn(t, berlin, comment.URI); c == nil || c.RootID == nil || *c.RootID != home.ID {
				t.Errorf("the comment on Berlin: %+v", c)
			}

			// Deletion travels the same way.
			if err := munich.Social.Posts.Delete(ctx, bob, post.ID); err != nil {
				t.Fatal(err)
			}
			cluster.Settle(t, all...)
			if postOn(t, berlin, post.URI) != nil || postOn(t, vienna, post.URI) != nil {
				t.Error("the deleted group post is still on Berlin or Vienna")
			}

			// An Announce not signed by the group is refused.
			fake := cluster.NewNote(munich.URL, bob, "<p>forged</p>", model.AudienceGroup)
			create, err := activitypub.NewCreate(activitypub.PostActivity{URIs: model.NewURIs(munich.URL), Post: fake, Author: bob,
				Extras: activitypub.NoteExtras{GroupURI: hiking.URI}})
			if err != nil {
				t.Fatal(err)
			}
			ann, err := activitypub.NewAnnounce(hiking.URI, create)
			if err != nil {
				t.Fatal(err)
			}
			annBody, err := activitypub.Marshal(berlin.URL, ann)
			if err != nil {
				t.Fatal(err)
			}
			for name, s := range map[string]*federation.Signer{
				"a member's key": berlin.AccountSigner(alice), "the node key": berlin.NodeSigner(),
			} {
				if r := vienna.SignedPost(s, "/inbox", annBody); r.Status != http.StatusUnauthorized {
					t.Errorf("Announce signed with %s: %d, want 401", name, r.Status)
				}
			}
			if postOn(t, vienna, fake.URI) != nil {
				t.Error("the forged Announce stored a post")
			}

			// A removed member's node stops receiving.
			carlOnBerlin := berlin.Find(vienna, "carl")
			if err := berlin.Social.Groups.Remove(ctx, alice, hiking.ID, carlOnBerlin.ID, false); err != nil {
				t.Fatal(err)
			}
			cluster.Settle(t, all...)
			if got := membershipState(t, vienna, hikingC.Group.ID, carl.ID); got != "" {
				t.Errorf("Vienna: carl is still %q in hiking", got)
			}
			after, err := berlin.Social.Posts.Create(ctx, alice, social.PostInput{Source: "Without Vienna", GroupID: hiking.ID})
			if err != nil {
				t.Fatal(err)
			}
			cluster.Settle(t, all...)
			if postOn(t, munich, after.URI) == nil {
				t.Error("Munich did not get the post after the removal")
			}
			cluster.Never(t, "the post on Vienna after carl's removal", func() bool {
				return postOn(t, vienna, after.URI) != nil
			}, all...)

			// Leaving: Undo{Follow} ends the membership at home.
			if err := munich.Social.Groups.Leave(ctx, bob, hikingB.Group.ID); err != nil {
				t.Fatal(err)
			}
			cluster.Settle(t, all...)
			if got := membershipState(t, berlin, hiking.ID, bobOnBerlin.ID); got != "" {
				t.Errorf("Berlin: bob is still %q in hiking after leaving", got)
			}
		})
	}
}
