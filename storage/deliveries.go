package storage

import (
	"context"
	"fmt"
	"time"

	"github.com/atrium-intranet/atrium/model"
	"github.com/uptrace/bun"
)

// InsertDeliveries queues deliveries; a row for an (activity id, inbox) pair already
// queued is skipped, so enqueueing the same activity twice sends it once per inbox.
// Call it inside the transaction of the change the deliveries carry.
func (s *Store) InsertDeliveries(ctx context.Context, rows []*model.Delivery) error {
	if len(rows) == 0 {
		return nil
	}
	_, err := s.db.NewInsert().Model(&rows).On("CONFLICT (activity_id, inbox_uri) DO NOTHING").Exec(ctx)
	if err != nil {
		return fmt.Errorf("insert deliveries: %w", err)
	}
	return nil
}

// ClaimDueDeliveries takes up to limit pending deliveries due at now, oldest due first,
// and moves their next attempt to now+lease before returning them. The lease is how a
// crash loses nothing: a claimed row that is never marked comes back once it runs out,
// while no other worker can claim it in the meantime. On PostgreSQL concurrent claimers
// skip each other's locked rows; on SQLite the transaction is immediate, so claims are
// serialized by the database lock.
func (s *Store) ClaimDueDeliveries(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]*model.Delivery, error) {
	return s.ClaimDueDeliveriesExcept(ctx, now, lease, limit, nil)
}

// ClaimDueDeliveriesExcept is ClaimDueDeliveries without the deliveries to the origins in
// skip: the worker leaves out peers that already have their share of requests in flight.
func (s *Store) ClaimDueDeliveriesExcept(ctx context.Context, now time.Time, lease time.Duration, limit int, skip []string) ([]*model.Delivery, error) {
	if limit <= 0 {
		return nil, nil
	}
	var claimed []*model.Delivery
	err := s.InTx(ctx, func(tx *Store) error {
		var rows []*model.Delivery
		q := tx.db.NewSelect().Model(&rows).
			Where("status = ?", model.DeliveryPending).Where("next_attempt_at <= ?", now).
			OrderExpr("next_attempt_at ASC, id ASC").Limit(int64(limit))
		if len(skip) > 0 {
			q = q.Where("origin NOT IN (?)", bun.In(skip))
		}
		if tx.Postgres() {
			q = q.For("UPDATE SKIP LOCKED")
		}
		if err := q.Scan(ctx); err != nil {
			return fmt.Errorf("select due deliveries: %w", err)
		}
		if len(rows) == 0 {
			return nil
		}
		ids := make([]string, len(rows))
		for i, r := range rows {
			ids[i] = r.ID
		}
		until := now.Add(lease)
		_, err := tx.db.NewUpdate().Model((*model.Delivery)(nil)).
			Set("next_attempt_at = ?", until).Set("updated_at = ?", now).
			Where("id IN (?)", bun.In(ids)).Exec(ctx)
		if err != nil {
			return fmt.Errorf("lease deliveries: %w", err)
		}
		for _, r := range rows {
			r.NextAttemptAt, r.UpdatedAt = until, now
		}
		claimed = rows
		return nil
	})
	if err != nil {
		return nil, err
	}
	return claimed, nil
}

// MarkDelivered records that the receiver accepted a delivery.
func (s *Store) MarkDelivered(ctx context.Context, id string, now time.Time) error {
	_, err := s.db.NewUpdate().Model((*model.Delivery)(nil)).
		Set("status = ?", model.DeliveryDelivered).Set("attempts = attempts + 1").
		Set("delivered_at = ?", now).Set("updated_at = ?", now).Set("last_error = ''").
		Where("id = ?", id).Exec(ctx)
	if err != nil {
		return fmt.Errorf("mark delivery %s delivered: %w", id, err)
	}
	return nil
}

// MarkRetry schedules another attempt of a pending delivery at next, recording the
// number of attempts so far and why the last one failed. A row cancelled meanwhile (its
// peer was removed) stays cancelled.
func (s *Store) MarkRetry(ctx context.Context, id string, now time.Time, attempts int, next time.Time, lastErr string) error {
	_, err := s.db.NewUpdate().Model((*model.Delivery)(nil)).
		Set("attempts = ?", attempts).Set("next_attempt_at = ?", next).
		Set("last_error = ?", clip(lastErr)).Set("updated_at = ?", now).
		Where("id = ? AND status = ?", id, model.DeliveryPending).Exec(ctx)
	if err != nil {
		return fmt.Errorf("mark delivery %s for retry: %w", id, err)
	}
	return nil
}

// MarkFailed gives up on a pending delivery: the receiver refused it for good, it
// expired, or its node is no longer an allowed peer. Admins may still retry it.
func (s *Store) MarkFailed(ctx context.Context, id string, now time.Time, lastErr string) error {
	_, err := s.db.NewUpdate().Model((*model.Delivery)(nil)).
		Set("status = ?", model.DeliveryFailed).Set("attempts = attempts + 1").
		Set("last_error = ?", clip(lastErr)).Set("updated_at = ?", now).
		Where("id = ? AND status = ?", id, model.DeliveryPending).Exec(ctx)
	if err != nil {
		return fmt.Errorf("mark delivery %s failed: %w", id, err)
	}
	return nil
}

// DeliveryCounts counts deliveries per state; states without rows are absent.
func (s *Store) DeliveryCounts(ctx context.Context) (map[model.DeliveryStatus]int, error) {
	var rows []struct {
		Status model.DeliveryStatus `bun:"status"`
		N      int                  `bun:"n"`
	}
	err := s.db.NewSelect().Model((*model.Delivery)(nil)).ColumnExpr("status, COUNT(*) AS n").
		Group("status").Scan(ctx, &rows)
	if err != nil {
		return nil, fmt.Errorf("delivery counts: %w", err)
	}
	out := make(map[model.DeliveryStatus]int, len(rows))
	for _, r := range rows {
		out[r.Status] = r.N
	}
	return out, nil
}

// maxLastError bounds the error text kept on a delivery row.
const maxLastError = 1000

// clip shortens an error message to maxLastError bytes without splitting a character.
func clip(s string) string {
	if len(s) <= maxLastError {
		return s
	}
	cut := maxLastError
	for cut > 0 && s[cut]&0xC0 == 0x80 {
		cut--
	}
	return s[:cut]
}
