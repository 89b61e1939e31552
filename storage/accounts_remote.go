package storage

import (
	"context"
	"fmt"

	"github.com/atrium-intranet/atrium/model"
)

// RemoteAccountByHandle returns the cached account username@domain of another node.
// An empty domain never matches: local accounts are found by LocalAccountByUsername.
func (s *Store) RemoteAccountByHandle(ctx context.Context, username, domain string) (*model.Account, error) {
	if domain == "" {
		return nil, fmt.Errorf("remote account %s: %w", username, ErrNotFound)
	}
	a := new(model.Account)
	err := s.db.NewSelect().Model(a).Where("username = ? AND domain = ?", username, domain).Limit(1).Scan(ctx)
	if err != nil {
		return nil, notFound(err, "remote account "+username+"@"+domain)
	}
	return a, nil
}

// FollowBetween returns the follow relation of follower to followee, accepted or still
// waiting for the other node's answer.
func (s *Store) FollowBetween(ctx context.Context, followerID, followeeID string) (*model.Follow, error) {
	f := new(model.Follow)
	err := s.db.NewSelect().Model(f).Where("follower_id = ? AND followee_id = ?", followerID, followeeID).Scan(ctx)
	if err != nil {
		return nil, notFound(err, "follow "+followerID+" → "+followeeID)
	}
	return f, nil
}
