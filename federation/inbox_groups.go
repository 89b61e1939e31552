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

// Incoming group activities (FEP-1b12). On a group's home node: members' Follow, Undo,
// Create and Delete addressed to a local group. On a member's node: the group's Accept,
// Reject and Announce, whose key must be the group's own (checked before, by SignedBy).

// remoteGroupActor returns the cached remote group whose actor id is uri, nil if uri is
// no such group.
func (h *handler) remoteGroupActor(ctx context.Context, uri string) (*model.Group, error) {
	g, err := h.store.GroupByURI(ctx, uri)
	if errors.Is(err, storage.ErrNotFound) {
		return nil, nil
	} else if err != nil {
		return nil, err
	}
	if g.Local() {
		return nil, nil
	}
	return g, nil
}

// localGroup returns the local group whose actor id is uri, nil if there is none.
func (h *handler) localGroup(ctx context.Context, uri string) (*model.Group, error) {
	if uri == "" || !activitypub.SameOrigin(uri, h.origin) {
		return nil, nil
	}
	g, err := h.store.GroupByURI(ctx, uri)
	if errors.Is(err, storage.ErrNotFound) {
		return nil, nil
	} else if err != nil {
		return nil, err
	}
	if !g.Local() {
		return nil, nil
	}
	return g, nil
}

// homeGroupOfNote returns the local group a member's Create or Update of a group note is
// addressed to. A group note for a group not homed here is refused: group posts reach
// other nodes only through their group's Announce. Nil and no error: not a group note.
func (h *handler) homeGroupOfNote(ctx context.Context, act *activitypub.RemoteActivity) (*model.Group, error) {
	if act.Note == nil || act.Note.GroupURI == "" {
		return nil, nil
	}
	g, err := h.localGroup(ctx, act.Note.GroupURI)
	if err != nil {
		return nil, err
	}
	if g == nil {
		return nil, refusal(http.StatusForbidden, "%s of group post %s sent to a node that is not its group's", act.Type, act.Note.Post.URI)
	}
	return g, nil
}

// receiveFromGroup applies what a remote group says: its answer to a local account's
// join, or a post (or deletion) it relays.
func (h *handler) receiveFromGroup(ctx context.Context, pr *peerRequest, g *model.Group, act *activitypub.RemoteActivity) error {
	rm := h.social.Remote
	switch act.Type {
	case activitypub.TypeAccept, activitypub.TypeReject:
		if rp := activitypub.RejectedPostOf(act); rp != nil {
			return h.receiveGroupRejectPost(ctx, g, act, rp)
		}
		if o := act.Object; o != nil && o.ObjectID != g.URI {
			return refusal(http.StatusForbidden, "%s by group %s of a follow of %s", act.Type, g.URI, o.ObjectID)
		}
		if act.Type == activitypub.TypeAccept {
			return rm.ReceiveGroupAccept(ctx, act.ID, g, act.ObjectID)
		}
		return rm.ReceiveGroupReject(ctx, act.ID, g, act.ObjectID)
	case activitypub.TypeAnnounce:
		return h.receiveAnnounce(ctx, pr, g, act)
	case activitypub.TypeUpdate:
		return h.receiveGroupUpdate(ctx, g, act)
	case activitypub.TypeInvite, activitypub.TypeUndo:
		return h.receiveGroupInvite(ctx, pr, g, act)
	default:
		return fmt.Errorf("%w: %s by a group", errIgnored, act.Type)
	}
}

// checkAnnouncedNote refuses an announced Create or Update whose note is not by the
// inner activity's actor or not addressed to the announcing group g.
func checkAnnouncedNote(g *model.Group, inner *activitypub.RemoteActivity) error {
	n := inner.Note
	if n.AuthorURI != inner.ActorURI {
		return refusal(http.StatusForbidden, "announced note %s is not by %s", n.Post.URI, inner.ActorURI)
	}
	if n.GroupURI != g.URI {
		return refusal(http.StatusForbidden, "group %s announces a note of %q", g.URI, n.GroupURI)
	}
	return nil
}

// receiveAnnounce applies a group's Announce of a member's Create{Note} or Delete: the
// note must be its Create's actor's and addressed to this group.
func (h *handler) receiveAnnounce(ctx context.Context, pr *peerRequest, g *model.Group, act *activitypub.RemoteActivity) error {
	inner := act.Object
	if inner == nil {
		return fmt.Errorf("%w: Announce of an activity not embedded", errIgnored)
	}
	switch inner.Type {
	case activitypub.TypeCreate:
		n := inner.Note
		if n == nil {
			return fmt.Errorf("%w: Announce of a Create of %q", errIgnored, inner.ObjectType)
		}
		if err := checkAnnouncedNote(g, inner); err != nil {
			return err
		}
		if activitypub.SameOrigin(inner.ActorURI, h.origin) {
			// A local user's post, held pending here until its group relays it.
			return h.social.Remote.ReceiveAnnouncedOwnPost(ctx, act.ID, g, inner.ActorURI, n.Post.URI)
		}
		author, err := h.announcedAuthor(ctx, inner.ActorURI, true)
		if err != nil || author == nil {
			return err
		}
		in := social.Incoming{ActivityID: act.ID, Actor: author, Trust: pr.peer.Trust}
		return h.social.Remote.ReceiveAnnouncedPost(ctx, in, g, remotePost(n))
	case activitypub.TypeDelete:
		author, err := h.announcedAuthor(ctx, inner.ActorURI, false)
		if err != nil || author == nil {
			return err
		}
		in := social.Incoming{ActivityID: act.ID, Actor: author, Trust: pr.peer.Trust}
		return h.social.Remote.ReceiveAnnouncedDelete(ctx, in, g, inner.ObjectID)
	case activitypub.TypeUpdate, activitypub.TypeLike, activitypub.TypeEmojiReact, activitypub.TypeUndo:
		return h.receiveAnnounceMore(ctx, pr, g, act)
	default:
		return fmt.Errorf("%w: Announce of %q", errIgnored, inner.Type)
	}
}

// announcedAuthor returns the remote author of a relayed activity (fetched if fetch and
// unknown); nil with errIgnored for this node's own users, whose posts are here already.
func (h *handler) announcedAuthor(ctx context.Context, uri string, fetch bool) (*model.Account, error) {
	if activitypub.SameOrigin(uri, h.origin) {
		return nil, fmt.Errorf("%w: relayed activity of a local account", errIgnored)
	}
	var a *model.Account
	var err error
	if fetch {
		a, err = h.resolver.Actor(ctx, uri)
	} else if a, err = h.store.AccountByURI(ctx, uri); errors.Is(err, storage.ErrNotFound) {
		return nil, fmt.Errorf("%w: relayed delete by an unknown account", errIgnored)
	}
	if err != nil {
		return nil, fmt.Errorf("author %s: %w", uri, err)
	}
	// Users of partner nodes are guests, whatever their cached profile says.
	if p, err := PeerOf(ctx, h.store, uri); err != nil || p.Trust != model.TrustSibling {
		a.Role = model.RoleGuest
	}
	return a, nil
}

// dispatchGroup applies the activities members send to a local group; handled is false
// for everything else, which dispatch applies as usual.
func (h *handler) dispatchGroup(ctx context.Context, in social.Incoming, act *activitypub.RemoteActivity) (bool, error) {
	if handled, err := h.dispatchInvite(ctx, in, act); handled {
		return true, err
	}
	rm := h.social.Remote
	switch act.Type {
	case activitypub.TypeFollow:
		g, err := h.localGroup(ctx, act.ObjectID)
		if err != nil || g == nil {
			return err != nil, err
		}
		return true, rm.ReceiveGroupFollow(ctx, in, act.ID, g)
	case activitypub.TypeUndo:
		if act.Object != nil && (act.Object.Type == activitypub.TypeLike || act.Object.Type == activitypub.TypeEmojiReact) {
			return h.dispatchGroupMore(ctx, in, act)
		}
		if act.Object == nil || act.Object.Type != activitypub.TypeFollow {
			return false, nil
		}
		g, err := h.localGroup(ctx, act.Object.ObjectID)
		if err != nil || g == nil {
			return err != nil, err
		}
		return true, rm.ReceiveGroupLeave(ctx, in, g, act.ObjectID)
	case activitypub.TypeCreate:
		g, err := h.homeGroupOfNote(ctx, act)
		if g == nil {
			return err != nil, err
		}
		return true, rm.ReceiveGroupPost(ctx, in, g, remotePost(act.Note))
	case activitypub.TypeUpdate, activitypub.TypeLike, activitypub.TypeEmojiReact:
		return h.dispatchGroupMore(ctx, in, act)
	case activitypub.TypeDelete:
		p, err := h.store.PostByURI(ctx, act.ObjectID)
		if errors.Is(err, storage.ErrNotFound) || err == nil && p.GroupID == nil {
			return false, nil
		} else if err != nil {
			return true, err
		}
		g, err := h.store.Group(ctx, *p.GroupID)
		if err != nil || !g.Local() {
			return err != nil, err
		}
		return true, rm.ReceiveGroupDelete(ctx, in, g, act.ObjectID)
	}
	return false, nil
}
