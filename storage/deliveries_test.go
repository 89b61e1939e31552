package storage_test

import (
	"fmt"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/atrium-intranet/atrium/internal/testrig"
	"github.com/atrium-intranet/atrium/model"
	"github.com/atrium-intranet/atrium/storage"
)

// delivery returns a pending row for activity to origin's shared inbox, due at due.
func delivery(activity, origin string, due time.Time) *model.Delivery {
	return &model.Delivery{ID: newID(due), ActivityID: activity, InboxURI: origin + "/inbox", Origin: origin,
		Payload: `{"id":"` + activity + `"}`, Status: model.DeliveryPending, NextAttemptAt: due,
		CreatedAt: due, UpdatedAt: due}
}

func TestInsertDeliveriesSkipsDuplicates(t *testing.T) {
	testrig.EachDB(t, func(t *testing.T, s *storage.Store) {
		a := delivery("http://a/1", "http://127.0.0.1:8082", t0)
		if err := s.InsertDeliveries(ctx, []*model.Delivery{a, delivery("http://a/1", "http://127.0.0.1:8083", t0)}); err != nil {
			t.Fatal(err)
		}
		// The same activity to the same inbox again, inside a transaction: skipped, and the
		// transaction stays usable (PostgreSQL aborts a transaction on a failed insert).
		err := s.InTx(ctx, func(tx *storage.Store) error {
			if err := tx.InsertDeliveries(ctx, []*model.Delivery{delivery("http://a/1", "http://127.0.0.1:8082", t0)}); err != nil {
				return err
			}
			return tx.InsertDeliveries(ctx, []*model.Delivery{delivery("http://a/2", "http://127.0.0.1:8082", t0)})
		})
		if err != nil {
			t.Fatal(err)
		}
		if n := count(t, s, "deliveries", "1 = 1"); n != 3 {
			t.Fatalf("%d rows, want 3", n)
		}
		if err := s.InsertDeliveries(ctx, nil); err != nil {
			t.Fatal(err)
		}
	})
}

func TestClaimDueDeliveries(t *testing.T) {
	testrig.EachDB(t, func(t *testing.T, s *storage.Store) {
		origin := "http://127.0.0.1:8082"
		due1 := delivery("http://a/1", origin, t0)
		due2 := delivery("http://a/2", origin, t0.Add(time.Second))
		later := delivery("http://a/3", origin, t0.Add(time.Hour))
		done := delivery("http://a/4", origin, t0)
		done.Status = model.DeliveryDelivered
		if err := s.InsertDeliveries(ctx, []*model.Delivery{due1, due2, later, done}); err != nil {
			t.Fatal(err)
		}
		now := t0.Add(2 * time.Second)
		lease := time.Minute
		got, err := s.ClaimDueDeliveries(ctx, now, lease, 10)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 2 || got[0].ID != due1.ID || got[1].ID != due2.ID {
			t.Fatalf("claimed %v, want the two due pending rows oldest first", deliveryIDs(got))
		}
		if !got[0].NextAttemptAt.Equal(now.Add(lease)) {
			t.Fatalf("claimed row due at %v, want now+lease", got[0].NextAttemptAt)
		}
		// Claimed rows are invisible until the lease runs out, then come back.
		if again, err := s.ClaimDueDeliveries(ctx, now.Add(lease-time.Second), lease, 10); err != nil || len(again) != 0 {
			t.Fatalf("claimed again inside the lease: %v, %v", deliveryIDs(again), err)
		}
		back, err := s.ClaimDueDeliveries(ctx, now.Add(lease), lease, 1)
		if err != nil || len(back) != 1 || back[0].ID != due1.ID {
			t.Fatalf("after the lease, limit 1: %v, %v", deliveryIDs(back), err)
		}
		if none, err := s.ClaimDueDeliveries(ctx, now, lease, 0); err != nil || len(none) != 0 {
			t.Fatalf("limit 0: %v, %v", none, err)
		}
	})
}

func TestClaimDueDeliveriesConcurrently(t *testing.T) {
	testrig.EachDB(t, func(t *testing.T, s *storage.Store) {
		var rows []*model.Delivery
		for i := 0; i < 40; i++ {
			rows = append(rows, delivery(fmt.Sprintf("http://a/%d", i), "http://127.0.0.1:8082", t0))
		}
		if err := s.InsertDeliveries(ctx, rows); err != nil {
			t.Fatal(err)
		}
		var mu sync.Mutex
		seen := map[string]int{}
		var wg sync.WaitGroup
		errs := make(chan error, 8)
		for w := 0; w < 8; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for {
					got, err := s.ClaimDueDeliveries(ctx, t0, time.Minute, 3)
					if err != nil {
						errs <- err
						return
					}
					if len(got) == 0 {
						return
					}
					mu.Lock()
					for _, d := range got {
						seen[d.ID]++
					}
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
		if len(seen) != len(rows) {
			t.Fatalf("claimed %d distinct rows, want %d", len(seen), len(rows))
		}
		for id, n := range seen {
			if n != 1 {
				t.Fatalf("row %s claimed %d times", id, n)
			}
		}
	})
}

func TestMarkDeliveries(t *testing.T) {
	testrig.EachDB(t, func(t *testing.T, s *storage.Store) {
		origin := "http://127.0.0.1:8082"
		ok := delivery("http://a/ok", origin, t0)
		retry := delivery("http://a/retry", origin, t0)
		fail := delivery("http://a/fail", origin, t0)
		cancelled := delivery("http://a/cancelled", origin, t0)
		cancelled.Status = model.DeliveryCancelled
		if err := s.InsertDeliveries(ctx, []*model.Delivery{ok, retry, fail, cancelled}); err != nil {
			t.Fatal(err)
		}
		now := t0.Add(time.Minute)
		if err := s.MarkDelivered(ctx, ok.ID, now); err != nil {
			t.Fatal(err)
		}
		next := now.Add(10 * time.Second)
		if err := s.MarkRetry(ctx, retry.ID, now, 1, next, "status 500"); err != nil {
			t.Fatal(err)
		}
		if err := s.MarkFailed(ctx, fail.ID, now, "status 400"); err != nil {
			t.Fatal(err)
		}
		// A cancelled row stays cancelled.
		if err := s.MarkRetry(ctx, cancelled.ID, now, 1, next, "late"); err != nil {
			t.Fatal(err)
		}
		if err := s.MarkFailed(ctx, cancelled.ID, now, "late"); err != nil {
			t.Fatal(err)
		}
		cases := []struct {
			id       string
			status   model.DeliveryStatus
			attempts int
			lastErr  string
		}{
			{ok.ID, model.DeliveryDelivered, 1, ""},
			{retry.ID, model.DeliveryPending, 1, "status 500"},
			{fail.ID, model.DeliveryFailed, 1, "status 400"},
			{cancelled.ID, model.DeliveryCancelled, 0, ""},
		}
		for _, c := range cases {
			d, err := s.DeliveryByID(ctx, c.id)
			if err != nil {
				t.Fatal(err)
			}
			if d.Status != c.status || d.Attempts != c.attempts || d.LastError != c.lastErr {
				t.Errorf("%s: %s attempts %d err %q, want %s %d %q", d.ActivityID, d.Status, d.Attempts, d.LastError,
					c.status, c.attempts, c.lastErr)
			}
		}
		d, _ := s.DeliveryByID(ctx, ok.ID)
		if d.DeliveredAt == nil || !d.DeliveredAt.Equal(now) {
			t.Errorf("delivered_at %v", d.DeliveredAt)
		}
		d, _ = s.DeliveryByID(ctx, retry.ID)
		if !d.NextAttemptAt.Equal(next) {
			t.Errorf("next attempt %v, want %v", d.NextAttemptAt, next)
		}
		counts, err := s.DeliveryCounts(ctx)
		if err != nil {
			t.Fatal(err)
		}
		want := map[model.DeliveryStatus]int{model.DeliveryDelivered: 1, model.DeliveryPending: 1,
			model.DeliveryFailed: 1, model.DeliveryCancelled: 1}
		for st, n := range want {
			if counts[st] != n {
				t.Errorf("count %s = %d, want %d (all: %v)", st, counts[st], n, counts)
			}
		}
	})
}

func TestMarkFailedClipsLongErrors(t *testing.T) {
	testrig.EachDB(t, func(t *testing.T, s *storage.Store) {
		d := delivery("http://a/long", "http://127.0.0.1:8082", t0)
		if err := s.InsertDeliveries(ctx, []*model.Delivery{d}); err != nil {
			t.Fatal(err)
		}
		long := ""
		for len(long) < 3000 {
			long += "é"
		}
		if err := s.MarkFailed(ctx, d.ID, t0, long); err != nil {
			t.Fatal(err)
		}
		got, _ := s.DeliveryByID(ctx, d.ID)
		if len(got.LastError) > 1000 || len(got.LastError) < 990 {
			t.Fatalf("kept %d bytes", len(got.LastError))
		}
	})
}

func deliveryIDs(ds []*model.Delivery) []string {
	out := []string{}
	for _, d := range ds {
		out = append(out, d.ActivityID)
	}
	sort.Strings(out)
	return out
}
