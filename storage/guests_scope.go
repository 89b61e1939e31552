package storage

import (
	"context"
	"fmt"
	"time"

	"github.com/atrium-intranet/atrium/model"
	"github.com/uptrace/bun"
)

// Queries of the guest rules: who a guest shares a group with, and what ends when a
// guest's access ends.

// CoMembers reports whether accountID shares a group with viewerID in which viewerID
// is an active member: accountID is an active member of it too, or wrote one of its
// posts (the members of another node's group are known here only by their posts).
func (s *Store) CoMembers(ctx context.Context, viewerID, accountID string) (bool, error) {
	ok, err := s.db.NewSelect().TableExpr("group_members AS v").ColumnExpr("1").
		Where("v.account_id = ? AND v.state = ?", viewerID, model.MemberActive).
		WhereGroup(" AND ", func(q *bun.SelectQuery) *bun.SelectQuery {
			return q.Where("EXISTS (SELECT 1 FROM group_members AS o WHERE o.group_id = v.group_id AND o.account_id = ? AND o.state = ?)",
				accountID, model.MemberActive).
				WhereOr("EXISTS (SELECT 1 FROM posts AS p WHERE p.group_id = v.group_id AND p.account_id = ?)", accountID)
		}).Exists(ctx)
	if err != nil {
		return false, fmt.Errorf("co-members %s and %s: %w", viewerID, accountID, err)
	}
	return ok, nil
}

// DueGuests returns up to limit guest accounts, local and cached remote, whose end has
// come (ExpiresAt at or before now) and whose access has not been ended yet (not
// deactivated), oldest end first.
func (s *Store) DueGuests(ctx context.Context, now time.Time, limit int) ([]*model.Account, error) {
	var list []*model.Account
	err := s.db.NewSelect().Model(&list).
		Where("role = ? AND expires_at IS NOT NULL AND expires_at <= ? AND deactivated_at IS NULL", model.RoleGuest, now).
		OrderExpr("expires_at ASC, id ASC").Limit(int64(limit)).Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("due guests: %w", err)
	}
	return list, nil
}

// SetDeactivated sets (nil: clears) when an account was deactivated, without touching
// its sessions or tokens: the guest rules end those themselves.
func (s *Store) SetDeactivated(ctx context.Context, id string, at *time.Time, now time.Time) error {
	res, err := s.db.NewUpdate().Model((*model.Account)(nil)).
		Set("deactivated_at = ?", at).Set("updated_at = ?", now).Where("id = ?", id).Exec(ctx)
	if err != nil {
		return fmt.Errorf("set deactivated of %s: %w", id, err)
	}
	if n, err := res.RowsAffected(); err == nil && n == 0 {
		return fmt.Errorf("set deactivated of %s: %w", id, ErrNotFound)
	}
	s.invalidateAccounts()
	return nil
}

// AccountMemberships returns every membership of an account, in any state, by group id.
func (s *Store) AccountMemberships(ctx context.Context, accountID string) ([]*model.Membership, error) {
	var list []*model.Membership
	err := s.db.NewSelect().Model(&list).Where("gm.account_id = ?", accountID).OrderExpr("gm.group_id ASC").Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("memberships of %s: %w", accountID, err)
	}
	return list, nil
}

// FollowsInvolving returns the follows (accepted or pending) an account has of others
// and others have of it.
func (s *Store) FollowsInvolving(ctx context.Context, accountID string) ([]*model.Follow, error) {
	var list []*model.Follow
	err := s.db.NewSelect().Model(&list).Where("follower_id = ? OR followee_id = ?", accountID, accountID).
		OrderExpr("follower_id ASC, followee_id ASC").Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("follows of %s: %w", accountID, err)
	}
	return list, nil
}

// DeleteFollowsOf removes every follow an account has or is the object of.
func (s *Store) DeleteFollowsOf(ctx context.Context, accountID string) error {
	_, err := s.db.NewDelete().Model((*model.Follow)(nil)).
		Where("follower_id = ? OR followee_id = ?", accountID, accountID).Exec(ctx)
	if err != nil {
		return fmt.Errorf("delete follows of %s: %w", accountID, err)
	}
	return nil
}
