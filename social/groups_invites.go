package social

import (
	"context"
	"fmt"

	"github.com/atrium-intranet/atrium/model"
	"github.com/atrium-intranet/atrium/storage"
)

// Invitations across nodes. A local group that invites an account of another node keeps
// the invited membership as for a local account and sends the group's Invite to the
// invitee's node, which keeps an invited membership of its cached copy of the group. On
// both nodes the invited row's FollowURI holds the Invite's id until the invitee answers:
// accepting is the usual join (a Follow, which the home node accepts at once for an
// invited account), declining drops the row and tells the group with a Reject of the
// Invite. The group withdraws an invitation with an Undo of it.

const (
	// ActivityGroupInvite is the local Group inviting the remote account Object: an
	// Invite whose id is Membership.FollowURI, signed by the group. Actor is the local
	// member who invited, named in the Invite.
	ActivityGroupInvite ActivityKind = "GroupInvite"
	// ActivityGroupInviteUndo is the local Group withdrawing its invitation of the remote
	// account Object (Undo of the Invite Membership.FollowURI), signed by the group;
	// Actor is nil.
	ActivityGroupInviteUndo ActivityKind = "GroupInviteUndo"
	// ActivityDeclineGroupInvite is the local account Actor declining the remote Group's
	// invitation (Reject of the Invite Membership.FollowURI), signed by Actor.
	ActivityDeclineGroupInvite ActivityKind = "DeclineGroupInvite"
)

// maxGroupInvitations bounds the invitations a page lists.
const maxGroupInvitations = 100

// GroupInvitation is a pending invitation of the viewer.
type GroupInvitation struct {
	Group      *model.Group
	Membership *model.Membership
	// InvitedBy is who invited, nil when unknown.
	InvitedBy *model.Account
}

// inviteURI is a new id for the local group grp's Invite of an account of another node.
func (g *Groups) inviteURI(grp *model.Group) string {
	return grp.URI + "#invites/" + g.newID()
}

// afterInvite tells other nodes of what Invite changed for target: the group's Invite
// for a new invitation of a remote account, or the group's Accept when a moderator's
// invitation approved a remote account's request.
func (g *Groups) afterInvite(ctx context.Context, tx *storage.Store, grp *model.Group, actor, target *model.Account, m *model.Membership) error {
	if target.Local() {
		return nil
	}
	switch m.State {
	case model.MemberInvited:
		return g.Outbox.Enqueue(ctx, tx, Activity{Kind: ActivityGroupInvite, Actor: actor, Group: grp, Object: target, Membership: m})
	case model.MemberActive:
		return answerRemote(ctx, g.core, tx, grp, target, m.FollowURI, true)
	}
	return nil
}

// tellRemoved tells a remote account's node that its membership m of the local group
// grp ends: an invitation is withdrawn with an Undo of the Invite, a membership or
// request is answered with a Reject of its Follow.
func (g *Groups) tellRemoved(ctx context.Context, tx *storage.Store, grp *model.Group, target *model.Account, m *model.Membership) error {
	if m.State != model.MemberInvited {
		return answerRemote(ctx, g.core, tx, grp, target, m.FollowURI, false)
	}
	if target.Local() || !grp.Local() || m.FollowURI == "" {
		return nil
	}
	return g.Outbox.Enqueue(ctx, tx, Activity{Kind: ActivityGroupInviteUndo, Group: grp, Object: target, Membership: m})
}

// DeclineInvitation declines the viewer's invitation to a group: the invitation is
// removed, and a group of another node is told. Without an invitation it is ErrNotFound.
func (g *Groups) DeclineInvitation(ctx context.Context, viewer *model.Account, groupID string) error {
	return g.Store.InTx(ctx, func(tx *storage.Store) error {
		grp, m, err := g.visibleGroup(ctx, tx, viewer, groupID)
		if err != nil {
			return err
		}
		if m == nil || m.State != model.MemberInvited {
			return ErrNotFound
		}
		return g.decline(ctx, tx, viewer, grp, m)
	})
}

// decline removes the viewer's invitation m to grp and, for a remote group, sends the
// Reject of its Invite.
func (g *Groups) decline(ctx context.Context, tx *storage.Store, viewer *model.Account, grp *model.Group, m *model.Membership) error {
	g.Log.InfoContext(ctx, "group invitation declined", "group", grp.URI, "account", viewer.Username)
	if err := tx.DeleteMembership(ctx, grp.ID, viewer.ID); err != nil {
		return err
	}
	if grp.Local() || m.FollowURI == "" || !viewer.Local() {
		return nil
	}
	return g.Outbox.Enqueue(ctx, tx, Activity{Kind: ActivityDeclineGroupInvite, Actor: viewer, Group: grp, Membership: m})
}

// Invitations lists the viewer's pending invitations, newest first, in groups of this
// node and of others alike, with who invited where known. Archived groups are left out:
// nobody joins them.
func (g *Groups) Invitations(ctx context.Context, viewer *model.Account) ([]*GroupInvitation, error) {
	list, err := g.Store.InvitationsOf(ctx, viewer.ID, maxGroupInvitations)
	if err != nil || len(list) == 0 {
		return nil, err
	}
	groupIDs := make([]string, 0, len(list))
	var inviterIDs []string
	for _, m := range list {
		groupIDs = append(groupIDs, m.GroupID)
		if m.InvitedByID != nil {
			inviterIDs = append(inviterIDs, *m.InvitedByID)
		}
	}
	groups, err := g.Store.GroupsByIDs(ctx, groupIDs)
	if err != nil {
		return nil, err
	}
	inviters, err := g.Store.ProfilesByIDs(ctx, inviterIDs)
	if err != nil {
		return nil, err
	}
	out := make([]*GroupInvitation, 0, len(list))
	for _, m := range list {
		grp := groups[m.GroupID]
		if grp == nil || grp.Archived() || !g.maySee(viewer, grp, m) {
			continue
		}
		inv := &GroupInvitation{Group: grp, Membership: m}
		if m.InvitedByID != nil {
			inv.InvitedBy = inviters[*m.InvitedByID]
		}
		out = append(out, inv)
	}
	return out, nil
}

// ReceiveGroupInvite records the remote group grp's invitation (activityID, the Invite's
// id) of the local account invitee, by inviter (nil when unknown): an invited membership
// of the cached group. A later Invite renews the invitation; an account that is already
// in the group, has asked to join or is banned keeps its membership as it is.
func (r *Remote) ReceiveGroupInvite(ctx context.Context, activityID string, grp *model.Group, invitee, inviter *model.Account) error {
	if grp.Local() || !invitee.Local() {
		return fmt.Errorf("invite by %s of %s: %w", grp.URI, invitee.URI, ErrForbidden)
	}
	if !invitee.Active() {
		return fmt.Errorf("invite of deactivated %s: %w", invitee.Username, ErrForbidden)
	}
	return r.once(ctx, activityID, func(tx *storage.Store) error {
		m, err := membershipOf(ctx, tx, grp.ID, invitee.ID)
		if err != nil {
			return err
		}
		now := r.now()
		switch {
		case m == nil:
			m = &model.Membership{GroupID: grp.ID, AccountID: invitee.ID, Role: model.GroupMember,
				State: model.MemberInvited, CreatedAt: now}
		case m.State != model.MemberInvited:
			r.Log.InfoContext(ctx, "remote group invitation of a member kept as is", "group", grp.URI,
				"account", invitee.Username, "state", m.State)
			return nil
		}
		m.FollowURI, m.InvitedByID, m.UpdatedAt = activityID, nil, now
		if inviter != nil && !inviter.Local() {
			m.InvitedByID = &inviter.ID
		}
		r.Log.InfoContext(ctx, "remote group invitation", "group", grp.URI, "account", invitee.Username, "invite", activityID)
		return tx.SaveMembership(ctx, m)
	})
}

// ReceiveGroupInviteUndo applies the remote group grp's withdrawal (activityID) of its
// invitation inviteID of the local account invitee: the membership goes if it is still
// that invitation. Anything else (accepted, declined, a newer invitation) stays.
func (r *Remote) ReceiveGroupInviteUndo(ctx context.Context, activityID string, grp *model.Group, invitee *model.Account, inviteID string) error {
	if grp.Local() || !invitee.Local() {
		return fmt.Errorf("undo of invite by %s of %s: %w", grp.URI, invitee.URI, ErrForbidden)
	}
	return r.once(ctx, activityID, func(tx *storage.Store) error {
		m, err := membershipOf(ctx, tx, grp.ID, invitee.ID)
		if err != nil || m == nil {
			return err
		}
		if m.State != model.MemberInvited || m.FollowURI != inviteID {
			return nil
		}
		r.Log.InfoContext(ctx, "remote group invitation withdrawn", "group", grp.URI, "account", invitee.Username)
		return tx.DeleteMembership(ctx, grp.ID, invitee.ID)
	})
}

// ReceiveGroupInviteDecline applies a remote account's Reject of the local group grp's
// invitation inviteID: the invited membership goes. A stale decline (of an earlier
// invitation) or one of an account that joined meanwhile changes nothing.
func (r *Remote) ReceiveGroupInviteDecline(ctx context.Context, in Incoming, grp *model.Group, inviteID string) error {
	return r.apply(ctx, in, func(tx *storage.Store) error {
		if !grp.Local() {
			return fmt.Errorf("decline of an invitation to remote group %s: %w", grp.URI, ErrNotFound)
		}
		m, err := membershipOf(ctx, tx, grp.ID, in.Actor.ID)
		if err != nil || m == nil {
			return err
		}
		if m.State != model.MemberInvited || m.FollowURI != inviteID {
			r.Log.InfoContext(ctx, "stale invitation decline ignored", "group", grp.Name, "account", in.Actor.Handle())
			return nil
		}
		r.Log.InfoContext(ctx, "remote invitation declined", "group", grp.Name, "account", in.Actor.Handle())
		return tx.DeleteMembership(ctx, grp.ID, in.Actor.ID)
	})
}
