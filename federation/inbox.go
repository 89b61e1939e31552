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

// errIgnored marks an activity this node does not act on; it is answered 202.
var errIgnored = errors.New("activity ignored")

// inboxError is a refusal with its status.
type inboxError struct {
	status int
	err    error
}

func (e *inboxError) Error() string { return e.err.Error() }
func (e *inboxError) Unwrap() error { return e.err }

func refusal(status int, format string, args ...interface{}) error {
	return &inboxError{status: status, err: fmt.Errorf(format, args...)}
}

// userInbox is a user's inbox; it takes what the shared inbox takes.
func (h *handler) userInbox(w http.ResponseWriter, r *http.Request) {
	if h.localUser(w, r) == nil {
		return
	}
	h.inbox(w, r)
}

// inbox takes an activity from another node. In order: body size (413), signature
// present (401), sender's node an allowed peer (403), signature, Date and Digest (401/400),
// JSON shape (400), key owner = actor and author = actor (401/403), then the rules of
// package social, which apply it at most once. Every refusal is logged and stores nothing.
func (h *handler) inbox(w http.ResponseWriter, r *http.Request) {
	if r.ContentLength > h.maxBody {
		h.refuse(w, r, http.StatusRequestEntityTooLarge, fmt.Sprintf("body of %d bytes", r.ContentLength))
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, h.maxBody+1)
	pr, status, reason := h.authenticate(r)
	if pr == nil {
		h.refuse(w, r, status, reason)
		return
	}
	ctx := r.Context()
	act, err := activitypub.ParseActivity(ctx, pr.verified.Body)
	if err != nil {
		h.refuse(w, r, http.StatusBadRequest, err.Error())
		return
	}
	err = h.receive(ctx, pr, act)
	var ie *inboxError
	var ve *social.ValidationError
	switch {
	case err == nil:
		h.log.DebugContext(ctx, "activity accepted", "type", act.Type, "id", act.ID, "actor", act.ActorURI)
		w.WriteHeader(http.StatusAccepted)
	case errors.Is(err, errIgnored):
		h.log.DebugContext(ctx, "activity ignored", "type", act.Type, "id", act.ID, "reason", err.Error())
		w.WriteHeader(http.StatusAccepted)
	case errors.Is(err, social.ErrDuplicate):
		h.log.DebugContext(ctx, "activity replayed", "type", act.Type, "id", act.ID)
		w.WriteHeader(http.StatusAccepted)
	case errors.As(err, &ie):
		h.refuse(w, r, ie.status, err.Error())
	case errors.Is(err, ErrKeyOwnerMismatch):
		h.refuse(w, r, http.StatusUnauthorized, err.Error())
	case errors.Is(err, social.ErrForbidden), errors.Is(err, ErrNotPeer):
		h.refuse(w, r, http.StatusForbidden, err.Error())
	case errors.Is(err, social.ErrNotFound):
		h.refuse(w, r, http.StatusNotFound, err.Error())
	case errors.Is(err, storage.ErrConcurrentWrite), storage.Unavailable(err):
		h.refuse(w, r, http.StatusServiceUnavailable, err.Error()) // temporary: the sender tries again
	case errors.Is(err, storage.ErrConflict):
		h.refuse(w, r, http.StatusConflict, err.Error())
	case errors.As(err, &ve):
		h.refuse(w, r, http.StatusUnprocessableEntity, err.Error())
	default:
		h.internal(w, r, err)
	}
}

// receive checks that the signer speaks for the activity and hands it to the rules.
func (h *handler) receive(ctx context.Context, pr *peerRequest, act *activitypub.RemoteActivity) error {
	// The key must be the actor's own: a node's key, or another user's, cannot speak for it.
	if err := pr.verified.SignedBy(act.ActorURI); err != nil {
		return err
	}
	// A key that is no account's may be a group's: the group's own activities.
	if pr.owner == nil && !isNodeActorIRI(act.ActorURI) {
		g, err := h.remoteGroupActor(ctx, act.ActorURI)
		if err != nil {
			return err
		}
		if g != nil {
			return h.receiveFromGroup(ctx, pr, g, act)
		}
	}
	switch act.Type {
	case activitypub.TypeCreate, activitypub.TypeUpdate:
		if act.Note != nil && act.Note.AuthorURI != act.ActorURI {
			return refusal(http.StatusForbidden, "%s of a note attributed to %s by %s", act.Type, act.Note.AuthorURI, act.ActorURI)
		}
	}
	if u := act.ActorURI; u == NodeActorURI(pr.peer.Origin) || isNodeActorIRI(u) {
		return fmt.Errorf("%w: activities of node actors", errIgnored)
	}
	var actor *model.Account
	var err error
	if o := pr.owner; o != nil && o.URI == act.ActorURI {
		// Verifying the signature has just read the actor's account: no second read.
		actor, err = h.resolver.ActorFrom(ctx, act.ActorURI, o)
	} else {
		actor, err = h.resolver.Actor(ctx, act.ActorURI)
	}
	if err != nil {
		return fmt.Errorf("actor %s: %w", act.ActorURI, err)
	}
	if actor.Local() {
		return refusal(http.StatusForbidden, "actor %s is local", act.ActorURI)
	}
	// Users of partner nodes are guests whatever their cached profile says, also when
	// the peer's trust changed since it was cached.
	if pr.peer.Trust != model.TrustSibling {
		actor.Role = model.RoleGuest
	}
	in := social.Incoming{ActivityID: act.ID, Actor: actor, Trust: pr.peer.Trust}
	return h.dispatch(ctx, in, act)
}

// dispatch applies an activity by type.
func (h *handler) dispatch(ctx context.Context, in social.Incoming, act *activitypub.RemoteActivity) error {
	if handled, err := h.dispatchGroup(ctx, in, act); handled {
		return err
	}
	rm := h.social.Remote
	switch act.Type {
	case activitypub.TypeCreate:
		if act.Note == nil {
			return fmt.Errorf("%w: Create of %q", errIgnored, act.ObjectType)
		}
		return rm.ReceivePost(ctx, in, remotePost(act.Note))
	case activitypub.TypeUpdate:
		switch {
		case act.Note != nil:
			return rm.ReceiveUpdatePost(ctx, in, remotePost(act.Note))
		case act.Person != nil:
			return h.receivePersonUpdate(ctx, in, act.Person)
		}
		return fmt.Errorf("%w: Update of %q", errIgnored, act.ObjectType)
	case activitypub.TypeDelete:
		if act.ObjectID == act.ActorURI {
			// The account is gone on its node: out of the directory, posts kept.
			return rm.ReceiveActorDelete(ctx, in)
		}
		return rm.ReceiveDeletePost(ctx, in, act.ObjectID)
	case activitypub.TypeFollow:
		return rm.ReceiveFollow(ctx, in, act.ID, act.ObjectID)
	case activitypub.TypeAccept:
		return rm.ReceiveAccept(ctx, in, act.ObjectID)
	case activitypub.TypeReject:
		return rm.ReceiveReject(ctx, in, act.ObjectID)
	case activitypub.TypeUndo:
		if o := act.Object; o != nil {
			switch o.Type {
			case activitypub.TypeFollow, activitypub.TypeLike, activitypub.TypeEmojiReact:
			default:
				return fmt.Errorf("%w: Undo of %q", errIgnored, o.Type)
			}
		}
		return rm.ReceiveUndo(ctx, in, act.ObjectID)
	case activitypub.TypeLike, activitypub.TypeEmojiReact:
		kind := social.ReactionKindOf(act.Content)
		if kind == "" && act.Type == activitypub.TypeLike {
			kind = model.ReactionLike
		}
		return rm.ReceiveReaction(ctx, in, social.RemoteReaction{URI: act.ID, PostURI: act.ObjectID, Kind: kind})
	default:
		return fmt.Errorf("%w: type %q", errIgnored, act.Type)
	}
}

// isNodeActorIRI reports whether iri is some node's actor.
func isNodeActorIRI(iri string) bool {
	u, err := activitypub.ParseIRI(iri)
	return err == nil && isNodeActor(u)
}

// remotePost turns a parsed Note into the rules' input.
func remotePost(n *activitypub.RemoteNote) social.RemotePost {
	p := social.RemotePost{URI: n.Post.URI, Audience: n.Post.Audience, HTML: string(n.ContentHTML),
		Source: n.Post.Source, CreatedAt: n.Post.CreatedAt, EditedAt: n.Post.EditedAt, InReplyToURI: n.InReplyToURI}
	for _, m := range n.Mentions {
		p.MentionURIs = append(p.MentionURIs, m.Href)
	}
	for _, t := range n.Hashtags {
		p.Tags = append(p.Tags, t.Name)
	}
	return p
}
