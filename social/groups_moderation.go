package social

import (
	"context"

	"github.com/atrium-intranet/atrium/model"
	"github.com/atrium-intranet/atrium/storage"
)

// Pin pins a top-level published post of a group to its top, or unpins it. Moderators
// only.
func (g *Groups) Pin(ctx context.Context, actor *model.Account, groupID, postID string, pinned bool) error {
	return g.Store.InTx(ctx, func(tx *storage.Store) error {
		grp, mine, err := g.visibleGroup(ctx, tx, actor, groupID)
		if err != nil {
			return err
		}
		if !moderates(mine) {
			return ErrForbidden
		}
		if !pinned {
			return tx.UnpinPost(ctx, groupID, postID)
		}
		post, err := tx.Post(ctx, postID)
		if err != nil {
			return err
		}
		if post.GroupID == nil || *post.GroupID != groupID || post.InReplyToID != nil || post.State != model.PostPublished {
			return ErrNotFound
		}
		g.Log.InfoContext(ctx, "group post pinned", "group", grp.Name, "post", postID, "by", actor.Username)
		return tx.PinPost(ctx, &model.GroupPin{GroupID: groupID, PostID: postID, PinnedAt: g.now(), PinnedBy: actor.ID})
	})
}

// Pinned returns the pinned posts of a group that the viewer may read, most recently
// pinned first: none for viewers who are not active members.
func (g *Groups) Pinned(ctx context.Context, viewer *model.Account, groupID string) ([]*PostView, error) {
	if _, _, err := g.visibleGroup(ctx, g.Store, viewer, groupID); err != nil {
		return nil, err
	}
	posts, err := g.Store.PinnedPosts(ctx, viewerOf(viewer), groupID)
	if err != nil {
		return nil, err
	}
	return (&Posts{g.core}).views(ctx, viewer, posts)
}

// Pending returns the posts of a group awaiting approval, oldest first. Moderators only.
func (g *Groups) Pending(ctx context.Context, actor *model.Account, groupID string) ([]*PostView, error) {
	_, mine, err := g.visibleGroup(ctx, g.Store, actor, groupID)
	if err != nil {
		return nil, err
	}
	if !moderates(mine) {
		return nil, ErrForbidden
	}
	posts, err := g.Store.PendingPosts(ctx, groupID, maxPending)
	if err != nil {
		return nil, err
	}
	return (&Posts{g.core}).views(ctx, actor, posts)
}

// Moderate approves a pending group post (it is published, and federated as a new post
// would be) or rejects it (it is deleted; a remote author's node is told, as it holds the
// post pending). Moderators of its group only; to others a pending post does not exist
// unless it is their own.
func (g *Groups) Moderate(ctx context.Context, actor *model.Account, postID string, approve bool) error {
	return g.Store.InTx(ctx, func(tx *storage.Store) error {
		post, err := tx.Post(ctx, postID)
		if err != nil {
			return err
		}
		if post.GroupID == nil || post.State != model.PostPending {
			return ErrNotFound
		}
		grp, err := tx.Group(ctx, *post.GroupID)
		if err != nil {
			return err
		}
		mine, err := membershipOf(ctx, tx, grp.ID, actor.ID)
		if err != nil {
			return err
		}
		if !moderates(mine) {
			if active(mine) && post.AccountID == actor.ID {
				return ErrForbidden
			}
			return ErrNotFound
		}
		g.Log.InfoContext(ctx, "group post moderated", "group", grp.Name, "post", postID, "approve", approve, "by", actor.Username)
		if !approve {
			if err := tx.DeletePost(ctx, postID); err != nil {
				return err
			}
			return rejectRemotePost(ctx, g.core, tx, grp, post)
		}
		if grp.Archived() {
			return ErrForbidden
		}
		if err := tx.SetPostState(ctx, postID, model.PostPublished); err != nil {
			return err
		}
		post.State = model.PostPublished
		if !post.Local {
			if !grp.Local() {
				return nil
			}
			// A remote member's post: the group relays it to its members' nodes now.
			parent, err := parentOf(ctx, tx, post)
			if err != nil {
				return err
			}
			return g.Outbox.Enqueue(ctx, tx, Activity{Kind: ActivityGroupAnnounceApproved, Group: grp, Post: post, Parent: parent})
		}
		author, err := tx.Account(ctx, post.AccountID)
		if err != nil {
			return err
		}
		// A pending post was never handed to the outbox: it leaves the node only now.
		return g.Outbox.Enqueue(ctx, tx, Activity{Kind: ActivityCreate, Actor: author, Post: post})
	})
}
