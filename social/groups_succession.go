package social

import (
	"context"
	"errors"

	"github.com/atrium-intranet/atrium/model"
	"github.com/atrium-intranet/atrium/storage"
)

// Groups stay owned by the company. A guest may be an owner beside an employee, never
// the only one: the last owner who is no guest cannot leave, be demoted or be removed
// while guests own the group with it (ownerMayGo). A group whose only owner is a guest anyway (made so before this
// rule) gets a new owner when the guest's access ends: its longest-standing moderator,
// else its longest-standing member, among this node's active employees; else whoever
// invited the guest into it; else the node's longest-standing admin. There are no
// notifications in Atrium yet: the new owner finds the group under its groups, and the
// log records who took over and why.

// ownerMayGo reports, as nil or a ValidationError, whether the membership m may stop
// being an active owner of its group: another owner stays, and the last owner who is
// no guest stays.
func ownerMayGo(ctx context.Context, st *storage.Store, m *model.Membership) error {
	if !active(m) || m.Role != model.GroupOwner {
		return nil
	}
	owners, err := st.CountOwners(ctx, m.GroupID)
	if err != nil {
		return err
	}
	if owners <= 1 {
		return lastOwner()
	}
	employees, err := st.CountEmployeeOwners(ctx, m.GroupID)
	if err != nil {
		return err
	}
	if employees != 1 {
		// Other employees stay owners; or guests owned the group alone already, which a
		// guest's going does not make worse.
		return nil
	}
	a, err := st.Account(ctx, m.AccountID)
	if err != nil {
		return err
	}
	if !a.IsGuest() {
		return &ValidationError{Fields: map[string]string{"group": "error.group.last_employee_owner"}}
	}
	return nil
}

// Why an account became a group's owner when its last owner left.
const (
	successorModerator = "longest-standing moderator"
	successorMember    = "longest-standing member"
	successorInviter   = "inviter of the leaving owner"
	successorAdmin     = "admin"
)

// succeedOwner gives the local group grp a new owner when gone, whose membership m has
// just been deleted, was its last active owner. It changes nothing when an owner is left.
func (c *core) succeedOwner(ctx context.Context, tx *storage.Store, grp *model.Group, gone *model.Account, m *model.Membership) error {
	if !grp.Local() || !active(m) || m.Role != model.GroupOwner {
		return nil
	}
	if n, err := tx.CountOwners(ctx, grp.ID); err != nil || n > 0 {
		return err
	}
	next, why, err := c.ownerSuccessor(ctx, tx, grp, m)
	if err != nil {
		return err
	}
	if next == nil {
		c.Log.WarnContext(ctx, "group left without an owner: no one to take it over", "group", grp.Name,
			"previous_owner", gone.Handle())
		return nil
	}
	now := c.now()
	next.Role, next.State, next.UpdatedAt = model.GroupOwner, model.MemberActive, now
	if err := tx.SaveMembership(ctx, next); err != nil {
		return err
	}
	c.Log.InfoContext(ctx, "group owner succeeded", "group", grp.Name, "owner", next.AccountID,
		"previous_owner", gone.Handle(), "reason", why)
	return nil
}

// ownerSuccessor picks who takes over grp (see the top of this file) and returns its
// membership, new or existing, with the reason; nil when there is no one.
func (c *core) ownerSuccessor(ctx context.Context, tx *storage.Store, grp *model.Group, left *model.Membership) (*model.Membership, string, error) {
	next, err := tx.OwnerSuccessor(ctx, grp.ID)
	switch {
	case err == nil && next.Role == model.GroupModerator:
		return next, successorModerator, nil
	case err == nil:
		return next, successorMember, nil
	case !errors.Is(err, storage.ErrNotFound):
		return nil, "", err
	}
	takeOver := func(a *model.Account, why string) (*model.Membership, string, error) {
		m, err := membershipOf(ctx, tx, grp.ID, a.ID)
		if err != nil {
			return nil, "", err
		}
		if m == nil || m.State != model.MemberActive {
			// Not a member, or only invited or asking: the takeover makes it one. (An
			// employee banned from the group is passed over: bans are kept.)
			if m != nil && m.State == model.MemberBanned {
				return nil, "", nil
			}
			now := c.now()
			m = &model.Membership{GroupID: grp.ID, AccountID: a.ID, CreatedAt: now}
		}
		return m, why, nil
	}
	if left.InvitedByID != nil {
		inviter, err := tx.Account(ctx, *left.InvitedByID)
		switch {
		case errors.Is(err, storage.ErrNotFound):
		case err != nil:
			return nil, "", err
		case inviter.Local() && inviter.Active() && !inviter.IsGuest():
			if m, why, err := takeOver(inviter, successorInviter); err != nil || m != nil {
				return m, why, err
			}
		}
	}
	admin, err := tx.FirstActiveAdmin(ctx)
	if errors.Is(err, storage.ErrNotFound) {
		return nil, "", nil
	} else if err != nil {
		return nil, "", err
	}
	return takeOver(admin, successorAdmin)
}
