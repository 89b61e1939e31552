package storage

import (
	"context"
	"fmt"

	"github.com/atrium-intranet/atrium/model"
)

// CreateFollow stores a follow relation; an existing one is left as it is.
func (s *Store) CreateFollow(ctx context.Context, f *model.Follow) error {
	_, err := s.db.NewInsert().Model(f).On("CONFLICT (follower_id, followee_id) DO NOTHING").Exec(ctx)
	if err != nil {
		return fmt.Errorf("create follow: %w", err)
	}
	return nil
}

// DeleteFollow removes a follow relation if present.
func (s *Store) DeleteFollow(ctx context.Context, followerID, followeeID string) error {
	_, err := s.db.NewDelete().Model((*model.Follow)(nil)).
		Where("follower_id = ? AND followee_id = ?", followerID, followeeID).Exec(ctx)
	if err != nil {
		return fmt.Errorf("delete follow: %w", err)
	}
	return nil
}

// IsFollowing reports whether follower has an accepted follow of followee.
func (s *Store) IsFollowing(ctx context.Context, followerID, followeeID string) (bool, error) {
	ok, err := s.db.NewSelect().Model((*model.Follow)(nil)).
		Where("follower_id = ? AND followee_id = ? AND accepted", followerID, followeeID).Exists(ctx)
	if err != nil {
		return false, fmt.Errorf("is following: %w", err)
	}
	return ok, nil
}

// FollowCounts returns how many accepted followers an account has and how many it follows.
func (s *Store) FollowCounts(ctx context.Context, accountID string) (followers, following int, err error) {
	n1, err := s.db.NewSelect().Model((*model.Follow)(nil)).Where("followee_id = ? AND accepted", accountID).Count(ctx)
	if err != nil {
		return 0, 0, fmt.Errorf("count followers: %w", err)
	}
	n2, err := s.db.NewSelect().Model((*model.Follow)(nil)).Where("follower_id = ? AND accepted", accountID).Count(ctx)
	if err != nil {
		return 0, 0, fmt.Errorf("count following: %w", err)
	}
	return int(n1), int(n2), nil
}
