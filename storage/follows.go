package storage

import (
	"context"
	"fmt"

	"github.com/atrium-intranet/atrium/model"
	"github.com/uptrace/bun"
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

// AccountCounts are the counts shown next to an account.
type AccountCounts struct {
	AccountID string `bun:"id"`
	// Followers and Following count accepted follows only.
	Followers int `bun:"followers"`
	Following int `bun:"following"`
	// Posts counts posts and comments, as Mastodon's statuses_count does. Comments are
	// counted because the count then reads only the posts_account index: the top-level
	// filter needs each post's row, about 500 random reads per author on a node of a
	// million posts, for every author on a timeline page.
	Posts int `bun:"posts"`
}

// CountsOfAccount is CountsOf for one account; an unknown id counts nothing.
func (s *Store) CountsOfAccount(ctx context.Context, id string) (AccountCounts, error) {
	all, err := s.CountsOf(ctx, []string{id})
	return all[id], err
}

// CountsOf returns the counts of the accounts with the given ids, keyed by id, in one
// query: each count is a correlated subquery on an index (follows' primary key and
// follows_followee, posts_account), so a page of 20 authors costs one round trip.
func (s *Store) CountsOf(ctx context.Context, ids []string) (map[string]AccountCounts, error) {
	out := make(map[string]AccountCounts, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	var rows []AccountCounts
	err := s.db.NewSelect().TableExpr("accounts AS a").ColumnExpr("a.id").
		ColumnExpr("(SELECT COUNT(*) FROM follows AS f WHERE f.followee_id = a.id AND f.accepted) AS followers").
		ColumnExpr("(SELECT COUNT(*) FROM follows AS f WHERE f.follower_id = a.id AND f.accepted) AS following").
		ColumnExpr("(SELECT COUNT(*) FROM posts AS p WHERE p.account_id = a.id) AS posts").
		Where("a.id IN (?)", bun.In(ids)).Scan(ctx, &rows)
	if err != nil {
		return nil, fmt.Errorf("account counts: %w", err)
	}
	for _, r := range rows {
		out[r.AccountID] = r
	}
	return out, nil
}
