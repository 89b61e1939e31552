package storage

import (
	"context"
	"fmt"
	"time"

	"github.com/atrium-intranet/atrium/model"
)

// DeliveryFilter selects one page of the delivery queue for administration, newest
// first. Delivery ids are ULIDs, so id order is creation order and the id is the cursor.
type DeliveryFilter struct {
	// Status keeps only deliveries in this state; "" keeps all.
	Status model.DeliveryStatus
	// Before is the keyset cursor: only rows with a smaller id are listed; "" starts at
	// the newest.
	Before string
	// Limit caps the rows returned; zero or less means 50.
	Limit int
}

// ListDeliveries lists deliveries matching f, newest first.
func (s *Store) ListDeliveries(ctx context.Context, f DeliveryFilter) ([]*model.Delivery, error) {
	if f.Limit <= 0 {
		f.Limit = 50
	}
	var list []*model.Delivery
	q := s.db.NewSelect().Model(&list)
	if f.Status != "" {
		q = q.Where("status = ?", f.Status)
	}
	if f.Before != "" {
		q = q.Where("id < ?", f.Before)
	}
	if err := q.OrderExpr("id DESC").Limit(int64(f.Limit)).Scan(ctx); err != nil {
		return nil, fmt.Errorf("list deliveries: %w", err)
	}
	return list, nil
}

// DeliveryByID returns one delivery.
func (s *Store) DeliveryByID(ctx context.Context, id string) (*model.Delivery, error) {
	d := new(model.Delivery)
	if err := s.db.NewSelect().Model(d).Where("id = ?", id).Scan(ctx); err != nil {
		return nil, notFound(err, "delivery")
	}
	return d, nil
}

// RetryDelivery puts a pending, failed or cancelled delivery back in the queue, due at
// now, with its attempt count reset so backoff starts afresh. The last error is kept
// until the next attempt replaces it. A delivered row is ErrConflict (it is never sent
// twice on purpose); an unknown id is ErrNotFound.
func (s *Store) RetryDelivery(ctx context.Context, id string, now time.Time) error {
	res, err := s.db.NewUpdate().Model((*model.Delivery)(nil)).
		Set("status = ?", model.DeliveryPending).Set("attempts = 0").
		Set("next_attempt_at = ?", now).Set("updated_at = ?", now).
		Where("id = ?", id).
		Where("status IN (?, ?, ?)", model.DeliveryPending, model.DeliveryFailed, model.DeliveryCancelled).
		Exec(ctx)
	if err != nil {
		return fmt.Errorf("retry delivery: %w", err)
	}
	if n, _ := res.RowsAffected(); n > 0 {
		return nil
	}
	if _, err := s.DeliveryByID(ctx, id); err != nil {
		return err
	}
	return fmt.Errorf("delivery %s already delivered: %w", id, ErrConflict)
}
