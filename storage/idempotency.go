package storage

import (
	"context"
	"fmt"
	"time"

	"github.com/atrium-intranet/atrium/model"
)

// IdempotentPost returns the post the account made with the idempotency key at or
// after since; ErrNotFound if none (or it was deleted since).
func (s *Store) IdempotentPost(ctx context.Context, accountID, key string, since time.Time) (*model.Post, error) {
	p := new(model.Post)
	err := s.db.NewSelect().Model(p).
		Join("JOIN idempotency_keys AS k ON k.post_id = post.id").
		Where("k.account_id = ? AND k.key = ? AND k.created_at >= ?", accountID, key, since).Scan(ctx)
	if err != nil {
		return nil, notFound(err, "post of idempotency key")
	}
	return p, nil
}

// KeepIdempotencyKey records that the account made the post with the key, and drops the
// account's keys made before since. Call it inside InTx, with the post's insert: the
// key's row commits with the post or not at all. ErrConflict if the key is taken: a
// concurrent request with the same key made its post first.
func (s *Store) KeepIdempotencyKey(ctx context.Context, accountID, key, postID string, now, since time.Time) error {
	if _, err := s.db.NewRaw("DELETE FROM idempotency_keys WHERE account_id = ? AND created_at < ?", accountID, since).Exec(ctx); err != nil {
		return fmt.Errorf("drop old idempotency keys: %w", err)
	}
	_, err := s.db.NewRaw("INSERT INTO idempotency_keys (account_id, key, post_id, created_at) VALUES (?, ?, ?, ?)",
		accountID, key, postID, now).Exec(ctx)
	if isUniqueViolation(err) {
		return fmt.Errorf("idempotency key: %w", ErrConflict)
	} else if err != nil {
		return fmt.Errorf("keep idempotency key: %w", err)
	}
	return nil
}
