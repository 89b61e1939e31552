package storage

import (
	"context"
	"fmt"
	"time"

	"github.com/atrium-intranet/atrium/model"
	"github.com/uptrace/bun"
)

// ReleaseDeliveries hands claimed deliveries back to the queue, due at due, without
// counting an attempt: the worker claimed more of one peer's rows than it may send at once.
func (s *Store) ReleaseDeliveries(ctx context.Context, ids []string, due time.Time) error {
	if len(ids) == 0 {
		return nil
	}
	_, err := s.db.NewUpdate().Model((*model.Delivery)(nil)).
		Set("next_attempt_at = ?", due).Set("updated_at = ?", due).
		Where("id IN (?)", bun.In(ids)).Where("status = ?", model.DeliveryPending).Exec(ctx)
	if err != nil {
		return fmt.Errorf("release deliveries: %w", err)
	}
	return nil
}
