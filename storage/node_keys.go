package storage

import (
	"context"
	"fmt"

	"github.com/atrium-intranet/atrium/model"
)

// NodeKey returns the node actor's key pair; ErrNotFound before one was made.
func (s *Store) NodeKey(ctx context.Context) (*model.NodeKey, error) {
	k := new(model.NodeKey)
	if err := s.db.NewSelect().Model(k).Where("id = 1").Scan(ctx); err != nil {
		return nil, notFound(err, "node key")
	}
	return k, nil
}

// EnsureNodeKey stores k as the node actor's key unless one exists, and returns the key
// that is stored. Two processes starting at once both end up with the same key: the
// loser's insert does nothing and it reads the winner's.
func (s *Store) EnsureNodeKey(ctx context.Context, k *model.NodeKey) (*model.NodeKey, error) {
	k.ID = 1
	if _, err := s.db.NewInsert().Model(k).On("CONFLICT (id) DO NOTHING").Exec(ctx); err != nil {
		return nil, fmt.Errorf("create node key: %w", err)
	}
	return s.NodeKey(ctx)
}
