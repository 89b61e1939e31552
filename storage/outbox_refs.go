package storage

import (
	"context"
	"fmt"

	"github.com/atrium-intranet/atrium/model"
)

// Queries the outgoing side of federation needs to address and describe activities.

// ReactionBy returns one account's reaction of one kind on a post.
func (s *Store) ReactionBy(ctx context.Context, postID, accountID, kind string) (*model.Reaction, error) {
	r := new(model.Reaction)
	err := s.db.NewSelect().Model(r).
		Where("post_id = ? AND account_id = ? AND kind = ?", postID, accountID, kind).Scan(ctx)
	if err != nil {
		return nil, notFound(err, "reaction")
	}
	return r, nil
}

// maxRemoteFollowers bounds the followers read to address one activity.
const maxRemoteFollowers = 10_000

// RemoteFollowers returns the accounts of other nodes whose follow of accountID has been
// accepted, ordered by id. Pending follows do not receive anything, nor do guests and
// ended accounts: a followers post is never addressed to them.
func (s *Store) RemoteFollowers(ctx context.Context, accountID string) ([]*model.Account, error) {
	var list []*model.Account
	err := s.db.NewSelect().Model(&list).
		Where("account.domain <> ''").
		Where("account.id IN (SELECT f.follower_id FROM follows AS f WHERE f.followee_id = ? AND f.accepted)", accountID).
		Where("account.role <> ? AND account.deactivated_at IS NULL", model.RoleGuest).
		OrderExpr("account.id ASC").Limit(maxRemoteFollowers).Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("remote followers: %w", err)
	}
	return list, nil
}

// MentionedAccounts returns the accounts a post mentions, ordered by id.
func (s *Store) MentionedAccounts(ctx context.Context, postID string) ([]*model.Account, error) {
	var list []*model.Account
	err := s.db.NewSelect().Model(&list).
		Where("account.id IN (SELECT m.account_id FROM mentions AS m WHERE m.post_id = ?)", postID).
		OrderExpr("account.id ASC").Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("mentioned accounts: %w", err)
	}
	return list, nil
}

// TagsOfPost returns a post's hashtags, sorted.
func (s *Store) TagsOfPost(ctx context.Context, postID string) ([]string, error) {
	var tags []string
	err := s.db.NewSelect().Model((*model.PostTag)(nil)).Column("tag").
		Where("post_id = ?", postID).OrderExpr("tag ASC").Scan(ctx, &tags)
	if err != nil {
		return nil, fmt.Errorf("tags of post: %w", err)
	}
	return tags, nil
}
