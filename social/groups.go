package social

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/atrium-intranet/atrium/model"
	"github.com/atrium-intranet/atrium/storage"
)

// Groups creates groups and keeps their memberships, pins and moderation.
type Groups struct {
	*core
	// refreshMu guards refreshedAt, the last time the directory asked the sibling nodes.
	refreshMu   sync.Mutex
	refreshedAt time.Time
}

// GroupInput is a new group or a group's new settings.
type GroupInput struct {
	// Name is the handle (^[a-z0-9_]{2,30}$); it cannot change after Create.
	Name, DisplayName, Description string
	Kind                           model.GroupKind
	SiteOnly, PreModeration        bool
}

// GroupView is a group as a viewer sees it, with what the viewer may do there.
type GroupView struct {
	Group *model.Group
	// Membership is the viewer's, nil if none.
	Membership *model.Membership
	// Members counts the active members.
	Members int
	// CanPost and the others tell which actions to offer the viewer; the rules check again.
	CanPost, CanModerate, CanJoin, CanRequest, CanLeave bool
}

// GroupQuery selects a page of the group directory.
type GroupQuery struct {
	Text, After string
	Limit       int
	// Mine keeps only the groups the viewer is an active member of.
	Mine bool
}

// GroupPage is one page of groups and the cursor of the next ("" at the end).
type GroupPage struct {
	Groups []*GroupView
	Next   string
}

// groupNamePattern keeps group handles safe in URLs and handles, like usernames.
var groupNamePattern = regexp.MustCompile(`^[a-z0-9_]{2,30}$`)

// reservedGroupNames are path words of the groups pages (/groups/new), which a group of
// that name would hide.
var reservedGroupNames = map[string]bool{"new": true, "refresh": true}

// Group text limits.
const (
	maxGroupNameRunes        = 100
	maxGroupDescriptionRunes = 5_000
)

// maxPending bounds the pending posts a moderation page shows.
const maxPending = 100

// checkGroupInput validates the settings shared by Create and Update.
func checkGroupInput(p problems, in GroupInput) (displayName, description string) {
	displayName = strings.TrimSpace(in.DisplayName)
	switch {
	case displayName == "":
		p.add("display_name", "error.group.display_name.empty")
	case utf8.RuneCountInString(displayName) > maxGroupNameRunes:
		p.add("display_name", "error.too_long")
	}
	description = strings.TrimSpace(in.Description)
	if utf8.RuneCountInString(description) > maxGroupDescriptionRunes {
		p.add("description", "error.too_long")
	}
	if !in.Kind.Valid() {
		p.add("kind", "error.group.kind")
	}
	return displayName, description
}

// Create makes a local group with its Group actor key pair; the actor, a member or an
// admin of this node, becomes its owner.
func (g *Groups) Create(ctx context.Context, actor *model.Account, in GroupInput) (*model.Group, error) {
	if !actor.Local() || !actor.Active() || actor.Role == model.RoleGuest {
		return nil, ErrForbidden
	}
	p := problems{}
	name := strings.ToLower(strings.TrimSpace(in.Name))
	if !groupNamePattern.MatchString(name) {
		p.add("name", "error.group.name.invalid")
	} else if reservedGroupNames[name] {
		p.add("name", "error.group.name.taken")
	}
	displayName, description := checkGroupInput(p, in)
	if err := p.err(); err != nil {
		return nil, err
	}
	pub, priv, err := g.keyPair()
	if err != nil {
		return nil, err
	}
	now := g.now()
	grp := &model.Group{
		ID: g.newID(), Name: name, URI: g.URIs.Group(name), InboxURI: g.URIs.GroupInbox(name),
		SharedInboxURI: g.URIs.SharedInbox(), DisplayName: displayName, Kind: in.Kind,
		SiteOnly: in.SiteOnly, PreModeration: in.PreModeration,
		DescriptionSource: description, DescriptionHTML: g.md.render(description, nil),
		PublicKeyPEM: pub, PrivateKeyPEM: priv, CreatedAt: now, UpdatedAt: now,
	}
	err = g.Store.InTx(ctx, func(tx *storage.Store) error {
		if err := tx.CreateGroup(ctx, grp); err != nil {
			return err
		}
		return tx.SaveMembership(ctx, &model.Membership{GroupID: grp.ID, AccountID: actor.ID,
			Role: model.GroupOwner, State: model.MemberActive, CreatedAt: now, UpdatedAt: now})
	})
	if errors.Is(err, storage.ErrConflict) {
		return nil, &ValidationError{Fields: map[string]string{"name": "error.group.name.taken"}}
	}
	if err != nil {
		return nil, err
	}
	g.Log.InfoContext(ctx, "group created", "group", name, "kind", in.Kind, "owner", actor.Username)
	return grp, nil
}

// Update changes a group's settings; its owners and moderators may. The name stays.
func (g *Groups) Update(ctx context.Context, actor *model.Account, groupID string, in GroupInput) error {
	p := problems{}
	displayName, description := checkGroupInput(p, in)
	return g.Store.InTx(ctx, func(tx *storage.Store) error {
		grp, m, err := g.visibleGroup(ctx, tx, actor, groupID)
		if err != nil {
			return err
		}
		if !moderates(m) {
			return ErrForbidden
		}
		if err := p.err(); err != nil {
			return err
		}
		grp.DisplayName, grp.Kind, grp.SiteOnly, grp.PreModeration = displayName, in.Kind, in.SiteOnly, in.PreModeration
		grp.DescriptionSource, grp.DescriptionHTML = description, g.md.render(description, nil)
		grp.UpdatedAt = g.now()
		g.Log.InfoContext(ctx, "group updated", "group", grp.Name, "by", actor.Username)
		if err := tx.UpdateGroup(ctx, grp, "display_name", "kind", "site_only", "pre_moderation",
			"description_source", "description_html", "updated_at"); err != nil {
			return err
		}
		return g.groupChanged(ctx, tx, grp)
	})
}

// SetArchived archives a group (readable by its members, frozen otherwise) or brings it
// back. Its owners and the node's admins may.
func (g *Groups) SetArchived(ctx context.Context, actor *model.Account, groupID string, archived bool) error {
	return g.Store.InTx(ctx, func(tx *storage.Store) error {
		grp, err := tx.Group(ctx, groupID)
		if err != nil {
			return err
		}
		m, err := membershipOf(ctx, tx, groupID, actor.ID)
		if err != nil {
			return err
		}
		owner := active(m) && m.Role == model.GroupOwner
		if !owner && !(actor.IsAdmin() && actor.Local() && grp.Local()) {
			if !g.maySee(actor, grp, m) {
				return ErrNotFound
			}
			return ErrForbidden
		}
		if archived == grp.Archived() {
			return nil
		}
		now := g.now()
		grp.ArchivedAt, grp.UpdatedAt = nil, now
		if archived {
			grp.ArchivedAt = &now
		}
		g.Log.InfoContext(ctx, "group archived", "group", grp.Name, "archived", archived, "by", actor.Username)
		return tx.UpdateGroup(ctx, grp, "archived_at", "updated_at")
	})
}

// Get returns a group by handle ("name" here, "name@host:port" for a cached remote
// group). A secret group the viewer is neither a member of nor invited to is
// ErrNotFound, and so is a site-only group to accounts of other nodes.
func (g *Groups) Get(ctx context.Context, viewer *model.Account, name string) (*GroupView, error) {
	name, domain, _ := strings.Cut(strings.ToLower(strings.TrimPrefix(strings.TrimSpace(name), "@")), "@")
	grp, err := g.Store.GroupByName(ctx, name, domain)
	if errors.Is(err, ErrNotFound) && domain != "" && viewer.Role != model.RoleGuest {
		// A group of another node not cached yet: ask its node (peers only).
		grp, err = g.GroupResolver.ResolveGroup(ctx, name+"@"+domain)
		if err != nil && !errors.Is(err, ErrNotFound) {
			err = fmt.Errorf("resolve group %s@%s: %w (%w)", name, domain, ErrRemoteUnavailable, err)
		}
	}
	if err != nil {
		return nil, err
	}
	m, err := membershipOf(ctx, g.Store, grp.ID, viewer.ID)
	if err != nil {
		return nil, err
	}
	if !g.maySee(viewer, grp, m) {
		return nil, ErrNotFound
	}
	counts, err := g.Store.CountActiveMembers(ctx, []string{grp.ID})
	if err != nil {
		return nil, err
	}
	v := g.view(viewer, grp, m, counts[grp.ID])
	if v.CanLeave && m.Role == model.GroupOwner && active(m) {
		err := ownerMayGo(ctx, g.Store, m)
		var verr *ValidationError
		if err != nil && !errors.As(err, &verr) {
			return nil, err
		}
		v.CanLeave = err == nil
	}
	return v, nil
}

// List returns the group directory ordered by name: open and closed groups plus the
// secret ones the viewer is in; guests see only the groups they are in. Archived groups
// stay in name order, flagged by Group.Archived. The cursor is the last group's name,
// with "@domain" for a cached remote group.
func (g *Groups) List(ctx context.Context, viewer *model.Account, q GroupQuery) (*GroupPage, error) {
	limit := clampLimit(q.Limit, 30, 100)
	if utf8.RuneCountInString(q.Text) > 100 {
		return nil, &ValidationError{Fields: map[string]string{"q": "error.too_long"}}
	}
	after, afterDomain, _ := strings.Cut(q.After, "@")
	list, err := g.Store.Groups(ctx, storage.GroupFilter{
		Viewer: viewerOf(viewer), ViewerDomain: viewer.Domain, Text: q.Text,
		After: after, AfterDomain: afterDomain, Limit: limit + 1, Mine: q.Mine,
	})
	if err != nil {
		return nil, err
	}
	page := &GroupPage{}
	if len(list) > limit {
		list = list[:limit]
		last := list[limit-1]
		page.Next = last.Name
		if !last.Local() {
			page.Next += "@" + last.Domain
		}
	}
	ids := make([]string, len(list))
	for i, grp := range list {
		ids[i] = grp.ID
	}
	mine, err := g.Store.MembershipsOf(ctx, viewer.ID, ids)
	if err != nil {
		return nil, err
	}
	counts, err := g.Store.CountActiveMembers(ctx, ids)
	if err != nil {
		return nil, err
	}
	for _, grp := range list {
		v := g.view(viewer, grp, mine[grp.ID], counts[grp.ID])
		// Whether an owner is the last one is not worked out for a whole page; Get does.
		page.Groups = append(page.Groups, v)
	}
	return page, nil
}

// view builds a GroupView with the viewer's rights.
func (g *Groups) view(viewer *model.Account, grp *model.Group, m *model.Membership, members int) *GroupView {
	open := !grp.Archived() && viewer.Active()
	v := &GroupView{Group: grp, Membership: m, Members: members}
	v.CanPost = active(m) && open
	v.CanModerate = moderates(m)
	joinable := open && (m == nil || m.State == model.MemberInvited)
	invited := m != nil && m.State == model.MemberInvited
	guest := viewer.Role == model.RoleGuest
	v.CanJoin = joinable && (invited || (grp.Kind == model.GroupOpen && !guest))
	v.CanRequest = joinable && !invited && grp.Kind == model.GroupClosed && !guest
	v.CanLeave = m != nil && m.State != model.MemberBanned
	return v
}

// maySee reports whether viewer may know that grp exists, given the viewer's membership.
func (g *Groups) maySee(viewer *model.Account, grp *model.Group, m *model.Membership) bool {
	if grp.SiteOnly && viewer.Domain != grp.Domain {
		return false
	}
	in := m != nil && (m.State == model.MemberActive || m.State == model.MemberInvited)
	if viewer.Role == model.RoleGuest || grp.Kind == model.GroupSecret {
		return in
	}
	return true
}

// visibleGroup loads a group the viewer may see, with the viewer's membership (nil if
// none); others are ErrNotFound.
func (g *Groups) visibleGroup(ctx context.Context, tx *storage.Store, viewer *model.Account, groupID string) (*model.Group, *model.Membership, error) {
	grp, err := tx.Group(ctx, groupID)
	if err != nil {
		return nil, nil, err
	}
	m, err := membershipOf(ctx, tx, groupID, viewer.ID)
	if err != nil {
		return nil, nil, err
	}
	if !g.maySee(viewer, grp, m) {
		return nil, nil, ErrNotFound
	}
	return grp, m, nil
}

// membershipOf returns an account's membership, nil if it has none.
func membershipOf(ctx context.Context, tx *storage.Store, groupID, accountID string) (*model.Membership, error) {
	m, err := tx.Membership(ctx, groupID, accountID)
	if errors.Is(err, storage.ErrNotFound) {
		return nil, nil
	}
	return m, err
}

// active reports whether m is an active membership.
func active(m *model.Membership) bool { return m != nil && m.State == model.MemberActive }

// moderates reports whether m is an active owner's or moderator's membership.
func moderates(m *model.Membership) bool { return active(m) && m.Role.Moderates() }
