package social

import (
	"context"
	"strings"

	"github.com/atrium-intranet/atrium/model"
	"github.com/atrium-intranet/atrium/storage"
)

// lastOwner is the error for a change that would leave a group without an owner.
func lastOwner() error {
	return &ValidationError{Fields: map[string]string{"group": "error.group.last_owner"}}
}

// Join joins a group or asks to: an open group makes the viewer an active member, a
// closed one a requested one; a secret group is joined only by accepting an invitation,
// as are all groups by guests. Banned accounts and archived groups are ErrForbidden.
// A group of another node is asked with a Follow of its Group actor: the membership is
// requested until the group's Accept arrives.
func (g *Groups) Join(ctx context.Context, viewer *model.Account, groupID string) (model.MemberState, error) {
	var state model.MemberState
	err := g.Store.InTx(ctx, func(tx *storage.Store) error {
		grp, m, err := g.visibleGroup(ctx, tx, viewer, groupID)
		if err != nil {
			return err
		}
		if !grp.Local() {
			state, err = g.joinRemote(ctx, tx, viewer, grp, m)
			return err
		}
		if m != nil {
			switch m.State {
			case model.MemberBanned:
				return ErrForbidden
			case model.MemberActive, model.MemberRequested:
				state = m.State
				return nil
			}
		}
		if grp.Archived() || !viewer.Active() {
			return ErrForbidden
		}
		now := g.now()
		switch {
		case m != nil: // invited: accepting makes an active member
			m.State, m.UpdatedAt = model.MemberActive, now
		case viewer.Role == model.RoleGuest:
			return ErrForbidden
		case grp.Kind == model.GroupOpen:
			m = &model.Membership{GroupID: grp.ID, AccountID: viewer.ID, Role: model.GroupMember,
				State: model.MemberActive, CreatedAt: now, UpdatedAt: now}
		case grp.Kind == model.GroupClosed:
			m = &model.Membership{GroupID: grp.ID, AccountID: viewer.ID, Role: model.GroupMember,
				State: model.MemberRequested, CreatedAt: now, UpdatedAt: now}
		default:
			return ErrNotFound
		}
		state = m.State
		g.Log.InfoContext(ctx, "group joined", "group", grp.Name, "account", viewer.Username, "state", m.State)
		return tx.SaveMembership(ctx, m)
	})
	if err != nil {
		return "", err
	}
	return state, nil
}

// Leave ends the viewer's membership, request or invitation. The last owner cannot
// leave, and a ban is not the banned account's to lift.
func (g *Groups) Leave(ctx context.Context, viewer *model.Account, groupID string) error {
	return g.Store.InTx(ctx, func(tx *storage.Store) error {
		grp, m, err := g.visibleGroup(ctx, tx, viewer, groupID)
		if err != nil {
			return err
		}
		if m == nil {
			return nil
		}
		if m.State == model.MemberBanned {
			return ErrForbidden
		}
		if m.State == model.MemberInvited {
			return g.decline(ctx, tx, viewer, grp, m)
		}
		if err := g.keepOwner(ctx, tx, m); err != nil {
			return err
		}
		g.Log.InfoContext(ctx, "group left", "group", grp.Name, "account", viewer.Username)
		if err := tx.DeleteMembership(ctx, groupID, viewer.ID); err != nil {
			return err
		}
		if grp.Local() || m.FollowURI == "" || !viewer.Local() {
			return nil
		}
		return g.Outbox.Enqueue(ctx, tx, Activity{Kind: ActivityLeaveGroup, Actor: viewer, Group: grp, Membership: m})
	})
}

// keepOwner fails with the last-owner error if m is the group's only active owner, and
// with the last-employee-owner error if the group would keep guests only as owners
// (see groups_succession.go).
func (g *Groups) keepOwner(ctx context.Context, tx *storage.Store, m *model.Membership) error {
	return ownerMayGo(ctx, tx, m)
}

// Invite invites an account to a group. Moderators may, and in open groups any active
// member. An invitation of someone who asked to join is, from a moderator, an approval;
// banned accounts stay banned (ErrForbidden). An account of another node is sent the
// group's Invite.
func (g *Groups) Invite(ctx context.Context, actor *model.Account, groupID, accountID string) error {
	if actor.IsGuest() {
		return ErrForbidden // guests invite nobody
	}
	return g.Store.InTx(ctx, func(tx *storage.Store) error {
		grp, mine, err := g.visibleGroup(ctx, tx, actor, groupID)
		if err != nil {
			return err
		}
		if !grp.Local() {
			return ErrForbidden
		}
		if !moderates(mine) && !(active(mine) && grp.Kind == model.GroupOpen) {
			return ErrForbidden
		}
		if grp.Archived() {
			return ErrForbidden
		}
		target, err := tx.Account(ctx, accountID)
		if err != nil {
			return err
		}
		if !target.ActiveAt(g.now()) || (grp.SiteOnly && target.Domain != grp.Domain) {
			return ErrForbidden
		}
		m, err := membershipOf(ctx, tx, groupID, accountID)
		if err != nil {
			return err
		}
		now := g.now()
		switch {
		case m == nil:
			m = &model.Membership{GroupID: groupID, AccountID: accountID, Role: model.GroupMember,
				State: model.MemberInvited, InvitedByID: &actor.ID, CreatedAt: now, UpdatedAt: now}
			if !target.Local() {
				m.FollowURI = g.inviteURI(grp)
			}
		case m.State == model.MemberBanned:
			return ErrForbidden
		case m.State == model.MemberRequested && moderates(mine):
			m.State, m.UpdatedAt = model.MemberActive, now
		default:
			return nil // already active, invited, or a request only moderators decide
		}
		g.Log.InfoContext(ctx, "group invitation", "group", grp.Name, "account", target.Username, "by", actor.Username, "state", m.State)
		if err := tx.SaveMembership(ctx, m); err != nil {
			return err
		}
		return g.afterInvite(ctx, tx, grp, actor, target, m)
	})
}

// Decide approves a request to join (the account becomes an active member) or refuses
// it (the request is removed). Moderators only.
func (g *Groups) Decide(ctx context.Context, actor *model.Account, groupID, accountID string, approve bool) error {
	return g.Store.InTx(ctx, func(tx *storage.Store) error {
		grp, mine, err := g.visibleGroup(ctx, tx, actor, groupID)
		if err != nil {
			return err
		}
		if !moderates(mine) {
			return ErrForbidden
		}
		m, err := tx.Membership(ctx, groupID, accountID)
		if err != nil {
			return err
		}
		if m.State != model.MemberRequested {
			return ErrNotFound
		}
		g.Log.InfoContext(ctx, "group request decided", "group", grp.Name, "account", accountID, "by", actor.Username, "approve", approve)
		acct, err := tx.Account(ctx, accountID)
		if err != nil {
			return err
		}
		if !approve {
			if err := tx.DeleteMembership(ctx, groupID, accountID); err != nil {
				return err
			}
			return answerRemote(ctx, g.core, tx, grp, acct, m.FollowURI, false)
		}
		if grp.Archived() {
			return ErrForbidden
		}
		m.State, m.UpdatedAt = model.MemberActive, g.now()
		if err := tx.SaveMembership(ctx, m); err != nil {
			return err
		}
		return answerRemote(ctx, g.core, tx, grp, acct, m.FollowURI, true)
	})
}

// SetRole gives an active member a role. Owners only; the group never loses its last
// owner.
func (g *Groups) SetRole(ctx context.Context, actor *model.Account, groupID, accountID string, role model.GroupRole) error {
	if !role.Valid() {
		return &ValidationError{Fields: map[string]string{"role": "error.group.role"}}
	}
	return g.Store.InTx(ctx, func(tx *storage.Store) error {
		grp, mine, err := g.visibleGroup(ctx, tx, actor, groupID)
		if err != nil {
			return err
		}
		if !active(mine) || mine.Role != model.GroupOwner {
			return ErrForbidden
		}
		m, err := tx.Membership(ctx, groupID, accountID)
		if err != nil {
			return err
		}
		if !active(m) {
			return ErrNotFound
		}
		if m.Role == role {
			return nil
		}
		if role != model.GroupOwner {
			if err := g.keepOwner(ctx, tx, m); err != nil {
				return err
			}
		}
		m.Role, m.UpdatedAt = role, g.now()
		g.Log.InfoContext(ctx, "group role changed", "group", grp.Name, "account", accountID, "role", role, "by", actor.Username)
		return tx.SaveMembership(ctx, m)
	})
}

// Remove takes an account out of a group; with ban it stays as a banned row and cannot
// join again, without ban an existing ban is lifted. Moderators may; an owner is removed
// only by an owner, and never the last one.
func (g *Groups) Remove(ctx context.Context, actor *model.Account, groupID, accountID string, ban bool) error {
	return g.Store.InTx(ctx, func(tx *storage.Store) error {
		grp, mine, err := g.visibleGroup(ctx, tx, actor, groupID)
		if err != nil {
			return err
		}
		if !moderates(mine) {
			return ErrForbidden
		}
		target, err := tx.Account(ctx, accountID)
		if err != nil {
			return err
		}
		m, err := membershipOf(ctx, tx, groupID, accountID)
		if err != nil {
			return err
		}
		if m == nil && !ban {
			return ErrNotFound
		}
		if m != nil && m.Role == model.GroupOwner {
			if mine.Role != model.GroupOwner {
				return ErrForbidden
			}
			if err := g.keepOwner(ctx, tx, m); err != nil {
				return err
			}
		}
		g.Log.InfoContext(ctx, "group member removed", "group", grp.Name, "account", accountID, "ban", ban, "by", actor.Username)
		if m != nil && m.State != model.MemberBanned {
			// A remote member's node drops the membership (and stops getting the posts).
			if err := g.tellRemoved(ctx, tx, grp, target, m); err != nil {
				return err
			}
		}
		if !ban {
			return tx.DeleteMembership(ctx, groupID, accountID)
		}
		now := g.now()
		if m == nil {
			m = &model.Membership{GroupID: groupID, AccountID: accountID, CreatedAt: now}
		}
		m.Role, m.State, m.InvitedByID, m.UpdatedAt = model.GroupMember, model.MemberBanned, nil, now
		return tx.SaveMembership(ctx, m)
	})
}

// MemberView is a member with the membership.
type MemberView struct {
	Account    *model.Account
	Membership *model.Membership
}

// MemberPage is one page of members and the cursor of the next ("" at the end).
type MemberPage struct {
	Members []*MemberView
	Next    string
}

// Members lists a group's memberships in one state ("" means active), ordered by
// username; the cursor is the last username, with "@domain" for a remote account.
// Active members are listed to anyone who may see the group, requests, invitations and
// bans to its moderators only.
func (g *Groups) Members(ctx context.Context, viewer *model.Account, groupID string, state model.MemberState, after string, limit int) (*MemberPage, error) {
	if state == "" {
		state = model.MemberActive
	}
	limit = clampLimit(limit, 50, 200)
	_, mine, err := g.visibleGroup(ctx, g.Store, viewer, groupID)
	if err != nil {
		return nil, err
	}
	if state != model.MemberActive && !moderates(mine) {
		return nil, ErrForbidden
	}
	afterName, afterDomain, _ := strings.Cut(after, "@")
	list, err := g.Store.GroupMembers(ctx, storage.MemberFilter{GroupID: groupID, State: state,
		After: afterName, AfterDomain: afterDomain, Limit: limit + 1})
	if err != nil {
		return nil, err
	}
	page := &MemberPage{}
	if len(list) > limit {
		list = list[:limit]
		last := list[limit-1].Account
		page.Next = last.Username
		if !last.Local() {
			page.Next += "@" + last.Domain
		}
	}
	for _, m := range list {
		page.Members = append(page.Members, &MemberView{Account: m.Account, Membership: m.Membership})
	}
	return page, nil
}
