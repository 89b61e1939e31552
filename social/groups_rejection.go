package social

import (
	"context"
	"errors"
	"fmt"

	"github.com/atrium-intranet/atrium/model"
	"github.com/atrium-intranet/atrium/storage"
)

// Rejection of a remote member's pending post. Under pre-moderation the author's node
// keeps the post pending until the group decides: the approval reaches it as the
// group's Announce, a rejection as the group's Reject{Create}, after which it deletes
// the post. Comments are never pending (pre-moderation holds top-level posts only), so
// only top-level posts are ever rejected.

// ActivityGroupRejectPost is the local Group telling the node of the remote author
// Object that its moderators rejected the pending Post (already deleted here); Actor
// is nil.
const ActivityGroupRejectPost ActivityKind = "GroupRejectPost"

// rejectRemotePost tells the author's node that a moderator of the local group grp
// rejected post, a remote member's pending post deleted in the same transaction.
func rejectRemotePost(ctx context.Context, c *core, tx *storage.Store, grp *model.Group, post *model.Post) error {
	if post.Local || !grp.Local() {
		return nil
	}
	author, err := tx.Account(ctx, post.AccountID)
	if err != nil {
		return err
	}
	return c.Outbox.Enqueue(ctx, tx, Activity{Kind: ActivityGroupRejectPost, Group: grp, Post: post, Object: author})
}

// ReceiveGroupRejectedPost applies the remote group grp's rejection of uri, a local
// account's (authorURI) pending post in that group: it is deleted. A post that is gone
// already or no longer pending changes nothing; a post that is not the named author's,
// not this node's, or in another group is refused.
func (r *Remote) ReceiveGroupRejectedPost(ctx context.Context, activityID string, grp *model.Group, authorURI, uri string) error {
	if grp.Local() {
		return fmt.Errorf("rejection by local group %s: %w", grp.URI, ErrForbidden)
	}
	return r.once(ctx, activityID, func(tx *storage.Store) error {
		post, err := tx.PostByURI(ctx, uri)
		if errors.Is(err, ErrNotFound) {
			r.Log.InfoContext(ctx, "rejected group post not here", "uri", uri, "group", grp.URI)
			return nil
		} else if err != nil {
			return err
		}
		if !post.Local || post.GroupID == nil || *post.GroupID != grp.ID {
			return fmt.Errorf("group %s rejects %s, not a post of this node in it: %w", grp.URI, uri, ErrForbidden)
		}
		author, err := tx.Account(ctx, post.AccountID)
		if err != nil {
			return err
		}
		if author.URI != authorURI {
			return fmt.Errorf("group %s rejects %s as by %s: %w", grp.URI, uri, authorURI, ErrForbidden)
		}
		if post.State != model.PostPending {
			r.Log.InfoContext(ctx, "group rejects a post that is not pending; kept", "post", post.ID, "group", grp.URI)
			return nil
		}
		// The author learns it from the log for now: the post leaves their pending list.
		r.Log.InfoContext(ctx, "group post rejected by its group", "post", post.ID, "group", grp.URI,
			"author", author.Username)
		return tx.DeletePost(ctx, post.ID)
	})
}
