package cluster_test

import (
	"context"
	"net/http"
	"sort"
	"strings"
	"testing"

	"github.com/atrium-intranet/atrium/activitypub"
	"github.com/atrium-intranet/atrium/internal/cluster"
	"github.com/atrium-intranet/atrium/internal/testrig"
	"github.com/atrium-intranet/atrium/model"
	"github.com/atrium-intranet/atrium/social"
)

// inboxesOf lists the origins of the nodes a node queued the activity id for.
func inboxesOf(n *cluster.Node, activityID string) []string {
	var out []string
	for _, d := range n.Deliveries() {
		if d.ActivityID == activityID {
			o, _ := activitypub.Origin(d.InboxURI)
			out = append(out, o)
		}
	}
	sort.Strings(out)
	return out
}

// origins lists the nodes' origins, sorted.
func origins(nodes ...*cluster.Node) []string {
	var out []string
	for _, n := range nodes {
		out = append(out, n.URL)
	}
	sort.Strings(out)
	return out
}

// noPublic fails when a queued payload of any node addresses the public collection.
func noPublic(t *testing.T, nodes ...*cluster.Node) {
	t.Helper()
	for _, n := range nodes {
		for _, d := range n.Deliveries() {
			for _, bad := range []string{"activitystreams#Public", "as:Public", `"Public"`} {
				if strings.Contains(d.Payload, bad) {
					t.Errorf("%s queued a payload with %s: %s", n.Name, bad, d.Payload)
				}
			}
		}
	}
}

// TestAudiences checks the three audiences across three sibling nodes and one partner.
// The partner allows the siblings as siblings itself, so it would store what it got:
// only the senders' rules keep company posts away from it.
func TestAudiences(t *testing.T) {
	for _, dialect := range testrig.Dialects {
		t.Run(dialect, func(t *testing.T) {
			ctx := context.Background()
			nodes := cluster.Start(t, dialect, "Berlin", "Munich", "Vienna", "Consult")
			berlin, munich, vienna, consult := nodes[0], nodes[1], nodes[2], nodes[3]
			cluster.Connect(berlin, munich, vienna)
			for _, sib := range []*cluster.Node{berlin, munich, vienna} {
				sib.Allow(consult, model.TrustPartner)
				consult.Allow(sib, model.TrustSibling)
			}
			alice := berlin.User("alice")
			mia := munich.User("mia")
			vienna.User("vera")
			cora := consult.User("cora")

			followAndWait(t, munich, mia, berlin, "alice")
			// The partner's user is a guest on Berlin: her Follow is answered with Reject.
			aliceOnConsult := consult.Find(berlin, "alice")
			if err := consult.Social.Follows.Follow(ctx, cora, aliceOnConsult.ID); err != nil {
				t.Fatalf("cora follows alice: %v", err)
			}
			cluster.Eventually(t, "cora's follow of alice rejected", func() bool {
				following, pending, err := consult.Social.Follows.State(ctx, cora, aliceOnConsult.ID)
				return err == nil && !following && !pending
			})
			coraOnBerlin, err := berlin.Store.AccountByURI(ctx, cora.URI)
			if err != nil || coraOnBerlin.Role != model.RoleGuest {
				t.Fatalf("Cora on Berlin: %+v, %v; want a guest", coraOnBerlin, err)
			}
			cluster.Settle(t, nodes...)
			all := []*cluster.Node{munich, vienna, consult}

			t.Run("site", func(t *testing.T) {
				before := len(berlin.Deliveries())
				p := publish(t, berlin, alice, "only for Berlin", model.AudienceSite)
				cluster.Settle(t, nodes...)
				if got := len(berlin.Deliveries()); got != before {
					t.Errorf("a site post queued %d deliveries", got-before)
				}
				for _, n := range all {
					if hasPost(n, p.URI) {
						t.Errorf("the site post is on %s", n.Name)
					}
					if got := berlin.SignedGet(n.NodeSigner(), notePath(t, p)).Status; got != http.StatusNotFound {
						t.Errorf("%s fetches the site post: %d, want 404", n.Name, got)
					}
				}
			})

			t.Run("company", func(t *testing.T) {
				p := publish(t, berlin, alice, "for the whole company", model.AudienceCompany)
				if got, want := inboxesOf(berlin, activitypub.CreateID(p.URI)), origins(munich, vienna); !equal(got, want) {
					t.Errorf("company post queued for %v, want %v", got, want)
				}
				cluster.Eventually(t, "the company post reaches Munich and Vienna", func() bool {
					return hasPost(munich, p.URI) && hasPost(vienna, p.URI)
				})
				cluster.Settle(t, nodes...)
				if hasPost(consult, p.URI) {
					t.Error("the company post reached the partner")
				}
				if got := berlin.SignedGet(munich.NodeSigner(), notePath(t, p)).Status; got != http.StatusOK {
					t.Errorf("a sibling fetches the company post: %d, want 200", got)
				}
				for _, s := range []struct {
					name string
					code int
				}{
					{"node actor", berlin.SignedGet(consult.NodeSigner(), notePath(t, p)).Status},
					{"follower", berlin.SignedGet(consult.AccountSigner(cora), notePath(t, p)).Status},
				} {
					if s.code != http.StatusNotFound {
						t.Errorf("the partner (%s) fetches the company post: %d, want 404", s.name, s.code)
					}
				}

				// A sibling's comment on it goes to the siblings and never to the partner.
				onMunich, err := munich.Store.PostByURI(ctx, p.URI)
				if err != nil {
					t.Fatal(err)
				}
				c, err := munich.Social.Posts.Create(ctx, mia, social.PostInput{Source: "from Munich", InReplyToID: onMunich.ID})
				if err != nil {
					t.Fatal(err)
				}
				if got, want := inboxesOf(munich, activitypub.CreateID(c.URI)), origins(berlin, vienna); !equal(got, want) {
					t.Errorf("comment on a company post queued for %v, want %v", got, want)
				}
				cluster.Eventually(t, "the comment reaches Berlin and Vienna", func() bool {
					return hasPost(berlin, c.URI) && hasPost(vienna, c.URI)
				})
				cluster.Settle(t, nodes...)
				if hasPost(consult, c.URI) {
					t.Error("the comment reached the partner")
				}
				if got := munich.SignedGet(consult.NodeSigner(), notePath(t, c)).Status; got != http.StatusNotFound {
					t.Errorf("the partner fetches the comment: %d, want 404", got)
				}
			})

			t.Run("partner cannot address the company", func(t *testing.T) {
				before := berlin.Counts()
				p := publish(t, consult, cora, "to everyone at the client", model.AudienceCompany)
				if got, want := inboxesOf(consult, activitypub.CreateID(p.URI)), origins(berlin, munich, vienna); !equal(got, want) {
					t.Fatalf("the partner queued its company post for %v, want %v", got, want)
				}
				cluster.Settle(t, nodes...)
				for _, n := range []*cluster.Node{berlin, munich, vienna} {
					if hasPost(n, p.URI) {
						t.Errorf("a partner's company post is on %s", n.Name)
					}
				}
				for _, d := range consult.Deliveries() {
					if d.ActivityID == activitypub.CreateID(p.URI) && d.Status != model.DeliveryFailed {
						t.Errorf("delivery to %s: %s (%s), want failed", d.InboxURI, d.Status, d.LastError)
					}
				}
				if after := berlin.Counts(); after["posts"] != before["posts"] {
					t.Errorf("Berlin's posts went from %d to %d", before["posts"], after["posts"])
				}
			})

			t.Run("followers", func(t *testing.T) {
				p := publish(t, berlin, alice, "for my followers", model.AudienceFollowers)
				if got, want := inboxesOf(berlin, activitypub.CreateID(p.URI)), origins(munich); !equal(got, want) {
					t.Errorf("followers post queued for %v, want %v", got, want)
				}
				cluster.Eventually(t, "the followers post reaches Munich", func() bool { return hasPost(munich, p.URI) })
				cluster.Settle(t, nodes...)
				for _, n := range []*cluster.Node{vienna, consult} {
					if hasPost(n, p.URI) {
						t.Errorf("the followers post reached %s, where nobody may follow Alice", n.Name)
					}
					if got := berlin.SignedGet(n.NodeSigner(), notePath(t, p)).Status; got != http.StatusNotFound {
						t.Errorf("%s fetches the followers post: %d, want 404", n.Name, got)
					}
				}
				if got := berlin.SignedGet(consult.AccountSigner(cora), notePath(t, p)).Status; got != http.StatusNotFound {
					t.Errorf("the partner's user fetches the followers post: %d, want 404", got)
				}
				if got := berlin.SignedGet(munich.NodeSigner(), notePath(t, p)).Status; got != http.StatusOK {
					t.Errorf("Munich, with a follower, fetches the followers post: %d, want 200", got)
				}
			})

			noPublic(t, nodes...)
		})
	}
}

// equal compares two sorted string lists.
func equal(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
