package federation

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/atrium-intranet/atrium/activitypub"
	"github.com/atrium-intranet/atrium/model"
	"github.com/atrium-intranet/atrium/social"
	"github.com/atrium-intranet/atrium/storage"
)

// Incoming invitations across nodes. On the invitee's node: a remote group's Invite of a
// local account and its Undo, both signed with the group's key (checked before, by
// SignedBy: the key owner is the activity's actor, a Group actor of an allowed peer,
// fetched through the resolver when it is not cached yet). On the group's home node: the
// invitee's Reject of the Invite, signed by the invitee.

// receiveGroupInvite applies a remote group's Invite of a local account, or the Undo of
// one. The invitation must be the group's own, into itself, of an active local account.
func (h *handler) receiveGroupInvite(ctx context.Context, pr *peerRequest, g *model.Group, act *activitypub.RemoteActivity) error {
	if act.Type == activitypub.TypeUndo && (act.Object == nil || act.Object.Type != activitypub.TypeInvite) {
		return fmt.Errorf("%w: Undo of %q by a group", errIgnored, act.ObjectType)
	}
	inv, err := activitypub.InviteOf(pr.verified.Body)
	if err != nil {
		return refusal(http.StatusBadRequest, "%s by group %s: %v", act.Type, g.URI, err)
	}
	if inv.GroupURI != g.URI {
		return refusal(http.StatusForbidden, "invitation of group %s sent by group %s", inv.GroupURI, g.URI)
	}
	if (act.Type == activitypub.TypeInvite && inv.ID != act.ID) || (act.Type == activitypub.TypeUndo && inv.ID != act.ObjectID) {
		return refusal(http.StatusBadRequest, "%s %s names invitation %s", act.Type, act.ID, inv.ID)
	}
	invitee, err := h.localInvitee(ctx, inv.InviteeURI)
	if err != nil {
		return err
	}
	if act.Type == activitypub.TypeUndo {
		return h.social.Remote.ReceiveGroupInviteUndo(ctx, act.ID, g, invitee, inv.ID)
	}
	return h.social.Remote.ReceiveGroupInvite(ctx, act.ID, g, invitee, h.inviter(ctx, inv.InviterURI))
}

// localInvitee returns the active local account uri names: 404 when there is none, 403
// when it is deactivated or not of this node.
func (h *handler) localInvitee(ctx context.Context, uri string) (*model.Account, error) {
	if !activitypub.SameOrigin(uri, h.origin) {
		return nil, refusal(http.StatusForbidden, "invitee %s is not of this node", uri)
	}
	a, err := h.store.AccountByURI(ctx, uri)
	if errors.Is(err, storage.ErrNotFound) {
		return nil, refusal(http.StatusNotFound, "no invitee %s here", uri)
	} else if err != nil {
		return nil, err
	}
	if !a.Local() || !a.Active() {
		return nil, refusal(http.StatusForbidden, "invitee %s is not an active local account", uri)
	}
	return a, nil
}

// inviter returns the member who invited, as the invitation names it, resolved through
// the cache or a fetch; nil when not named or not found: the invitation stands without.
func (h *handler) inviter(ctx context.Context, uri string) *model.Account {
	if uri == "" {
		return nil
	}
	a, err := h.resolver.Actor(ctx, uri)
	if err != nil {
		h.log.InfoContext(ctx, "inviter unknown", "inviter", uri, "err", err)
		return nil
	}
	if a.Local() {
		return nil
	}
	return a
}

// dispatchInvite applies what accounts of other nodes send about invitations: a Reject
// of the Invite of a local group declines it. An Invite from anyone but a group is
// refused. handled is false for everything else.
func (h *handler) dispatchInvite(ctx context.Context, in social.Incoming, act *activitypub.RemoteActivity) (bool, error) {
	switch {
	case act.Type == activitypub.TypeInvite:
		return true, refusal(http.StatusForbidden, "Invite by %s, which is no group", act.ActorURI)
	case act.Type == activitypub.TypeReject && act.ObjectType == activitypub.TypeInvite:
		inv := act.Object
		if inv == nil {
			return true, refusal(http.StatusBadRequest, "Reject %s of an Invite without its actor", act.ID)
		}
		g, err := h.localGroup(ctx, inv.ActorURI)
		if err != nil {
			return true, err
		}
		if g == nil {
			return true, refusal(http.StatusNotFound, "Reject of an invitation by %s, no group of this node", inv.ActorURI)
		}
		if inv.ObjectID != g.URI {
			return true, refusal(http.StatusForbidden, "Reject of an invitation of %s into %s", g.URI, inv.ObjectID)
		}
		return true, h.social.Remote.ReceiveGroupInviteDecline(ctx, in, g, act.ObjectID)
	}
	return false, nil
}
