package storage_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/atrium-intranet/atrium/internal/testrig"
	"github.com/atrium-intranet/atrium/model"
	"github.com/atrium-intranet/atrium/storage"
)

func TestPeers(t *testing.T) {
	testrig.EachDB(t, func(t *testing.T, store *storage.Store) {
		ctx := context.Background()
		now := time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)
		for _, p := range []*model.Peer{
			{Origin: "http://127.0.0.1:8082", Trust: model.TrustSibling, Name: "Munich", CreatedAt: now, UpdatedAt: now},
			{Origin: "http://127.0.0.1:8084", Trust: model.TrustPartner, Name: "Consulting", CreatedAt: now, UpdatedAt: now},
		} {
			if err := store.SavePeer(ctx, p); err != nil {
				t.Fatal(err)
			}
		}
		// Saving again changes trust and name.
		if err := store.SavePeer(ctx, &model.Peer{Origin: "http://127.0.0.1:8082", Trust: model.TrustPartner, Name: "M", CreatedAt: now, UpdatedAt: now}); err != nil {
			t.Fatal(err)
		}
		p, err := store.Peer(ctx, "http://127.0.0.1:8082")
		if err != nil || p.Trust != model.TrustPartner || p.Name != "M" {
			t.Fatalf("peer after update: %+v, %v", p, err)
		}
		partners, err := store.PeersByTrust(ctx, model.TrustPartner)
		if err != nil || len(partners) != 2 {
			t.Fatalf("partners: %d, %v", len(partners), err)
		}
		if _, err := store.Peer(ctx, "http://127.0.0.1:9999"); !errors.Is(err, storage.ErrNotFound) {
			t.Fatalf("unknown peer: %v", err)
		}

		// Removing a peer cancels its pending deliveries and leaves the others alone.
		for i, d := range []struct {
			origin string
			status model.DeliveryStatus
		}{
			{"http://127.0.0.1:8082", model.DeliveryPending},
			{"http://127.0.0.1:8082", model.DeliveryDelivered},
			{"http://127.0.0.1:8084", model.DeliveryPending},
		} {
			row := &model.Delivery{ID: string(rune('a' + i)), ActivityID: "act", InboxURI: d.origin + "/inbox/" + string(rune('a'+i)),
				Origin: d.origin, Payload: "{}", Status: d.status, NextAttemptAt: now, CreatedAt: now, UpdatedAt: now}
			if _, err := store.DB().NewInsert().Model(row).Exec(ctx); err != nil {
				t.Fatal(err)
			}
		}
		if err := store.DeletePeer(ctx, "http://127.0.0.1:8082", now); err != nil {
			t.Fatal(err)
		}
		if err := store.DeletePeer(ctx, "http://127.0.0.1:8082", now); !errors.Is(err, storage.ErrNotFound) {
			t.Fatalf("second removal: %v", err)
		}
		var got []model.Delivery
		if err := store.DB().NewSelect().Model(&got).Order("id").Scan(ctx); err != nil {
			t.Fatal(err)
		}
		want := []model.DeliveryStatus{model.DeliveryCancelled, model.DeliveryDelivered, model.DeliveryPending}
		for i, d := range got {
			if d.Status != want[i] {
				t.Errorf("delivery %s: %s, want %s", d.ID, d.Status, want[i])
			}
		}
	})
}
