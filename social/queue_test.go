package social_test

import (
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/atrium-intranet/atrium/model"
	"github.com/atrium-intranet/atrium/social"
	"github.com/atrium-intranet/atrium/storage"
	"github.com/oklog/ulid/v2"
)

// delivery stores a delivery row directly, as the outbox would; ids increase per call.
func (e *env) delivery(origin string, status model.DeliveryStatus) *model.Delivery {
	e.t.Helper()
	now := e.clock.Now()
	id := ulid.Make().String()
	d := &model.Delivery{ID: id, ActivityID: "http://127.0.0.1:8080/posts/" + id, InboxURI: origin + "/inbox",
		Origin: origin, Payload: "{}", Status: status, Attempts: 4, NextAttemptAt: now.Add(time.Hour),
		LastError: "status 502", CreatedAt: now, UpdatedAt: now}
	if _, err := e.store.DB().NewInsert().Model(d).Exec(e.ctx); err != nil {
		e.t.Fatalf("insert delivery: %v", err)
	}
	return d
}

func (e *env) deliveryStatus(id string) model.DeliveryStatus {
	e.t.Helper()
	d, err := e.store.DeliveryByID(e.ctx, id)
	if err != nil {
		e.t.Fatal(err)
	}
	return d.Status
}

func deliveryIDs(list []*model.Delivery) []string {
	out := []string{}
	for _, d := range list {
		out = append(out, d.ID)
	}
	return out
}

func TestQueueList(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		root := e.admin("root")
		var all []*model.Delivery
		for _, st := range []model.DeliveryStatus{model.DeliveryPending, model.DeliveryFailed, model.DeliveryDelivered,
			model.DeliveryFailed, model.DeliveryCancelled} {
			all = append(all, e.delivery("http://127.0.0.1:8082", st))
		}
		ids := func(idx ...int) []string {
			out := []string{}
			for _, i := range idx {
				out = append(out, all[i].ID)
			}
			return out
		}
		page, err := e.svc.Queue.List(e.ctx, root, social.QueueQuery{Limit: 2})
		if err != nil {
			t.Fatal(err)
		}
		if got := deliveryIDs(page.Deliveries); !slices.Equal(got, ids(4, 3)) || page.Next != all[3].ID {
			t.Fatalf("first page %v next %q", got, page.Next)
		}
		page, err = e.svc.Queue.List(e.ctx, root, social.QueueQuery{Limit: 2, Before: page.Next})
		if err != nil {
			t.Fatal(err)
		}
		if got := deliveryIDs(page.Deliveries); !slices.Equal(got, ids(2, 1)) || page.Next != all[1].ID {
			t.Fatalf("second page %v next %q", got, page.Next)
		}
		page, err = e.svc.Queue.List(e.ctx, root, social.QueueQuery{Limit: 2, Before: page.Next})
		if err != nil {
			t.Fatal(err)
		}
		if got := deliveryIDs(page.Deliveries); !slices.Equal(got, ids(0)) || page.Next != "" {
			t.Fatalf("last page %v next %q", got, page.Next)
		}
		page, err = e.svc.Queue.List(e.ctx, social.SystemActor(), social.QueueQuery{Status: model.DeliveryFailed})
		if err != nil {
			t.Fatal(err)
		}
		if got := deliveryIDs(page.Deliveries); !slices.Equal(got, ids(3, 1)) || page.Next != "" {
			t.Fatalf("failed %v next %q", got, page.Next)
		}
		if d := page.Deliveries[0]; d.LastError != "status 502" || d.Attempts != 4 || d.Origin != "http://127.0.0.1:8082" {
			t.Fatalf("row: %+v", d)
		}
		_, err = e.svc.Queue.List(e.ctx, root, social.QueueQuery{Status: "lost"})
		wantFields(t, err, fields("status", "error.delivery.status"))
		_, err = e.svc.Queue.List(e.ctx, e.member("bob"), social.QueueQuery{})
		wantErr(t, err, social.ErrForbidden)
	})
}

func TestQueueRetry(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		var woken atomic.Int32
		e.deps.Wake = func() { woken.Add(1) }
		svc := social.New(e.deps)
		root := e.admin("root")
		if _, err := svc.Peers.Add(e.ctx, root, "http://127.0.0.1:8082", model.TrustSibling, ""); err != nil {
			t.Fatal(err)
		}
		for _, tc := range []struct {
			name   string
			origin string
			status model.DeliveryStatus
			want   map[string]string
		}{
			{"failed", "http://127.0.0.1:8082", model.DeliveryFailed, nil},
			{"cancelled", "http://127.0.0.1:8082", model.DeliveryCancelled, nil},
			{"pending", "http://127.0.0.1:8082", model.DeliveryPending, nil},
			{"delivered", "http://127.0.0.1:8082", model.DeliveryDelivered, fields("delivery", "error.delivery.delivered")},
			{"not a peer", "http://127.0.0.1:8099", model.DeliveryFailed, fields("delivery", "error.delivery.not_peer")},
		} {
			t.Run(tc.name, func(t *testing.T) {
				d := e.delivery(tc.origin, tc.status)
				before := woken.Load()
				err := svc.Queue.Retry(e.ctx, root, d.ID)
				wantFields(t, err, tc.want)
				got, gerr := e.store.DeliveryByID(e.ctx, d.ID)
				if gerr != nil {
					t.Fatal(gerr)
				}
				if tc.want != nil {
					if got.Status != tc.status || woken.Load() != before {
						t.Fatalf("refused retry changed %+v or woke the worker", got)
					}
					return
				}
				if got.Status != model.DeliveryPending || got.Attempts != 0 || !got.NextAttemptAt.Before(d.NextAttemptAt) {
					t.Fatalf("after retry: %+v", got)
				}
				if woken.Load() != before+1 {
					t.Fatalf("worker woken %d times, want 1", woken.Load()-before)
				}
			})
		}
		wantErr(t, svc.Queue.Retry(e.ctx, root, "nope"), storage.ErrNotFound)
		d := e.delivery("http://127.0.0.1:8082", model.DeliveryFailed)
		wantErr(t, svc.Queue.Retry(e.ctx, e.member("bob"), d.ID), social.ErrForbidden)
		if got := e.deliveryStatus(d.ID); got != model.DeliveryFailed {
			t.Fatalf("member retried: %s", got)
		}
	})
}
