package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/atrium-intranet/atrium/model"
	"github.com/uptrace/bun"
)

// GroupHasMemberOnDomain reports whether an account of the node at domain (host:port)
// holds a membership of groupID in one of states.
func (s *Store) GroupHasMemberOnDomain(ctx context.Context, groupID, domain string, states ...model.MemberState) (bool, error) {
	if domain == "" || len(states) == 0 {
		return false, nil
	}
	ok, err := s.db.NewSelect().TableExpr("group_members AS m").Join("JOIN accounts AS a ON a.id = m.account_id").
		Where("m.group_id = ? AND a.domain = ? AND m.state IN (?)", groupID, domain, bun.In(states)).Exists(ctx)
	if err != nil {
		return false, fmt.Errorf("members of group %s on %q: %w", groupID, domain, err)
	}
	return ok, nil
}

// FederatedGroups returns this node's groups that sibling nodes may list: open and
// closed, not site-only, ordered by name.
func (s *Store) FederatedGroups(ctx context.Context) ([]*model.Group, error) {
	var list []*model.Group
	err := s.db.NewSelect().Model(&list).Where("grp.domain = ''").Where("grp.site_only = ?", false).
		Where("grp.kind IN (?)", bun.In([]model.GroupKind{model.GroupOpen, model.GroupClosed})).
		OrderExpr("grp.name ASC").Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("federated groups: %w", err)
	}
	return list, nil
}

// CountGroupModerators counts a group's active owners and moderators.
func (s *Store) CountGroupModerators(ctx context.Context, groupID string) (int, error) {
	n, err := s.db.NewSelect().Model((*model.Membership)(nil)).Where("gm.group_id = ? AND gm.state = ?", groupID, model.MemberActive).
		Where("gm.role IN (?)", bun.In([]model.GroupRole{model.GroupOwner, model.GroupModerator})).Count(ctx)
	if err != nil {
		return 0, fmt.Errorf("moderators of group %s: %w", groupID, err)
	}
	return int(n), nil
}

// remoteGroupColumns are the columns a refetch of a remote Group actor rewrites.
var remoteGroupColumns = []string{"name", "inbox_uri", "shared_inbox_uri", "display_name", "kind", "site_only", "pre_moderation",
	"description_html", "public_key_pem", "fetched_at", "updated_at"}

// UpsertRemoteGroup stores or refreshes a cached remote group by its URI and sets g.ID
// to the stored row's. A local group is never overwritten (ErrConflict).
func (s *Store) UpsertRemoteGroup(ctx context.Context, g *model.Group) error {
	if g.Domain == "" || g.URI == "" {
		return fmt.Errorf("upsert remote group %q: not remote: %w", g.URI, ErrConflict)
	}
	q := s.db.NewInsert().Model(g).On("CONFLICT (uri) DO UPDATE")
	for _, c := range remoteGroupColumns {
		q = q.Set("? = EXCLUDED.?", bun.Ident(c), bun.Ident(c))
	}
	// The WHERE makes the update a no-op on local rows, so RETURNING yields nothing.
	var id string
	err := q.Where("grp.domain <> ''").Returning("id").Scan(ctx, &id)
	if err != nil {
		if isUniqueViolation(err) {
			return fmt.Errorf("upsert remote group %s: %w", g.URI, ErrConflict)
		}
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("upsert remote group %s: local group: %w", g.URI, ErrConflict)
		}
		return fmt.Errorf("upsert remote group %s: %w", g.URI, err)
	}
	g.ID = id
	return nil
}
