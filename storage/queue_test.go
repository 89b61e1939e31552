package storage_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/atrium-intranet/atrium/internal/testrig"
	"github.com/atrium-intranet/atrium/model"
	"github.com/atrium-intranet/atrium/storage"
)

// insertDelivery stores a delivery row directly, as the outbox would.
func insertDelivery(t *testing.T, s *storage.Store, origin string, status model.DeliveryStatus) *model.Delivery {
	t.Helper()
	id := newID(t0)
	d := &model.Delivery{ID: id, ActivityID: "http://127.0.0.1:8080/posts/" + id, InboxURI: origin + "/inbox",
		Origin: origin, Payload: "{}", Status: status, Attempts: 3, NextAttemptAt: t0.Add(time.Hour),
		LastError: "status 503", CreatedAt: t0, UpdatedAt: t0}
	if _, err := s.DB().NewInsert().Model(d).Exec(ctx); err != nil {
		t.Fatalf("insert delivery: %v", err)
	}
	return d
}

func TestListDeliveries(t *testing.T) {
	testrig.EachDB(t, func(t *testing.T, store *storage.Store) {
		var all []*model.Delivery
		for i, st := range []model.DeliveryStatus{model.DeliveryPending, model.DeliveryFailed, model.DeliveryDelivered,
			model.DeliveryPending, model.DeliveryCancelled, model.DeliveryFailed} {
			all = append(all, insertDelivery(t, store, fmt.Sprintf("http://127.0.0.1:%d", 8081+i%2), st))
		}
		idsOf := func(list []*model.Delivery) []string {
			out := []string{}
			for _, d := range list {
				out = append(out, d.ID)
			}
			return out
		}
		rev := func(idx ...int) []string {
			out := []string{}
			for _, i := range idx {
				out = append(out, all[i].ID)
			}
			return out
		}
		for _, tc := range []struct {
			name string
			f    storage.DeliveryFilter
			want []string
		}{
			{"all newest first", storage.DeliveryFilter{}, rev(5, 4, 3, 2, 1, 0)},
			{"limit", storage.DeliveryFilter{Limit: 2}, rev(5, 4)},
			{"cursor", storage.DeliveryFilter{Before: all[4].ID, Limit: 2}, rev(3, 2)},
			{"failed", storage.DeliveryFilter{Status: model.DeliveryFailed}, rev(5, 1)},
			{"pending after cursor", storage.DeliveryFilter{Status: model.DeliveryPending, Before: all[3].ID}, rev(0)},
			{"none", storage.DeliveryFilter{Status: model.DeliveryDelivered, Before: all[2].ID}, []string{}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				got, err := store.ListDeliveries(ctx, tc.f)
				if err != nil {
					t.Fatal(err)
				}
				if fmt.Sprint(idsOf(got)) != fmt.Sprint(tc.want) {
					t.Fatalf("got %v, want %v", idsOf(got), tc.want)
				}
			})
		}
		got, err := store.DeliveryByID(ctx, all[1].ID)
		if err != nil || got.Status != model.DeliveryFailed || got.LastError != "status 503" || got.Attempts != 3 {
			t.Fatalf("delivery by id: %+v, %v", got, err)
		}
		_, err = store.DeliveryByID(ctx, "nope")
		wantErr(t, err, storage.ErrNotFound)
	})
}

func TestRetryDelivery(t *testing.T) {
	testrig.EachDB(t, func(t *testing.T, store *storage.Store) {
		now := t0.Add(2 * time.Hour)
		for _, tc := range []struct {
			status model.DeliveryStatus
			err    error
		}{
			{model.DeliveryPending, nil},
			{model.DeliveryFailed, nil},
			{model.DeliveryCancelled, nil},
			{model.DeliveryDelivered, storage.ErrConflict},
		} {
			t.Run(string(tc.status), func(t *testing.T) {
				d := insertDelivery(t, store, "http://127.0.0.1:8082", tc.status)
				err := store.RetryDelivery(ctx, d.ID, now)
				if tc.err != nil {
					wantErr(t, err, tc.err)
					if got, _ := store.DeliveryByID(ctx, d.ID); got.Status != tc.status {
						t.Fatalf("refused retry changed status to %s", got.Status)
					}
					return
				}
				if err != nil {
					t.Fatal(err)
				}
				got, err := store.DeliveryByID(ctx, d.ID)
				if err != nil {
					t.Fatal(err)
				}
				if got.Status != model.DeliveryPending || got.Attempts != 0 || !got.NextAttemptAt.Equal(now) ||
					!got.UpdatedAt.Equal(now) || got.LastError != "status 503" {
					t.Fatalf("after retry: %+v", got)
				}
			})
		}
		wantErr(t, store.RetryDelivery(ctx, "nope", now), storage.ErrNotFound)
	})
}
