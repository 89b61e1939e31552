package cluster_test

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"net/http"
	"strings"
	"testing"

	"github.com/atrium-intranet/atrium/activitypub"
	"github.com/atrium-intranet/atrium/internal/cluster"
	"github.com/atrium-intranet/atrium/internal/testrig"
	"github.com/atrium-intranet/atrium/model"
	"github.com/atrium-intranet/atrium/social"
)

// TestOneWayAllowlist has Munich allow Berlin while Berlin does not allow Munich: Berlin
// neither reads from nor writes to Munich, and refuses what Munich sends or asks for.
func TestOneWayAllowlist(t *testing.T) {
	for _, dialect := range testrig.Dialects {
		t.Run(dialect, func(t *testing.T) {
			ctx := context.Background()
			nodes := cluster.Start(t, dialect, "Berlin", "Munich", "Vienna")
			berlin, munich, vienna := nodes[0], nodes[1], nodes[2]
			cluster.Connect(berlin, vienna)
			munich.Allow(berlin, model.TrustSibling)
			alice := berlin.User("alice")
			bob := munich.User("bob")

			t.Run("Munich writes", func(t *testing.T) {
				before := berlin.Counts()
				p := publish(t, munich, bob, "hello Berlin", model.AudienceCompany)
				cluster.Settle(t, munich)
				rows := munich.DeliveriesTo(berlin)
				if len(rows) != 1 || rows[0].Status != model.DeliveryFailed || !strings.Contains(rows[0].LastError, "403") {
					t.Fatalf("Munich's delivery to Berlin: %+v; want failed with 403", rows)
				}
				if hasPost(berlin, p.URI) {
					t.Error("Berlin stored a non-peer's post")
				}
				sameCounts(t, berlin, before)
			})

			t.Run("Munich reads", func(t *testing.T) {
				post := publish(t, berlin, alice, "company news", model.AudienceCompany)
				if got := berlin.SignedGet(munich.NodeSigner(), notePath(t, post)).Status; got != http.StatusForbidden {
					t.Errorf("Munich fetches a company post: %d, want 403", got)
				}
				if got := berlin.SignedGet(munich.NodeSigner(), "/users/alice").Status; got != http.StatusForbidden {
					t.Errorf("Munich fetches an actor: %d, want 403", got)
				}
				if a, err := munich.Social.Accounts.ByHandle(ctx, "alice@"+berlin.Host); err == nil {
					t.Errorf("Munich resolved Alice: %+v", a)
				}
			})

			t.Run("Berlin neither reads nor writes", func(t *testing.T) {
				served := munich.Requests()
				if a, err := berlin.Social.Accounts.ByHandle(ctx, "bob@"+munich.Host); err == nil {
					t.Errorf("Berlin resolved Bob: %+v", a)
				}
				p := publish(t, berlin, alice, "to my siblings", model.AudienceCompany)
				if got, want := inboxesOf(berlin, activitypub.CreateID(p.URI)), origins(vienna); !equal(got, want) {
					t.Errorf("company post queued for %v, want %v", got, want)
				}
				cluster.Eventually(t, "the post reaches Vienna", func() bool { return hasPost(vienna, p.URI) })
				cluster.Settle(t, berlin, vienna)
				if len(berlin.DeliveriesTo(munich)) != 0 {
					t.Error("Berlin queued deliveries to a non-peer")
				}
				if hasPost(munich, p.URI) {
					t.Error("the post reached Munich")
				}
				if got := munich.Requests(); got != served {
					t.Errorf("Berlin made %d requests to Munich", got-served)
				}
			})
		})
	}
}

// TestRemovePeerCancelsDeliveries queues a delivery to a node that is down, removes the
// node from the peers, and checks that the delivery is cancelled and never sent; what is
// posted afterwards is not even queued for it.
func TestRemovePeerCancelsDeliveries(t *testing.T) {
	for _, dialect := range testrig.Dialects {
		t.Run(dialect, func(t *testing.T) {
			ctx := context.Background()
			nodes := cluster.Start(t, dialect, "Berlin", "Munich", "Vienna")
			berlin, munich, vienna := nodes[0], nodes[1], nodes[2]
			cluster.Connect(nodes...)
			alice := berlin.User("alice")
			munich.Stop()

			p := publish(t, berlin, alice, "while Munich is down", model.AudienceCompany)
			var pending *model.Delivery
			cluster.Eventually(t, "a first attempt to reach Munich fails", func() bool {
				rows := berlin.DeliveriesTo(munich)
				if len(rows) != 1 {
					t.Fatalf("deliveries to Munich: %d", len(rows))
				}
				pending = rows[0]
				return pending.Attempts >= 1
			})
			if pending.Status != model.DeliveryPending || pending.LastError == "" {
				t.Fatalf("delivery after a failed attempt: %s %q", pending.Status, pending.LastError)
			}
			cluster.Eventually(t, "the post reaches Vienna", func() bool { return hasPost(vienna, p.URI) })

			if err := berlin.Social.Peers.Remove(ctx, social.SystemActor(), munich.URL); err != nil {
				t.Fatal(err)
			}
			d, err := berlin.Store.DeliveryByID(ctx, pending.ID)
			if err != nil || d.Status != model.DeliveryCancelled {
				t.Fatalf("delivery after the peer's removal: %+v, %v; want cancelled", d, err)
			}
			berlin.Flush()
			if d, _ := berlin.Store.DeliveryByID(ctx, pending.ID); d.Status != model.DeliveryCancelled || d.Attempts != pending.Attempts {
				t.Errorf("a cancelled delivery was attempted: %+v", d)
			}

			later := publish(t, berlin, alice, "after the removal", model.AudienceCompany)
			if got, want := inboxesOf(berlin, activitypub.CreateID(later.URI)), origins(vienna); !equal(got, want) {
				t.Errorf("queued for %v after the removal, want %v", got, want)
			}
		})
	}
}

// TestKeyRotation rotates a user's key on Munich after Berlin cached the old one: Berlin
// refetches the key once when a signature fails, accepts the new one, and from then on
// refuses requests signed with the old key.
func TestKeyRotation(t *testing.T) {
	for _, dialect := range testrig.Dialects {
		t.Run(dialect, func(t *testing.T) {
			ctx := context.Background()
			nodes := cluster.Start(t, dialect, "Berlin", "Munich")
			berlin, munich := nodes[0], nodes[1]
			cluster.Connect(berlin, munich)
			bob := munich.User("bob")
			cached := berlin.Find(munich, "bob")
			oldSigner := munich.AccountSigner(bob)

			key, err := rsa.GenerateKey(rand.Reader, 2048)
			if err != nil {
				t.Fatal(err)
			}
			rotated := *bob
			priv, _ := x509.MarshalPKCS8PrivateKey(key)
			pub, _ := x509.MarshalPKIXPublicKey(&key.PublicKey)
			rotated.PrivateKeyPEM = string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: priv}))
			rotated.PublicKeyPEM = string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pub}))
			if err := munich.Store.UpdateAccount(ctx, &rotated, "private_key_pem", "public_key_pem"); err != nil {
				t.Fatal(err)
			}

			p := publish(t, munich, bob, "signed with my new key", model.AudienceCompany)
			cluster.Eventually(t, "the post signed with the new key reaches Berlin", func() bool { return hasPost(berlin, p.URI) })
			fresh, err := berlin.Store.AccountByURI(ctx, bob.URI)
			if err != nil || fresh.PublicKeyPEM != rotated.PublicKeyPEM || fresh.PublicKeyPEM == cached.PublicKeyPEM {
				t.Errorf("Berlin's copy of Bob's key was not refreshed")
			}

			before := berlin.Counts()
			old := munich.NewNote(bob, "<p>signed with the old key</p>", model.AudienceCompany)
			if got := berlin.SignedPost(oldSigner, "/inbox", munich.CreateOf(bob, old)).Status; got != http.StatusUnauthorized {
				t.Errorf("signed with the old key: %d, want 401", got)
			}
			sameCounts(t, berlin, before)
		})
	}
}
