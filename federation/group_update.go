package federation

import (
	"context"
	"fmt"

	"github.com/atrium-intranet/atrium/activitypub"
	"github.com/atrium-intranet/atrium/model"
	"github.com/atrium-intranet/atrium/social"
	"github.com/atrium-intranet/atrium/storage"
	"github.com/go-fed/activity/streams/vocab"
)

// Profile changes across nodes: a local group's Update of itself goes to its members'
// nodes; an Update of a Person or a Group brings the cached copy's pictures along.

// buildGroupUpdate handles a local group's Update{Group}, signed by the group, to the
// nodes of its active remote members. Site-only groups never leave their node.
func (o *Outbox) buildGroupUpdate(ctx context.Context, tx *storage.Store, a social.Activity, t *targets) (vocab.Type, error) {
	g := a.Group
	if g.SiteOnly {
		return nil, nil
	}
	t.group = g
	if err := t.addGroupMembers(ctx, tx, g, nil); err != nil {
		return nil, err
	}
	return activitypub.NewUpdateGroup(o.uris.Base, g)
}

// receivePersonUpdate applies the sender's Update of its own Person, then, with the
// change committed, fetches its avatar when the icon changed.
func (h *handler) receivePersonUpdate(ctx context.Context, in social.Incoming, p *activitypub.RemoteActor) error {
	if err := h.social.Remote.ReceiveActorUpdate(ctx, in, actorInput(p)); err != nil {
		return err
	}
	h.resolver.syncAvatar(ctx, in.Actor, p.IconURL)
	return nil
}

// receiveGroupUpdate applies a remote group's Update of itself to its cached copy g:
// receive has checked that the group's key signed it and ParseActivity that the Group
// is the actor. The pictures follow once the change committed.
func (h *handler) receiveGroupUpdate(ctx context.Context, g *model.Group, act *activitypub.RemoteActivity) error {
	if act.Group == nil {
		return fmt.Errorf("%w: Update of %q by a group", errIgnored, act.ObjectType)
	}
	updated, err := h.social.Remote.ReceiveGroupActorUpdate(ctx, act.ID, g, act.Group.Group)
	if err != nil {
		return err
	}
	h.resolver.syncGroupPictures(ctx, updated, act.Group)
	return nil
}
