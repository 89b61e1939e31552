package social

import (
	"context"
	"fmt"

	"github.com/atrium-intranet/atrium/model"
	"github.com/atrium-intranet/atrium/storage"
)

// ActivityGroupUpdate is the local Group publishing its changed actor document (name,
// description, kind, pictures) to its members' nodes: Update{Group}, signed by the
// group; Actor is nil.
const ActivityGroupUpdate ActivityKind = "GroupUpdate"

// groupChanged hands the Update of a local group's actor to the outbox, inside the
// transaction tx that saved the change. Site-only groups never leave their node.
func (g *Groups) groupChanged(ctx context.Context, tx *storage.Store, grp *model.Group) error {
	if !grp.Local() || grp.SiteOnly {
		return nil
	}
	return g.Outbox.Enqueue(ctx, tx, Activity{Kind: ActivityGroupUpdate, Group: grp})
}

// ReceiveGroupActorUpdate applies a remote group's Update of itself (activity
// activityID, which federation checked the group signed) to the cached copy grp: its
// display name, kind, pre-moderation and sanitized description. The handle, keys and
// inboxes stay as fetched; a group that calls itself site-only is refused, as on fetch.
// It returns the stored group; pictures are the caller's to sync, outside the
// transaction.
func (r *Remote) ReceiveGroupActorUpdate(ctx context.Context, activityID string, grp *model.Group, in model.Group) (*model.Group, error) {
	if grp == nil || grp.Local() || in.URI != grp.URI {
		return nil, fmt.Errorf("update of group %s by %s: %w", in.URI, groupURIOf(grp), ErrForbidden)
	}
	if !in.Kind.Valid() {
		return nil, &ValidationError{Fields: map[string]string{"group": "error.remote.actor"}}
	}
	if in.SiteOnly {
		return nil, fmt.Errorf("remote group %s is site-only: %w", in.URI, ErrForbidden)
	}
	var out *model.Group
	err := r.once(ctx, activityID, func(tx *storage.Store) error {
		cur, err := tx.Group(ctx, grp.ID)
		if err != nil {
			return err
		}
		if cur.Local() {
			return fmt.Errorf("update of local group %s: %w", cur.URI, ErrForbidden)
		}
		cur.DisplayName = in.DisplayName
		if cur.DisplayName == "" {
			cur.DisplayName = cur.Name
		}
		cur.Kind, cur.PreModeration = in.Kind, in.PreModeration
		cur.DescriptionHTML = r.md.policy.Sanitize(in.DescriptionHTML)
		now := r.now()
		cur.FetchedAt, cur.UpdatedAt = &now, now
		if err := tx.UpdateGroup(ctx, cur, "display_name", "kind", "pre_moderation", "description_html",
			"fetched_at", "updated_at"); err != nil {
			return err
		}
		r.Log.InfoContext(ctx, "remote group updated", "group", cur.URI, "kind", cur.Kind)
		out = cur
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// groupURIOf is g's actor id for messages; "" for nil.
func groupURIOf(g *model.Group) string {
	if g == nil {
		return ""
	}
	return g.URI
}
