package social

import (
	"context"
	"errors"

	"github.com/atrium-intranet/atrium/model"
	"github.com/atrium-intranet/atrium/storage"
)

// Queue lets admins watch the persistent delivery queue and send deliveries again.
type Queue struct{ *core }

// QueueQuery selects one page of deliveries, newest first.
type QueueQuery struct {
	// Status keeps only deliveries in this state; "" lists all.
	Status model.DeliveryStatus
	// Before is the cursor of the page (QueuePage.Next of the previous one).
	Before string
	Limit  int
}

// QueuePage is one page of deliveries and the cursor of the next ("" at the end).
type QueuePage struct {
	Deliveries []*model.Delivery
	Next       string
}

// DeliveryStatuses are the states the queue can be filtered by, in display order.
var DeliveryStatuses = []model.DeliveryStatus{
	model.DeliveryPending, model.DeliveryFailed, model.DeliveryDelivered, model.DeliveryCancelled,
}

// validStatus reports whether s is a delivery state ("" means any).
func validStatus(s model.DeliveryStatus) bool {
	if s == "" {
		return true
	}
	for _, v := range DeliveryStatuses {
		if s == v {
			return true
		}
	}
	return false
}

// List returns deliveries newest first, with their activity id, receiving origin,
// state, attempts, next attempt and last error.
func (q *Queue) List(ctx context.Context, actor *model.Account, in QueueQuery) (*QueuePage, error) {
	if !actor.IsAdmin() {
		return nil, ErrForbidden
	}
	p := problems{}
	if !validStatus(in.Status) {
		p.add("status", "error.delivery.status")
	}
	f := storage.DeliveryFilter{Status: in.Status, Limit: clampLimit(in.Limit, 50, 200) + 1}
	if len(in.Before) > 100 {
		p.add("before", "error.cursor")
	}
	f.Before = in.Before
	if err := p.err(); err != nil {
		return nil, err
	}
	list, err := q.Store.ListDeliveries(ctx, f)
	if err != nil {
		return nil, err
	}
	page := &QueuePage{Deliveries: list}
	if limit := f.Limit - 1; len(list) > limit {
		page.Deliveries = list[:limit]
		page.Next = list[limit-1].ID
	}
	return page, nil
}

// Retry puts a pending, failed or cancelled delivery back in the queue, due now, and
// wakes the worker once that is committed. A delivery to a node that is no longer an
// allowed peer stays where it is: the allowlist holds outbound too.
func (q *Queue) Retry(ctx context.Context, actor *model.Account, id string) error {
	if !actor.IsAdmin() {
		return ErrForbidden
	}
	return q.Store.InTx(ctx, func(tx *storage.Store) error {
		d, err := tx.DeliveryByID(ctx, id)
		if err != nil {
			return err
		}
		if d.Status == model.DeliveryDelivered {
			return &ValidationError{Fields: map[string]string{"delivery": "error.delivery.delivered"}}
		}
		if _, err := tx.Peer(ctx, d.Origin); errors.Is(err, storage.ErrNotFound) {
			return &ValidationError{Fields: map[string]string{"delivery": "error.delivery.not_peer"}}
		} else if err != nil {
			return err
		}
		if err := tx.RetryDelivery(ctx, id, q.now()); err != nil {
			if errors.Is(err, storage.ErrConflict) {
				return &ValidationError{Fields: map[string]string{"delivery": "error.delivery.delivered"}}
			}
			return err
		}
		if q.Wake != nil {
			tx.AfterCommit(q.Wake)
		}
		q.Log.InfoContext(ctx, "delivery retried", "by", actor.Username, "id", id, "origin", d.Origin)
		return nil
	})
}
