package storage

import (
	"context"
	"fmt"

	"github.com/atrium-intranet/atrium/model"
)

// CreatePostIfNew inserts a post with its mentions and tags unless a post with its URI
// exists, and reports whether it inserted. It saves the inbox a lookup before every
// insert: the URI's unique index answers instead. Call it inside InTx.
func (s *Store) CreatePostIfNew(ctx context.Context, p *model.Post, mentions []string, tags []string) (bool, error) {
	res, err := s.db.NewInsert().Model(p).On("CONFLICT (uri) DO NOTHING").Exec(ctx)
	if err != nil {
		if isUniqueViolation(err) {
			return false, fmt.Errorf("create post: %w", ErrConflict)
		}
		return false, fmt.Errorf("create post: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("create post: %w", err)
	}
	if n == 0 {
		return false, nil
	}
	if err := s.indexPost(ctx, p); err != nil {
		return false, err
	}
	return true, s.insertMentionsAndTags(ctx, p.ID, mentions, tags)
}
