package storage

import (
	"context"
	"fmt"

	"github.com/atrium-intranet/atrium/model"
)

// SharesGroupWithDomain reports whether the account accountID shares a group with an
// account of the node at domain (host:port): the people a partner node's users, who are
// guests here, may see. It is CoMembers for a whole node: an account of domain is an
// active member of a group in which accountID is an active member or wrote a post; or
// accountID is an active member of a group that lives on domain, whose members that
// node knows (this one knows another node's members only by their posts).
func (s *Store) SharesGroupWithDomain(ctx context.Context, accountID, domain string) (bool, error) {
	if accountID == "" || domain == "" {
		return false, nil
	}
	const sql = `SELECT 1 WHERE EXISTS (
		SELECT 1 FROM group_members AS o JOIN accounts AS oa ON oa.id = o.account_id
		WHERE oa.domain = ? AND o.state = ? AND (
			EXISTS (SELECT 1 FROM group_members AS v WHERE v.group_id = o.group_id AND v.account_id = ? AND v.state = ?)
			OR EXISTS (SELECT 1 FROM posts AS p WHERE p.group_id = o.group_id AND p.account_id = ?)))
	OR EXISTS (
		SELECT 1 FROM group_members AS v JOIN groups AS g ON g.id = v.group_id
		WHERE v.account_id = ? AND v.state = ? AND g.domain = ?)`
	var n []int
	err := s.db.NewRaw(sql, domain, model.MemberActive, accountID, model.MemberActive, accountID,
		accountID, model.MemberActive, domain).Scan(ctx, &n)
	if err != nil {
		return false, fmt.Errorf("groups of %s shared with %q: %w", accountID, domain, err)
	}
	return len(n) > 0, nil
}
