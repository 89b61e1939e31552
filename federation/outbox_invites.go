package federation

import (
	"errors"

	"github.com/atrium-intranet/atrium/activitypub"
	"github.com/atrium-intranet/atrium/social"
	"github.com/go-fed/activity/streams/vocab"
)

// Invitations across nodes: a local group's Invite of an account of another node and its
// Undo go to the invitee's node, signed by the group; a local account's Reject of a
// remote group's Invite goes to the group's inbox, signed by the account.

// buildInvite handles the three invitation kinds.
func (o *Outbox) buildInvite(a social.Activity, t *targets) (vocab.Type, error) {
	if a.Group == nil || a.Membership == nil || a.Membership.FollowURI == "" {
		return nil, errors.New("group and invitation required")
	}
	in := activitypub.GroupInvite{ID: a.Membership.FollowURI, GroupURI: a.Group.URI}
	if a.Kind == social.ActivityDeclineGroupInvite {
		if a.Group.Local() {
			return nil, nil // a local invitation needs nobody else
		}
		in.InviteeURI = a.Actor.URI
		t.addGroup(a.Group)
		return activitypub.NewDeclineGroupInvite(in)
	}
	if a.Object == nil {
		return nil, errors.New("invitee required")
	}
	if a.Object.Local() {
		return nil, nil
	}
	in.InviteeURI = a.Object.URI
	t.group = a.Group
	t.addAccount(a.Object)
	if a.Kind == social.ActivityGroupInviteUndo {
		return activitypub.NewUndoGroupInvite(in)
	}
	if a.Actor != nil && a.Actor.Local() {
		in.InviterURI = a.Actor.URI
	}
	return activitypub.NewGroupInvite(in)
}
