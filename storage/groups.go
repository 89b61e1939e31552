package storage

import (
	"context"
	"fmt"
	"strings"

	"github.com/atrium-intranet/atrium/model"
	"github.com/uptrace/bun"
)

// CreateGroup inserts a group; ErrConflict when its name (on its domain) or URI is taken.
func (s *Store) CreateGroup(ctx context.Context, g *model.Group) error {
	if _, err := s.db.NewInsert().Model(g).Exec(ctx); err != nil {
		if isUniqueViolation(err) {
			return fmt.Errorf("create group %s: %w", g.Name, ErrConflict)
		}
		return fmt.Errorf("create group %s: %w", g.Name, err)
	}
	return nil
}

// Group returns a group by id.
func (s *Store) Group(ctx context.Context, id string) (*model.Group, error) {
	g := new(model.Group)
	if err := s.db.NewSelect().Model(g).Where("grp.id = ?", id).Scan(ctx); err != nil {
		return nil, notFound(err, "group "+id)
	}
	return g, nil
}

// GroupByName returns a group by handle and domain ("" for this node's groups).
func (s *Store) GroupByName(ctx context.Context, name, domain string) (*model.Group, error) {
	g := new(model.Group)
	if err := s.db.NewSelect().Model(g).Where("grp.name = ? AND grp.domain = ?", name, domain).Scan(ctx); err != nil {
		return nil, notFound(err, "group "+name)
	}
	return g, nil
}

// GroupByURI returns a group by its actor id.
func (s *Store) GroupByURI(ctx context.Context, uri string) (*model.Group, error) {
	g := new(model.Group)
	if err := s.db.NewSelect().Model(g).Where("grp.uri = ?", uri).Scan(ctx); err != nil {
		return nil, notFound(err, "group "+uri)
	}
	return g, nil
}

// UpdateGroup writes the given columns of a group.
func (s *Store) UpdateGroup(ctx context.Context, g *model.Group, columns ...string) error {
	res, err := s.db.NewUpdate().Model(g).Column(columns...).WherePK().Exec(ctx)
	if err != nil {
		return fmt.Errorf("update group %s: %w", g.ID, err)
	}
	if n, err := res.RowsAffected(); err == nil && n == 0 {
		return fmt.Errorf("update group %s: %w", g.ID, ErrNotFound)
	}
	return nil
}

// DeleteGroup removes a group with its memberships, pins and posts.
func (s *Store) DeleteGroup(ctx context.Context, id string) error {
	if _, err := s.db.NewDelete().Model((*model.Group)(nil)).Where("id = ?", id).Exec(ctx); err != nil {
		return fmt.Errorf("delete group %s: %w", id, err)
	}
	return nil
}

// GroupFilter selects groups for the directory.
type GroupFilter struct {
	Viewer Viewer
	// ViewerDomain is the viewer's node ("" for local accounts): site-only groups are
	// listed only to the accounts of their own node.
	ViewerDomain string
	// Text matches the handle or the display name.
	Text string
	// After and AfterDomain are the handle and domain of the group to continue after.
	After, AfterDomain string
	Limit              int
	// Mine keeps only the groups the viewer is an active member of.
	Mine bool
}

// memberOfGroup matches groups (aliased "grp") where an account's membership is in one
// of the given states.
const memberOfGroup = "EXISTS (SELECT 1 FROM group_members AS m WHERE m.group_id = grp.id AND m.account_id = ? AND m.state IN (?))"

// listedGroups restricts q (over groups aliased "grp") to the groups v may know of:
// open and closed ones plus the secret ones v is in (active or invited), guests only
// those they are in, and site-only groups only for accounts of their own node. The
// directory and search share it.
func listedGroups(q *bun.SelectQuery, v Viewer, viewerDomain string) *bun.SelectQuery {
	return q.WhereGroup(" AND ", func(q *bun.SelectQuery) *bun.SelectQuery {
		return q.Where("grp.site_only = ?", false).WhereOr("grp.domain = ?", viewerDomain)
	}).WhereGroup(" AND ", func(q *bun.SelectQuery) *bun.SelectQuery {
		if !v.Guest {
			q = q.Where("grp.kind IN (?)", bun.In([]model.GroupKind{model.GroupOpen, model.GroupClosed}))
		}
		return q.WhereOr(memberOfGroup, v.AccountID, bun.In([]model.MemberState{model.MemberActive, model.MemberInvited}))
	})
}

// Groups returns the groups of the directory ordered by name: open and closed ones plus
// the secret ones the viewer is in (active or invited); guests get only the groups they
// are in.
func (s *Store) Groups(ctx context.Context, f GroupFilter) ([]*model.Group, error) {
	var list []*model.Group
	q := listedGroups(s.db.NewSelect().Model(&list), f.Viewer, f.ViewerDomain)
	if f.Mine {
		q = q.Where(memberOfGroup, f.Viewer.AccountID, bun.In([]model.MemberState{model.MemberActive}))
	}
	if t := strings.TrimSpace(f.Text); t != "" {
		like := "%" + escapeLike(strings.ToLower(t)) + "%"
		q = q.WhereGroup(" AND ", func(q *bun.SelectQuery) *bun.SelectQuery {
			return q.Where("LOWER(grp.name) LIKE ? ESCAPE '\\'", like).
				WhereOr("LOWER(grp.display_name) LIKE ? ESCAPE '\\'", like)
		})
	}
	if f.After != "" {
		q = q.WhereGroup(" AND ", func(q *bun.SelectQuery) *bun.SelectQuery {
			return q.Where("grp.name > ?", f.After).WhereOr("grp.name = ? AND grp.domain > ?", f.After, f.AfterDomain)
		})
	}
	if err := q.OrderExpr("grp.name ASC, grp.domain ASC").Limit(int64(f.Limit)).Scan(ctx); err != nil {
		return nil, fmt.Errorf("list groups: %w", err)
	}
	return list, nil
}

// Membership returns an account's membership of a group.
func (s *Store) Membership(ctx context.Context, groupID, accountID string) (*model.Membership, error) {
	m := new(model.Membership)
	err := s.db.NewSelect().Model(m).Where("gm.group_id = ? AND gm.account_id = ?", groupID, accountID).Scan(ctx)
	if err != nil {
		return nil, notFound(err, "membership of "+accountID+" in "+groupID)
	}
	return m, nil
}

// MembershipsOf returns an account's memberships of the given groups, by group id.
func (s *Store) MembershipsOf(ctx context.Context, accountID string, groupIDs []string) (map[string]*model.Membership, error) {
	out := make(map[string]*model.Membership, len(groupIDs))
	if len(groupIDs) == 0 {
		return out, nil
	}
	var list []*model.Membership
	err := s.db.NewSelect().Model(&list).Where("gm.account_id = ? AND gm.group_id IN (?)", accountID, bun.In(groupIDs)).Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("memberships of %s: %w", accountID, err)
	}
	for _, m := range list {
		out[m.GroupID] = m
	}
	return out, nil
}

// SaveMembership inserts a membership or replaces the role, state, follow, inviter and
// update time of the existing one.
func (s *Store) SaveMembership(ctx context.Context, m *model.Membership) error {
	_, err := s.db.NewInsert().Model(m).
		On("CONFLICT (group_id, account_id) DO UPDATE").
		Set("role = EXCLUDED.role, state = EXCLUDED.state, follow_uri = EXCLUDED.follow_uri").
		Set("invited_by_id = EXCLUDED.invited_by_id, updated_at = EXCLUDED.updated_at").
		Exec(ctx)
	if err != nil {
		return fmt.Errorf("save membership of %s in %s: %w", m.AccountID, m.GroupID, err)
	}
	return nil
}

// DeleteMembership removes an account's membership of a group if present.
func (s *Store) DeleteMembership(ctx context.Context, groupID, accountID string) error {
	_, err := s.db.NewDelete().Model((*model.Membership)(nil)).
		Where("group_id = ? AND account_id = ?", groupID, accountID).Exec(ctx)
	if err != nil {
		return fmt.Errorf("delete membership of %s in %s: %w", accountID, groupID, err)
	}
	return nil
}

// MemberFilter selects a page of a group's members in one state.
type MemberFilter struct {
	GroupID string
	State   model.MemberState
	// After and AfterDomain are the username and domain of the account to continue after.
	After, AfterDomain string
	Limit              int
}

// Member is a membership with its account.
type Member struct {
	Membership *model.Membership
	Account    *model.Account
}

// GroupMembers returns memberships in one state with their accounts, ordered by
// username and domain.
func (s *Store) GroupMembers(ctx context.Context, f MemberFilter) ([]Member, error) {
	var list []*model.Membership
	q := s.db.NewSelect().Model(&list).
		Join("JOIN accounts AS a ON a.id = gm.account_id").
		Where("gm.group_id = ? AND gm.state = ?", f.GroupID, f.State)
	if f.After != "" {
		q = q.WhereGroup(" AND ", func(q *bun.SelectQuery) *bun.SelectQuery {
			return q.Where("a.username > ?", f.After).WhereOr("a.username = ? AND a.domain > ?", f.After, f.AfterDomain)
		})
	}
	if err := q.OrderExpr("a.username ASC, a.domain ASC").Limit(int64(f.Limit)).Scan(ctx); err != nil {
		return nil, fmt.Errorf("members of %s: %w", f.GroupID, err)
	}
	ids := make([]string, len(list))
	for i, m := range list {
		ids[i] = m.AccountID
	}
	accts, err := s.ProfilesByIDs(ctx, ids)
	if err != nil {
		return nil, err
	}
	out := make([]Member, 0, len(list))
	for _, m := range list {
		if a, ok := accts[m.AccountID]; ok {
			out = append(out, Member{Membership: m, Account: a})
		}
	}
	return out, nil
}

// CountActiveMembers returns the number of active members per group.
func (s *Store) CountActiveMembers(ctx context.Context, groupIDs []string) (map[string]int, error) {
	out := make(map[string]int, len(groupIDs))
	if len(groupIDs) == 0 {
		return out, nil
	}
	var rows []struct {
		GroupID string `bun:"group_id"`
		N       int    `bun:"n"`
	}
	err := s.db.NewSelect().Model((*model.Membership)(nil)).ColumnExpr("gm.group_id, COUNT(*) AS n").
		Where("gm.group_id IN (?) AND gm.state = ?", bun.In(groupIDs), model.MemberActive).
		GroupExpr("gm.group_id").Scan(ctx, &rows)
	if err != nil {
		return nil, fmt.Errorf("count members: %w", err)
	}
	for _, r := range rows {
		out[r.GroupID] = r.N
	}
	return out, nil
}

// CountOwners returns the number of active owners of a group.
func (s *Store) CountOwners(ctx context.Context, groupID string) (int, error) {
	n, err := s.db.NewSelect().Model((*model.Membership)(nil)).
		Where("gm.group_id = ? AND gm.role = ? AND gm.state = ?", groupID, model.GroupOwner, model.MemberActive).Count(ctx)
	if err != nil {
		return 0, fmt.Errorf("count owners of %s: %w", groupID, err)
	}
	return int(n), nil
}

// PinPost pins a post to its group; pinning it again changes nothing.
func (s *Store) PinPost(ctx context.Context, pin *model.GroupPin) error {
	_, err := s.db.NewInsert().Model(pin).On("CONFLICT (group_id, post_id) DO NOTHING").Exec(ctx)
	if err != nil {
		return fmt.Errorf("pin post %s: %w", pin.PostID, err)
	}
	return nil
}

// UnpinPost removes a pin if present.
func (s *Store) UnpinPost(ctx context.Context, groupID, postID string) error {
	_, err := s.db.NewDelete().Model((*model.GroupPin)(nil)).Where("group_id = ? AND post_id = ?", groupID, postID).Exec(ctx)
	if err != nil {
		return fmt.Errorf("unpin post %s: %w", postID, err)
	}
	return nil
}

// maxPins bounds the pinned posts of a group that are shown.
const maxPins = 50

// PinnedPosts returns the pinned posts of a group that v may see, most recently pinned
// first.
func (s *Store) PinnedPosts(ctx context.Context, v Viewer, groupID string) ([]*model.Post, error) {
	var list []*model.Post
	q := s.db.NewSelect().Model(&list).
		Join("JOIN group_pins AS pin ON pin.post_id = post.id AND pin.group_id = ?", groupID).
		Where("post.group_id = ?", groupID)
	err := visible(q, v).OrderExpr("pin.pinned_at DESC, post.id DESC").Limit(maxPins).Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("pinned posts of %s: %w", groupID, err)
	}
	return list, nil
}

// PendingPosts returns the top-level posts of a group awaiting approval, oldest first.
func (s *Store) PendingPosts(ctx context.Context, groupID string, limit int) ([]*model.Post, error) {
	var list []*model.Post
	err := s.db.NewSelect().Model(&list).
		Where("post.group_id = ? AND post.state = ? AND post.in_reply_to_id IS NULL", groupID, model.PostPending).
		OrderExpr("post.id ASC").Limit(int64(limit)).Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("pending posts of %s: %w", groupID, err)
	}
	return list, nil
}

// SetPostState changes whether a post is published or pending.
func (s *Store) SetPostState(ctx context.Context, postID string, state model.PostState) error {
	res, err := s.db.NewUpdate().Model((*model.Post)(nil)).Set("state = ?", state).Where("id = ?", postID).Exec(ctx)
	if err != nil {
		return fmt.Errorf("set state of post %s: %w", postID, err)
	}
	if n, err := res.RowsAffected(); err == nil && n == 0 {
		return fmt.Errorf("post %s: %w", postID, ErrNotFound)
	}
	return nil
}
