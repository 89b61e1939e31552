package storage

import (
	"context"
	"fmt"

	"github.com/atrium-intranet/atrium/model"
)

// InvitationsOf returns the invited memberships of an account, in local and cached
// remote groups alike, newest first, at most limit.
func (s *Store) InvitationsOf(ctx context.Context, accountID string, limit int) ([]*model.Membership, error) {
	var list []*model.Membership
	err := s.db.NewSelect().Model(&list).Where("gm.account_id = ? AND gm.state = ?", accountID, model.MemberInvited).
		OrderExpr("gm.created_at DESC, gm.group_id ASC").Limit(int64(limit)).Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("invitations of %s: %w", accountID, err)
	}
	return list, nil
}
