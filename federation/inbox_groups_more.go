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

// Edits and reactions in groups: members send them to the group's home node, which
// relays them with Announce; a member node takes them only from the group.

// dispatchGroupMore applies a member's Update of a group post, or its reaction on one
// (or the Undo), sent to a local group; handled is false for what concerns no group.
func (h *handler) dispatchGroupMore(ctx context.Context, in social.Incoming, act *activitypub.RemoteActivity) (bool, error) {
	rm := h.social.Remote
	switch act.Type {
	case activitypub.TypeUpdate:
		g, err := h.homeGroupOfNote(ctx, act)
		if g == nil {
			return err != nil, err
		}
		return true, rm.ReceiveGroupUpdate(ctx, in, g, remotePost(act.Note))
	case activitypub.TypeLike, activitypub.TypeEmojiReact:
		g, err := h.groupOfPost(ctx, act.ObjectID)
		if err != nil || g == nil {
			return err != nil, err
		}
		if !g.Local() {
			return true, refusal(http.StatusForbidden, "reaction on group post %s sent to a node that is not its group's", act.ObjectID)
		}
		return true, rm.ReceiveGroupReaction(ctx, in, g, remoteReaction(act))
	case activitypub.TypeUndo:
		re, err := h.store.ReactionByURI(ctx, act.ObjectID)
		if errors.Is(err, storage.ErrNotFound) {
			return false, nil
		} else if err != nil {
			return true, err
		}
		p, err := h.store.Post(ctx, re.PostID)
		if err != nil {
			return true, err
		}
		if p.GroupID == nil {
			return false, nil
		}
		g, err := h.store.Group(ctx, *p.GroupID)
		if err != nil || !g.Local() {
			return err != nil, err
		}
		return true, rm.ReceiveGroupUndoReaction(ctx, in, g, act.ObjectID)
	}
	return false, nil
}

// groupOfPost returns the group of the post at uri; nil when the post is unknown here
// or in no group.
func (h *handler) groupOfPost(ctx context.Context, uri string) (*model.Group, error) {
	p, err := h.store.PostByURI(ctx, uri)
	if errors.Is(err, storage.ErrNotFound) {
		return nil, nil
	} else if err != nil {
		return nil, err
	}
	if p.GroupID == nil {
		return nil, nil
	}
	return h.store.Group(ctx, *p.GroupID)
}

// receiveAnnounceMore applies a group's Announce of a member's Update, reaction or
// Undo of a reaction.
func (h *handler) receiveAnnounceMore(ctx context.Context, pr *peerRequest, g *model.Group, act *activitypub.RemoteActivity) error {
	inner := act.Object
	rm := h.social.Remote
	switch inner.Type {
	case activitypub.TypeUpdate:
		n := inner.Note
		if n == nil {
			return fmt.Errorf("%w: Announce of an Update of %q", errIgnored, inner.ObjectType)
		}
		if err := checkAnnouncedNote(g, inner); err != nil {
			return err
		}
		author, err := h.announcedAuthor(ctx, inner.ActorURI, false)
		if err != nil || author == nil {
			return err
		}
		in := social.Incoming{ActivityID: act.ID, Actor: author, Trust: pr.peer.Trust}
		return rm.ReceiveAnnouncedUpdate(ctx, in, g, remotePost(n))
	case activitypub.TypeLike, activitypub.TypeEmojiReact:
		actor, err := h.announcedAuthor(ctx, inner.ActorURI, true)
		if err != nil || actor == nil {
			return err
		}
		in := social.Incoming{ActivityID: act.ID, Actor: actor, Trust: pr.peer.Trust}
		return rm.ReceiveAnnouncedReaction(ctx, in, g, remoteReaction(inner))
	case activitypub.TypeUndo:
		if o := inner.Object; o == nil || (o.Type != activitypub.TypeLike && o.Type != activitypub.TypeEmojiReact) {
			return fmt.Errorf("%w: Announce of an Undo that is no reaction's", errIgnored)
		}
		actor, err := h.announcedAuthor(ctx, inner.ActorURI, false)
		if err != nil || actor == nil {
			return err
		}
		in := social.Incoming{ActivityID: act.ID, Actor: actor, Trust: pr.peer.Trust}
		return rm.ReceiveAnnouncedUndoReaction(ctx, in, g, inner.ObjectID)
	}
	return fmt.Errorf("%w: Announce of %q", errIgnored, inner.Type)
}

// remoteReaction reads a Like or EmojiReact: a Like without an emoji is a like.
func remoteReaction(act *activitypub.RemoteActivity) social.RemoteReaction {
	kind := social.ReactionKindOf(act.Content)
	if kind == "" && act.Type == activitypub.TypeLike {
		kind = model.ReactionLike
	}
	return social.RemoteReaction{URI: act.ID, PostURI: act.ObjectID, Kind: kind}
}
