package federation

import (
	"context"
	"errors"
	"fmt"

	"github.com/atrium-intranet/atrium/activitypub"
	"github.com/atrium-intranet/atrium/model"
	"github.com/atrium-intranet/atrium/social"
	"github.com/atrium-intranet/atrium/storage"
	"github.com/go-fed/activity/streams/vocab"
)

// Group activities (FEP-1b12). A member's node sends its join, leave, posts and
// deletions to the group's inbox; the home node answers and relays as the group, signed
// with the group's key, to the nodes of its active remote members (one per node).

// buildJoin handles a local account's Follow of a remote group and its Undo.
func (o *Outbox) buildJoin(a social.Activity, t *targets) (vocab.Type, error) {
	if a.Group == nil || a.Membership == nil {
		return nil, errors.New("group and membership required")
	}
	if a.Group.Local() {
		return nil, nil // joining a local group needs nobody else
	}
	t.addGroup(a.Group)
	if a.Kind == social.ActivityJoinGroup {
		return activitypub.NewJoin(a.Membership.FollowURI, a.Actor.URI, a.Group.URI)
	}
	return activitypub.NewLeave(a.Membership.FollowURI, a.Actor.URI, a.Group.URI)
}

// buildGroupAnswer handles a local group's Accept or Reject of a remote account's join.
func (o *Outbox) buildGroupAnswer(a social.Activity, t *targets) (vocab.Type, error) {
	if a.Object == nil || a.Membership == nil {
		return nil, errors.New("member and membership required")
	}
	if a.Object.Local() {
		return nil, nil
	}
	t.group = a.Group
	t.addAccount(a.Object)
	if a.Kind == social.ActivityGroupAccept {
		return activitypub.NewGroupAccept(a.Group.URI, a.Membership.FollowURI, a.Object.URI)
	}
	return activitypub.NewGroupReject(a.Group.URI, a.Membership.FollowURI, a.Object.URI)
}

// buildGroupPost handles the Create, Update and Delete of a local account's post in a
// group: to the group's inbox for a remote group; announced by the group to its members'
// nodes for a local one.
func (o *Outbox) buildGroupPost(ctx context.Context, tx *storage.Store, a social.Activity, t *targets) (vocab.Type, error) {
	p := a.Post
	if p.GroupID == nil {
		return nil, nil
	}
	if p.AccountID != a.Actor.ID {
		return nil, fmt.Errorf("post %s: actor is not its author", p.ID)
	}
	grp, err := tx.Group(ctx, *p.GroupID)
	if err != nil {
		return nil, fmt.Errorf("group of post %s: %w", p.ID, err)
	}
	if grp.Local() && p.State == model.PostPending {
		return nil, nil // relayed once approved
	}
	inner, err := o.groupNoteActivity(ctx, tx, a.Kind, grp, p, a.Parent, a.Actor)
	if err != nil {
		return nil, err
	}
	if !grp.Local() {
		t.addGroup(grp)
		return inner, nil
	}
	t.group = grp
	if err := t.addGroupMembers(ctx, tx, grp, a.Actor); err != nil {
		return nil, err
	}
	return activitypub.NewAnnounce(grp.URI, inner)
}

// buildGroupAnnounce handles a local group relaying a remote member's post, edit,
// deletion or reaction (or its Undo): to the nodes of the other members, not back to
// the sender's.
func (o *Outbox) buildGroupAnnounce(ctx context.Context, tx *storage.Store, a social.Activity, t *targets) (vocab.Type, error) {
	if a.Post == nil {
		return nil, errors.New("post required")
	}
	author, err := tx.Account(ctx, a.Post.AccountID)
	if err != nil {
		return nil, fmt.Errorf("post author: %w", err)
	}
	sender := author
	var inner vocab.Type
	switch a.Kind {
	case social.ActivityGroupAnnounceReact, social.ActivityGroupAnnounceUndoReact:
		if a.Reaction == nil || a.Object == nil {
			return nil, errors.New("reaction and reacting account required")
		}
		sender = a.Object
		inner, err = o.groupReaction(a.Kind == social.ActivityGroupAnnounceReact, a.Group, a.Post, author, a.Reaction, a.Object)
	default:
		kind := social.ActivityCreate
		switch a.Kind {
		case social.ActivityGroupAnnounceDelete:
			kind = social.ActivityDelete
		case social.ActivityGroupAnnounceUpdate:
			kind = social.ActivityUpdate
		}
		inner, err = o.groupNoteActivity(ctx, tx, kind, a.Group, a.Post, a.Parent, author)
	}
	if err != nil {
		return nil, err
	}
	t.group = a.Group
	if a.Kind == social.ActivityGroupAnnounceApproved {
		// The author's node holds the post pending until this Announce publishes it.
		sender = nil
	}
	if err := t.addGroupMembers(ctx, tx, a.Group, sender); err != nil {
		return nil, err
	}
	return activitypub.NewAnnounce(a.Group.URI, inner)
}

// buildGroupReaction handles a local account's reaction on a group post, and its Undo:
// to the group's inbox for a remote group; announced by a local group to its members'
// nodes.
func (o *Outbox) buildGroupReaction(ctx context.Context, tx *storage.Store, a social.Activity, t *targets) (vocab.Type, error) {
	if a.Post.GroupID == nil {
		return nil, nil
	}
	grp, err := tx.Group(ctx, *a.Post.GroupID)
	if err != nil {
		return nil, fmt.Errorf("group of post %s: %w", a.Post.ID, err)
	}
	author, err := tx.Account(ctx, a.Post.AccountID)
	if err != nil {
		return nil, fmt.Errorf("post author: %w", err)
	}
	inner, err := o.groupReaction(a.Kind == social.ActivityReact, grp, a.Post, author, a.Reaction, a.Actor)
	if err != nil {
		return nil, err
	}
	if !grp.Local() {
		t.addGroup(grp)
		return inner, nil
	}
	t.group = grp
	if err := t.addGroupMembers(ctx, tx, grp, a.Actor); err != nil {
		return nil, err
	}
	return activitypub.NewAnnounce(grp.URI, inner)
}

// groupReaction builds actor's Like/EmojiReact (or its Undo) of a group post.
func (o *Outbox) groupReaction(react bool, grp *model.Group, p *model.Post, author *model.Account, re *model.Reaction, actor *model.Account) (vocab.Type, error) {
	in := activitypub.ReactionActivity{URIs: o.uris, Reaction: re, Actor: actor, Post: p, PostAuthor: author, GroupURI: grp.URI}
	if react {
		return activitypub.NewReaction(in)
	}
	return activitypub.NewUndoReaction(in)
}

// groupNoteActivity builds the author's Create, Update or Delete of a group post.
func (o *Outbox) groupNoteActivity(ctx context.Context, tx *storage.Store, kind social.ActivityKind, grp *model.Group, p, parent *model.Post, author *model.Account) (vocab.Type, error) {
	in := activitypub.PostActivity{URIs: o.uris, Post: p, Author: author}
	in.Extras.GroupURI = grp.URI
	if parent != nil {
		in.Extras.InReplyToURI = parent.URI
		parentAuthor, err := tx.Account(ctx, parent.AccountID)
		if err != nil {
			return nil, fmt.Errorf("parent author: %w", err)
		}
		in.ParentAuthorURI = parentAuthor.URI
	}
	if kind == social.ActivityDelete {
		return activitypub.NewDelete(in)
	}
	if err := o.noteExtras(ctx, tx, p, &in.Extras); err != nil {
		return nil, err
	}
	if kind == social.ActivityUpdate {
		return activitypub.NewUpdate(in)
	}
	return activitypub.NewCreate(in)
}

// addGroup targets a remote group's inbox.
func (t *targets) addGroup(g *model.Group) {
	if g.InboxURI != "" {
		t.add(g.InboxURI)
	} else if g.SharedInboxURI != "" {
		t.add(g.SharedInboxURI)
	}
}

// addGroupMembers targets the nodes of a local group's active remote members, except
// the node of the author of what is relayed, which has it already.
func (t *targets) addGroupMembers(ctx context.Context, tx *storage.Store, g *model.Group, author *model.Account) error {
	if author != nil && !author.Local() {
		if norm, err := activitypub.Origin(author.URI); err == nil {
			if t.nodes == nil {
				t.nodes = map[string]bool{}
			}
			t.nodes[norm] = true
		}
	}
	members, err := tx.RemoteActiveMembers(ctx, g.ID)
	if err != nil {
		return err
	}
	for _, m := range members {
		t.addAccount(m)
	}
	return nil
}
