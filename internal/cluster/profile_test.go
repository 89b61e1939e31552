package cluster_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/atrium-intranet/atrium/internal/cluster"
	"github.com/atrium-intranet/atrium/internal/testrig"
	"github.com/atrium-intranet/atrium/model"
	"github.com/atrium-intranet/atrium/social"
)

// TestProfileUpdate changes a profile on Berlin: the cached actor on Munich, where a
// follower lives, and on Vienna, a sibling that has never looked her up, both follow;
// the partner, with no follower, is not told.
func TestProfileUpdate(t *testing.T) {
	for _, dialect := range testrig.Dialects {
		t.Run(dialect, func(t *testing.T) {
			ctx := context.Background()
			nodes := cluster.Start(t, dialect, "Berlin", "Munich", "Vienna", "Consult")
			berlin, munich, vienna, consult := nodes[0], nodes[1], nodes[2], nodes[3]
			cluster.Connect(berlin, munich, vienna)
			berlin.Allow(consult, model.TrustPartner)
			consult.Allow(berlin, model.TrustPartner)
			alice := berlin.User("alice")
			mia := munich.User("mia")
			followAndWait(t, munich, mia, berlin, "alice")
			consult.Find(berlin, "alice")
			cluster.Settle(t, nodes...)

			err := berlin.Social.Profiles.Update(ctx, alice, social.ProfileInput{
				DisplayName: "Alice Liddell", JobTitle: "Head of Wonder", Department: "Research", Site: "Berlin",
				Email: "alice@example.com", About: "Curiouser and **curiouser**",
			})
			if err != nil {
				t.Fatal(err)
			}
			for _, n := range []*cluster.Node{munich, vienna} {
				cluster.Eventually(t, n.Name+" shows the new profile", func() bool {
					a, err := n.Store.AccountByURI(ctx, alice.URI)
					return err == nil && a.DisplayName == "Alice Liddell" && a.JobTitle == "Head of Wonder" &&
						a.Department == "Research" && strings.Contains(a.AboutHTML, "<strong>curiouser</strong>")
				})
			}
			a, err := munich.Store.AccountByURI(ctx, alice.URI)
			if err != nil || a.Domain != berlin.Host || a.Role != model.RoleMember || a.Email != "" || a.FetchedAt == nil ||
				time.Since(*a.FetchedAt) > time.Minute {
				t.Errorf("Alice on Munich: %+v, %v", a, err)
			}
			if ok, err := munich.Store.IsFollowing(ctx, mia.ID, a.ID); err != nil || !ok {
				t.Errorf("the update lost Mia's follow: %v %v", ok, err)
			}

			cluster.Settle(t, nodes...)
			if len(berlin.DeliveriesTo(consult)) != 0 {
				t.Error("a profile update was queued for a partner without followers")
			}
			if a, err := consult.Store.AccountByURI(ctx, alice.URI); err != nil || a.DisplayName == "Alice Liddell" || a.Role != model.RoleGuest {
				t.Errorf("Alice on the partner: %+v, %v; want the old cached guest", a, err)
			}
			noPublic(t, nodes...)
		})
	}
}
