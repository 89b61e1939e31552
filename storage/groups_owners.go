package storage

import (
	"context"
	"fmt"

	"github.com/atrium-intranet/atrium/model"
)

// Queries that keep a group owned by someone of the company: guests may own a group
// beside an employee, never alone.

// CountEmployeeOwners returns the number of active owners of a group whose accounts are
// no guests.
func (s *Store) CountEmployeeOwners(ctx context.Context, groupID string) (int, error) {
	n, err := s.db.NewSelect().Model((*model.Membership)(nil)).Join("JOIN accounts AS a ON a.id = gm.account_id").
		Where("gm.group_id = ? AND gm.role = ? AND gm.state = ? AND a.role <> ?", groupID, model.GroupOwner,
			model.MemberActive, model.RoleGuest).Count(ctx)
	if err != nil {
		return 0, fmt.Errorf("count employee owners of %s: %w", groupID, err)
	}
	return int(n), nil
}

// OwnerSuccessor returns the membership of who takes over a group left without an
// owner: its longest-standing active moderator, else its longest-standing active
// member, among this node's active accounts that are no guests. ErrNotFound when
// there is none.
func (s *Store) OwnerSuccessor(ctx context.Context, groupID string) (*model.Membership, error) {
	m := new(model.Membership)
	err := s.db.NewSelect().Model(m).Join("JOIN accounts AS a ON a.id = gm.account_id").
		Where("gm.group_id = ? AND gm.state = ? AND gm.role IN (?, ?)", groupID, model.MemberActive,
			model.GroupModerator, model.GroupMember).
		Where("a.domain = '' AND a.role <> ? AND a.deactivated_at IS NULL", model.RoleGuest).
		OrderExpr("CASE WHEN gm.role = ? THEN 0 ELSE 1 END, gm.created_at ASC, gm.account_id ASC", model.GroupModerator).
		Limit(1).Scan(ctx)
	if err != nil {
		return nil, notFound(err, "owner successor of "+groupID)
	}
	return m, nil
}

// FirstActiveAdmin returns this node's longest-standing active admin; ErrNotFound when
// there is none.
func (s *Store) FirstActiveAdmin(ctx context.Context) (*model.Account, error) {
	a := new(model.Account)
	err := s.db.NewSelect().Model(a).Where("role = ? AND domain = '' AND deactivated_at IS NULL", model.RoleAdmin).
		OrderExpr("created_at ASC, id ASC").Limit(1).Scan(ctx)
	if err != nil {
		return nil, notFound(err, "first active admin")
	}
	return a, nil
}
