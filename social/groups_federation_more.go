package social

import (
	"context"
	"errors"
	"fmt"

	"github.com/atrium-intranet/atrium/model"
	"github.com/atrium-intranet/atrium/storage"
)

// Edits and reactions in groups (FEP-1b12). A member's node sends its Update of a group
// post and its Like/EmojiReact (and their Undo) to the group; the home node applies them
// and the group relays them with Announce to its other members' nodes.

const (
	// ActivityGroupAnnounceUpdate relays the Update of Post (by a remote member, already
	// applied here); Actor is nil.
	ActivityGroupAnnounceUpdate ActivityKind = "GroupAnnounceUpdate"
	// ActivityGroupAnnounceReact relays Reaction on Post by Object (a remote member);
	// Actor is nil.
	ActivityGroupAnnounceReact ActivityKind = "GroupAnnounceReact"
	// ActivityGroupAnnounceUndoReact relays the Undo of Reaction on Post by Object;
	// Actor is nil.
	ActivityGroupAnnounceUndoReact ActivityKind = "GroupAnnounceUndoReact"
	// ActivityGroupAnnounceApproved relays the Create of Post (by a remote member) that
	// a moderator approved, to the author's node too, which holds it pending; Actor is nil.
	ActivityGroupAnnounceApproved ActivityKind = "GroupAnnounceApproved"
)

// heldHere reports whether post is pending in a local group, so that it stays on this
// node until approved. A member's pending post in a remote group goes to the group,
// whose moderators decide; its Announce publishes it here.
func heldHere(ctx context.Context, tx *storage.Store, post *model.Post) (bool, error) {
	if post.State != model.PostPending {
		return false, nil
	}
	if post.GroupID == nil {
		return true, nil
	}
	grp, err := tx.Group(ctx, *post.GroupID)
	if err != nil {
		return false, err
	}
	return grp.Local(), nil
}

// ReceiveAnnouncedOwnPost publishes a local account's pending post in the remote group
// grp (uri, by authorURI) when the group relays it: its moderators approved it. An
// Announce of anything else of this node's changes nothing.
func (r *Remote) ReceiveAnnouncedOwnPost(ctx context.Context, activityID string, grp *model.Group, authorURI, uri string) error {
	return r.once(ctx, activityID, func(tx *storage.Store) error {
		post, err := tx.PostByURI(ctx, uri)
		if errors.Is(err, ErrNotFound) {
			return nil
		} else if err != nil {
			return err
		}
		if !post.Local || post.State != model.PostPending || post.GroupID == nil || *post.GroupID != grp.ID {
			return nil
		}
		author, err := tx.Account(ctx, post.AccountID)
		if err != nil {
			return err
		}
		if author.URI != authorURI {
			return fmt.Errorf("group %s announces %s as by %s: %w", grp.URI, uri, authorURI, ErrForbidden)
		}
		r.Log.InfoContext(ctx, "group post approved by its group", "post", post.ID, "group", grp.URI)
		return tx.SetPostState(ctx, post.ID, model.PostPublished)
	})
}

// groupPostOf returns the post at uri when it belongs to grp; ErrForbidden otherwise.
func groupPostOf(ctx context.Context, tx *storage.Store, grp *model.Group, uri string) (*model.Post, error) {
	post, err := tx.PostByURI(ctx, uri)
	if err != nil {
		return nil, err
	}
	if post.GroupID == nil || *post.GroupID != grp.ID {
		return nil, fmt.Errorf("post %s is not in group %s: %w", uri, grp.URI, ErrForbidden)
	}
	return post, nil
}

// activeIn fails unless the sender is an active member of the local group grp, which
// is not archived.
func activeIn(ctx context.Context, tx *storage.Store, in Incoming, grp *model.Group) error {
	m, err := membershipOf(ctx, tx, grp.ID, in.Actor.ID)
	if err != nil {
		return err
	}
	if !grp.Local() || !active(m) || grp.Archived() {
		return fmt.Errorf("%s in group %s: %w", in.Actor.URI, grp.URI, ErrForbidden)
	}
	return nil
}

// ReceiveGroupUpdate applies a remote member's edit of its post in the local group grp
// (the previous version is kept) and relays it to the nodes of the other members.
func (r *Remote) ReceiveGroupUpdate(ctx context.Context, in Incoming, grp *model.Group, p RemotePost) error {
	return r.apply(ctx, in, func(tx *storage.Store) error {
		if err := activeIn(ctx, tx, in, grp); err != nil {
			return err
		}
		post, err := groupPostOf(ctx, tx, grp, p.URI)
		if err != nil {
			return err
		}
		changed, err := r.updatePost(ctx, tx, in, post, p)
		if err != nil || !changed || post.State == model.PostPending {
			return err
		}
		return r.Outbox.Enqueue(ctx, tx, Activity{Kind: ActivityGroupAnnounceUpdate, Group: grp, Post: post})
	})
}

// ReceiveGroupReaction stores a remote member's reaction on a published post of the
// local group grp and relays it to the nodes of the other members.
func (r *Remote) ReceiveGroupReaction(ctx context.Context, in Incoming, grp *model.Group, re RemoteReaction) error {
	if !model.ValidReaction(re.Kind) {
		return &ValidationError{Fields: map[string]string{"kind": "error.reaction.kind"}}
	}
	return r.apply(ctx, in, func(tx *storage.Store) error {
		if err := activeIn(ctx, tx, in, grp); err != nil {
			return err
		}
		post, err := groupPostOf(ctx, tx, grp, re.PostURI)
		if err != nil {
			return err
		}
		if post.State != model.PostPublished {
			return fmt.Errorf("reaction on unpublished %s: %w", re.PostURI, ErrForbidden)
		}
		reaction := &model.Reaction{PostID: post.ID, AccountID: in.Actor.ID, Kind: re.Kind, URI: re.URI, CreatedAt: r.now()}
		if err := tx.SaveReaction(ctx, reaction); err != nil {
			return err
		}
		return r.Outbox.Enqueue(ctx, tx, Activity{Kind: ActivityGroupAnnounceReact, Group: grp, Post: post,
			Reaction: reaction, Object: in.Actor})
	})
}

// ReceiveGroupUndoReaction withdraws a remote member's reaction (uri) on a post of the
// local group grp and relays the Undo. A reaction that is not here changes nothing.
func (r *Remote) ReceiveGroupUndoReaction(ctx context.Context, in Incoming, grp *model.Group, uri string) error {
	return r.apply(ctx, in, func(tx *storage.Store) error {
		re, post, err := r.groupReaction(ctx, tx, in, grp, uri)
		if err != nil || re == nil {
			return err
		}
		if err := tx.RemoveReaction(ctx, re.PostID, re.AccountID, re.Kind); err != nil {
			return err
		}
		return r.Outbox.Enqueue(ctx, tx, Activity{Kind: ActivityGroupAnnounceUndoReact, Group: grp, Post: post,
			Reaction: re, Object: in.Actor})
	})
}

// ReceiveAnnouncedUpdate applies an edit the remote group grp relays; in.Actor is the
// post's author.
func (r *Remote) ReceiveAnnouncedUpdate(ctx context.Context, in Incoming, grp *model.Group, p RemotePost) error {
	return r.apply(ctx, in, func(tx *storage.Store) error {
		if err := r.memberNode(ctx, tx, grp); err != nil {
			return err
		}
		post, err := groupPostOf(ctx, tx, grp, p.URI)
		if errors.Is(err, ErrNotFound) {
			return nil // relayed before this node's member joined
		} else if err != nil {
			return err
		}
		_, err = r.updatePost(ctx, tx, in, post, p)
		return err
	})
}

// ReceiveAnnouncedReaction stores a reaction the remote group grp relays; in.Actor is
// the member reacting.
func (r *Remote) ReceiveAnnouncedReaction(ctx context.Context, in Incoming, grp *model.Group, re RemoteReaction) error {
	if !model.ValidReaction(re.Kind) {
		return &ValidationError{Fields: map[string]string{"kind": "error.reaction.kind"}}
	}
	return r.apply(ctx, in, func(tx *storage.Store) error {
		if err := r.memberNode(ctx, tx, grp); err != nil {
			return err
		}
		post, err := groupPostOf(ctx, tx, grp, re.PostURI)
		if errors.Is(err, ErrNotFound) {
			return nil
		} else if err != nil {
			return err
		}
		return tx.SaveReaction(ctx, &model.Reaction{PostID: post.ID, AccountID: in.Actor.ID, Kind: re.Kind,
			URI: re.URI, CreatedAt: r.now()})
	})
}

// ReceiveAnnouncedUndoReaction withdraws a reaction the remote group grp relays the
// Undo of; in.Actor is the member who reacted.
func (r *Remote) ReceiveAnnouncedUndoReaction(ctx context.Context, in Incoming, grp *model.Group, uri string) error {
	return r.apply(ctx, in, func(tx *storage.Store) error {
		if err := r.memberNode(ctx, tx, grp); err != nil {
			return err
		}
		re, _, err := r.groupReaction(ctx, tx, in, grp, uri)
		if err != nil || re == nil {
			return err
		}
		return tx.RemoveReaction(ctx, re.PostID, re.AccountID, re.Kind)
	})
}

// groupReaction returns the sender's reaction uri on a post of grp; nil when it is not
// here, ErrForbidden when it is another account's or on another group's post.
func (r *Remote) groupReaction(ctx context.Context, tx *storage.Store, in Incoming, grp *model.Group, uri string) (*model.Reaction, *model.Post, error) {
	re, err := tx.ReactionByURI(ctx, uri)
	if errors.Is(err, ErrNotFound) {
		return nil, nil, nil
	} else if err != nil {
		return nil, nil, err
	}
	if re.AccountID != in.Actor.ID {
		return nil, nil, fmt.Errorf("undo reaction %s by %s: %w", uri, in.Actor.URI, ErrForbidden)
	}
	post, err := tx.Post(ctx, re.PostID)
	if err != nil {
		return nil, nil, err
	}
	if post.GroupID == nil || *post.GroupID != grp.ID {
		return nil, nil, fmt.Errorf("reaction %s is not in group %s: %w", uri, grp.URI, ErrForbidden)
	}
	return re, post, nil
}
