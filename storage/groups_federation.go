package storage

import (
	"context"
	"fmt"

	"github.com/atrium-intranet/atrium/model"
)

// MembershipByFollowURI returns the membership of groupID whose join Follow is followURI.
func (s *Store) MembershipByFollowURI(ctx context.Context, groupID, followURI string) (*model.Membership, error) {
	m := new(model.Membership)
	if followURI == "" {
		return nil, fmt.Errorf("membership by follow: %w", ErrNotFound)
	}
	err := s.db.NewSelect().Model(m).Where("gm.group_id = ? AND gm.follow_uri = ?", groupID, followURI).Limit(1).Scan(ctx)
	if err != nil {
		return nil, notFound(err, "membership by follow "+followURI)
	}
	return m, nil
}

// RemoteActiveMembers returns the remote accounts that are active members of groupID:
// the nodes a group's Announce goes to.
func (s *Store) RemoteActiveMembers(ctx context.Context, groupID string) ([]*model.Account, error) {
	var list []*model.Account
	err := s.db.NewSelect().Model(&list).
		Where("domain <> ''").
		Where("id IN (SELECT m.account_id FROM group_members AS m WHERE m.group_id = ? AND m.state = ?)", groupID, model.MemberActive).
		OrderExpr("domain ASC, id ASC").Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("remote members of group %s: %w", groupID, err)
	}
	return list, nil
}

// GroupHasLocalActiveMember reports whether an account of this node is an active member
// of groupID.
func (s *Store) GroupHasLocalActiveMember(ctx context.Context, groupID string) (bool, error) {
	ok, err := s.db.NewSelect().TableExpr("group_members AS m").Join("JOIN accounts AS a ON a.id = m.account_id").
		Where("m.group_id = ? AND a.domain = '' AND m.state = ?", groupID, model.MemberActive).Exists(ctx)
	if err != nil {
		return false, fmt.Errorf("local members of group %s: %w", groupID, err)
	}
	return ok, nil
}
