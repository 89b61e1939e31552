package social

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/atrium-intranet/atrium/model"
	"github.com/atrium-intranet/atrium/storage"
)

// Group federation (FEP-1b12). A member's node joins a remote group with a Follow of its
// Group actor and keeps a membership row (requested until the group's Accept); the home
// node keeps the memberships of remote accounts like local ones, answers with Accept or
// Reject signed by the group, and relays every member's post to the nodes of its other
// members with Announce. A node stores a relayed post only for a group it has an active
// member of; the group's posts stay visible to its active members only.

// joinRemote asks the remote group grp to let viewer in: a requested membership whose
// Follow goes to the group; the group's Accept makes it active.
func (g *Groups) joinRemote(ctx context.Context, tx *storage.Store, viewer *model.Account, grp *model.Group, m *model.Membership) (model.MemberState, error) {
	if m != nil {
		switch m.State {
		case model.MemberBanned:
			return "", ErrForbidden
		case model.MemberActive, model.MemberRequested:
			return m.State, nil
		}
	}
	// Guests, and everyone for a secret group, join only by accepting an invitation the
	// group sent (groups_invites.go); the group lets invited accounts in at once.
	invited := m != nil && m.State == model.MemberInvited
	if grp.Archived() || !viewer.Active() || !viewer.Local() || (viewer.Role == model.RoleGuest && !invited) {
		return "", ErrForbidden
	}
	if grp.Kind == model.GroupSecret && !invited {
		return "", ErrNotFound
	}
	now := g.now()
	var invitedBy *string
	if invited {
		invitedBy = m.InvitedByID
	}
	m = &model.Membership{GroupID: grp.ID, AccountID: viewer.ID, Role: model.GroupMember, State: model.MemberRequested,
		FollowURI: g.URIs.Follow(viewer.Username, g.newID()), InvitedByID: invitedBy, CreatedAt: now, UpdatedAt: now}
	if err := tx.SaveMembership(ctx, m); err != nil {
		return "", err
	}
	g.Log.InfoContext(ctx, "remote group join requested", "group", grp.URI, "account", viewer.Username)
	if err := g.Outbox.Enqueue(ctx, tx, Activity{Kind: ActivityJoinGroup, Actor: viewer, Group: grp, Membership: m}); err != nil {
		return "", err
	}
	return m.State, nil
}

// answerRemote tells a remote account's node the group's answer to its join: accept
// (it is an active member) or reject (refused or removed). Accounts that never sent a
// Follow (invited ones that did not answer) are not told.
func answerRemote(ctx context.Context, c *core, tx *storage.Store, grp *model.Group, acct *model.Account, followURI string, accept bool) error {
	if acct == nil || acct.Local() || !grp.Local() || followURI == "" {
		return nil
	}
	kind := ActivityGroupReject
	if accept {
		kind = ActivityGroupAccept
	}
	return c.Outbox.Enqueue(ctx, tx, Activity{Kind: kind, Group: grp, Object: acct,
		Membership: &model.Membership{GroupID: grp.ID, AccountID: acct.ID, FollowURI: followURI}})
}

// once runs fn in one transaction with the activity id marked processed, for activities
// whose actor is a Group rather than an account.
func (r *Remote) once(ctx context.Context, activityID string, fn func(tx *storage.Store) error) error {
	if activityID == "" {
		return errors.New("remote activity without id")
	}
	dup := false
	err := r.Store.InTx(ctx, func(tx *storage.Store) error {
		fresh, err := tx.MarkProcessed(ctx, activityID, r.now())
		if err != nil {
			return err
		}
		if !fresh {
			dup = true
			return nil
		}
		return fn(tx)
	})
	if err == nil && dup {
		return ErrDuplicate
	}
	return err
}

// ReceiveGroupFollow applies a remote account's Follow of the local group grp, a request
// to join: open groups let siblings' users in at once, closed ones keep a request for
// the moderators; invited accounts come in whatever the kind. Everyone else (secret
// groups without invitation, partner users without invitation, banned accounts,
// site-only and archived groups) gets a Reject, signed by the group.
func (r *Remote) ReceiveGroupFollow(ctx context.Context, in Incoming, followURI string, grp *model.Group) error {
	return r.apply(ctx, in, func(tx *storage.Store) error {
		grp, err := tx.Group(ctx, grp.ID)
		if err != nil {
			return err
		}
		if !grp.Local() {
			return fmt.Errorf("follow of remote group %s: %w", grp.URI, ErrNotFound)
		}
		m, err := membershipOf(ctx, tx, grp.ID, in.Actor.ID)
		if err != nil {
			return err
		}
		now := r.now()
		guest := in.Actor.Role == model.RoleGuest || in.Trust != model.TrustSibling
		state := model.MemberState("")
		switch {
		case grp.SiteOnly || grp.Archived() || !in.Actor.ActiveAt(now):
		case m != nil && m.State == model.MemberBanned:
		case m != nil && (m.State == model.MemberActive || m.State == model.MemberInvited):
			state = model.MemberActive
		case m != nil && m.State == model.MemberRequested:
			state = model.MemberRequested
		case guest:
		case grp.Kind == model.GroupOpen:
			state = model.MemberActive
		case grp.Kind == model.GroupClosed:
			state = model.MemberRequested
		}
		if state == "" {
			r.Log.InfoContext(ctx, "remote group join refused", "group", grp.Name, "account", in.Actor.Handle())
			return answerRemote(ctx, r.core, tx, grp, in.Actor, followURI, false)
		}
		if m == nil {
			m = &model.Membership{GroupID: grp.ID, AccountID: in.Actor.ID, Role: model.GroupMember, CreatedAt: now}
		}
		m.State, m.FollowURI, m.UpdatedAt = state, followURI, now
		if err := tx.SaveMembership(ctx, m); err != nil {
			return err
		}
		r.Log.InfoContext(ctx, "remote group join", "group", grp.Name, "account", in.Actor.Handle(), "state", state)
		if state != model.MemberActive {
			return nil // a moderator decides; Decide answers
		}
		return answerRemote(ctx, r.core, tx, grp, in.Actor, followURI, true)
	})
}

// ReceiveGroupLeave applies a remote member's Undo of its Follow of the local group
// grp: its membership (or request) ends. A ban stays; an Undo of an older Follow than
// the membership's changes nothing.
func (r *Remote) ReceiveGroupLeave(ctx context.Context, in Incoming, grp *model.Group, followURI string) error {
	return r.apply(ctx, in, func(tx *storage.Store) error {
		m, err := membershipOf(ctx, tx, grp.ID, in.Actor.ID)
		if err != nil || m == nil || m.State == model.MemberBanned || m.FollowURI != followURI {
			return err
		}
		if err := (&Groups{core: r.core}).keepOwner(ctx, tx, m); err != nil {
			return err
		}
		r.Log.InfoContext(ctx, "remote group member left", "group", grp.Name, "account", in.Actor.Handle())
		return tx.DeleteMembership(ctx, grp.ID, in.Actor.ID)
	})
}

// ReceiveGroupAccept applies the remote group grp's Accept of a local account's join
// (followURI): the membership becomes active.
func (r *Remote) ReceiveGroupAccept(ctx context.Context, activityID string, grp *model.Group, followURI string) error {
	return r.once(ctx, activityID, func(tx *storage.Store) error {
		m, err := tx.MembershipByFollowURI(ctx, grp.ID, followURI)
		if errors.Is(err, ErrNotFound) {
			return nil // left in the meantime
		} else if err != nil {
			return err
		}
		if m.State != model.MemberRequested {
			return nil
		}
		m.State, m.UpdatedAt = model.MemberActive, r.now()
		r.Log.InfoContext(ctx, "remote group join accepted", "group", grp.URI, "account", m.AccountID)
		return tx.SaveMembership(ctx, m)
	})
}

// ReceiveGroupReject applies the remote group grp's Reject of a local account's join
// (followURI): a refused request, or a removal; the membership is dropped.
func (r *Remote) ReceiveGroupReject(ctx context.Context, activityID string, grp *model.Group, followURI string) error {
	return r.once(ctx, activityID, func(tx *storage.Store) error {
		m, err := tx.MembershipByFollowURI(ctx, grp.ID, followURI)
		if errors.Is(err, ErrNotFound) {
			return nil
		} else if err != nil {
			return err
		}
		r.Log.InfoContext(ctx, "remote group join rejected or member removed", "group", grp.URI, "account", m.AccountID)
		return tx.DeleteMembership(ctx, grp.ID, m.AccountID)
	})
}

// ReceiveGroupPost stores a post or comment a remote member sent to the local group grp
// and relays it to the nodes of the group's other members (Announce), or holds it for
// the moderators under pre-moderation. Only active members post, never in an archived
// group, and comments only on the group's own threads.
func (r *Remote) ReceiveGroupPost(ctx context.Context, in Incoming, grp *model.Group, p RemotePost) error {
	return r.apply(ctx, in, func(tx *storage.Store) error {
		grp, err := tx.Group(ctx, grp.ID)
		if err != nil {
			return err
		}
		m, err := membershipOf(ctx, tx, grp.ID, in.Actor.ID)
		if err != nil {
			return err
		}
		if !grp.Local() || !active(m) || grp.Archived() {
			return fmt.Errorf("group post by %s in %s: %w", in.Actor.URI, grp.URI, ErrForbidden)
		}
		post, parent, err := r.groupPost(ctx, tx, in, grp, p)
		if err != nil {
			return err
		}
		if parent == nil && grp.PreModeration && !m.Role.Moderates() {
			post.State = model.PostPending
		}
		created, err := r.storeGroupPost(ctx, tx, in, post, p)
		if err != nil || !created || post.State == model.PostPending {
			return err
		}
		return r.Outbox.Enqueue(ctx, tx, Activity{Kind: ActivityGroupAnnounce, Group: grp, Post: post, Parent: parent})
	})
}

// ReceiveGroupDelete deletes a remote member's post in the local group grp and relays
// the Delete to the nodes of the other members. Only the author may delete.
func (r *Remote) ReceiveGroupDelete(ctx context.Context, in Incoming, grp *model.Group, uri string) error {
	return r.apply(ctx, in, func(tx *storage.Store) error {
		post, err := tx.PostByURI(ctx, uri)
		if errors.Is(err, ErrNotFound) {
			return nil
		} else if err != nil {
			return err
		}
		if post.AccountID != in.Actor.ID || post.Local || post.GroupID == nil || *post.GroupID != grp.ID {
			return fmt.Errorf("delete of %s by %s: %w", uri, in.Actor.URI, ErrForbidden)
		}
		if err := tx.DeletePost(ctx, post.ID); err != nil {
			return err
		}
		r.Log.InfoContext(ctx, "remote group post deleted", "post", post.ID, "group", grp.Name, "author", in.Actor.Handle())
		if post.State == model.PostPending {
			return nil // never relayed
		}
		return r.Outbox.Enqueue(ctx, tx, Activity{Kind: ActivityGroupAnnounceDelete, Group: grp, Post: post})
	})
}

// ReceiveAnnouncedPost stores a post relayed by the remote group grp (Announce of its
// author's Create); in.Actor is the post's author, in.ActivityID the Announce's id.
// Only a node with an active member of the group takes it.
func (r *Remote) ReceiveAnnouncedPost(ctx context.Context, in Incoming, grp *model.Group, p RemotePost) error {
	return r.apply(ctx, in, func(tx *storage.Store) error {
		if err := r.memberNode(ctx, tx, grp); err != nil {
			return err
		}
		post, _, err := r.groupPost(ctx, tx, in, grp, p)
		if err != nil {
			return err
		}
		_, err = r.storeGroupPost(ctx, tx, in, post, p)
		return err
	})
}

// ReceiveAnnouncedDelete deletes a post of the remote group grp whose Delete the group
// relays; in.Actor is the post's author. Deleting what is not here changes nothing.
func (r *Remote) ReceiveAnnouncedDelete(ctx context.Context, in Incoming, grp *model.Group, uri string) error {
	return r.apply(ctx, in, func(tx *storage.Store) error {
		post, err := tx.PostByURI(ctx, uri)
		if errors.Is(err, ErrNotFound) {
			return nil
		} else if err != nil {
			return err
		}
		if post.AccountID != in.Actor.ID || post.Local || post.GroupID == nil || *post.GroupID != grp.ID {
			return fmt.Errorf("relayed delete of %s by %s: %w", uri, grp.URI, ErrForbidden)
		}
		r.Log.InfoContext(ctx, "relayed group post deleted", "post", post.ID, "group", grp.URI)
		return tx.DeletePost(ctx, post.ID)
	})
}

// memberNode fails unless grp is a remote group with an active member here: a group's
// posts go to its members' nodes only.
func (r *Remote) memberNode(ctx context.Context, tx *storage.Store, grp *model.Group) error {
	if grp.Local() {
		return fmt.Errorf("relay by local group %s: %w", grp.URI, ErrForbidden)
	}
	ok, err := tx.GroupHasLocalActiveMember(ctx, grp.ID)
	if err != nil {
		return err
	}
	if !ok {
		return fmt.Errorf("post of group %s, which nobody here is a member of: %w", grp.URI, ErrForbidden)
	}
	return nil
}

// groupPost builds the post of grp that p describes, by in.Actor; a comment must answer
// a post of the same group.
func (r *Remote) groupPost(ctx context.Context, tx *storage.Store, in Incoming, grp *model.Group, p RemotePost) (*model.Post, *model.Post, error) {
	now := r.now()
	post := &model.Post{ID: r.newID(), URI: p.URI, AccountID: in.Actor.ID, Audience: model.AudienceGroup,
		GroupID: &grp.ID, State: model.PostPublished, Source: p.Source, HTML: localTagLinks(r.md.policy.Sanitize(p.HTML), remoteTags(p.Tags))}
	post.CreatedAt = p.CreatedAt.UTC().Truncate(time.Microsecond)
	if post.CreatedAt.IsZero() || post.CreatedAt.After(now.Add(maxClockAhead)) {
		post.CreatedAt = now
	}
	post.UpdatedAt = post.CreatedAt
	if p.EditedAt != nil && p.EditedAt.After(post.CreatedAt) && !p.EditedAt.After(now.Add(maxClockAhead)) {
		e := p.EditedAt.UTC().Truncate(time.Microsecond)
		post.EditedAt, post.UpdatedAt = &e, e
	}
	if p.InReplyToURI == "" {
		return post, nil, nil
	}
	parent, err := tx.PostByURI(ctx, p.InReplyToURI)
	if err != nil {
		return nil, nil, fmt.Errorf("parent of %s: %w", p.URI, err)
	}
	if parent.GroupID == nil || *parent.GroupID != grp.ID {
		return nil, nil, fmt.Errorf("comment %s in %s on a post outside it: %w", p.URI, grp.URI, ErrForbidden)
	}
	root := parent.ID
	if parent.RootID != nil {
		root = *parent.RootID
	}
	post.InReplyToID, post.RootID = &parent.ID, &root
	return post, parent, nil
}

// storeGroupPost stores post unless its URI is known; a known URI by another author is
// a conflict. It reports whether the post is new.
func (r *Remote) storeGroupPost(ctx context.Context, tx *storage.Store, in Incoming, post *model.Post, p RemotePost) (bool, error) {
	mentions, err := r.mentionIDs(ctx, tx, p.MentionURIs)
	if err != nil {
		return false, err
	}
	created, err := tx.CreatePostIfNew(ctx, post, mentions, remoteTags(p.Tags))
	if err != nil {
		return false, err
	}
	if !created {
		old, err := tx.PostByURI(ctx, p.URI)
		if err != nil {
			return false, err
		}
		if old.AccountID != in.Actor.ID {
			return false, fmt.Errorf("post %s exists by another author: %w", p.URI, storage.ErrConflict)
		}
		return false, nil
	}
	r.Log.InfoContext(ctx, "remote group post stored", "post", post.ID, "uri", post.URI, "group", *post.GroupID,
		"author", in.Actor.Handle(), "state", post.State)
	return true, nil
}
