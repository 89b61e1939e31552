package social

import (
	"context"
	"errors"
	"time"

	"github.com/atrium-intranet/atrium/model"
	"github.com/atrium-intranet/atrium/storage"
)

// The end of a guest's access. A guest ends when its ExpiresAt comes (the sweep,
// Guests.ExpireDue, finds it within a minute) or when an admin revokes it (ExpiresAt
// moves to now). Ended is recorded as DeactivatedAt = ExpiresAt: an admin's
// deactivation records another time, so an admin's extension can tell an ended guest,
// which it reactivates, from a deactivated one, which stays so. A cached remote account
// is deactivated here only when its guest access ends, so for remote accounts any
// DeactivatedAt means ended.
//
// Other nodes learn of the end from the guest's Update{Person}, whose atrium:guestExpires
// lies in the past, sent to the sibling nodes and to the nodes of the guest's groups;
// they end its access on their side as soon as it arrives (Remote.upsertActor), and
// reactivate the cached account when a later Update moves the end into the future.

// expireBatch is how many due guests the sweep ends per query.
const expireBatch = 100

// guestEnded reports whether a's access has ended the way a guest's ends.
func guestEnded(a *model.Account) bool {
	if a.DeactivatedAt == nil {
		return false
	}
	return !a.Local() || (a.ExpiresAt != nil && a.DeactivatedAt.Equal(*a.ExpiresAt))
}

// guestDue reports whether a is a guest whose end has come at now.
func guestDue(a *model.Account, now time.Time) bool {
	return a.IsGuest() && a.ExpiresAt != nil && !a.ExpiresAt.After(now)
}

// ExpireDue ends the access of every guest, local or cached remote, whose end has come
// and whose access is not ended yet, and returns how many it ended. The node runs it
// every minute; tests call it after moving the clock.
func (g *Guests) ExpireDue(ctx context.Context) (int, error) {
	ended := 0
	for {
		due, err := g.Store.DueGuests(ctx, g.now(), expireBatch)
		if err != nil {
			return ended, err
		}
		var failed error
		for _, a := range due {
			err := g.Store.InTx(ctx, func(tx *storage.Store) error {
				acct, err := tx.Account(ctx, a.ID)
				if err != nil {
					return err
				}
				if acct.DeactivatedAt != nil || !guestDue(acct, g.now()) {
					return nil // extended or ended in the meantime
				}
				return g.endGuestAccess(ctx, tx, acct)
			})
			if err != nil && !errors.Is(err, ErrNotFound) {
				g.Log.ErrorContext(ctx, "end guest access", "account", a.Handle(), "err", err)
				failed = err
				continue
			}
			ended++
		}
		// A guest that failed would come back in the next batch: stop and retry it at the
		// next sweep instead.
		if failed != nil || len(due) < expireBatch {
			return ended, failed
		}
	}
}

// endGuestAccess is everything that follows when a guest's access is taken away, inside
// the transaction tx of that change. Every path that ends a guest's access (expiry,
// revocation, another node's word) goes through here, so what an ended guest loses is
// decided in one place.
func (c *core) endGuestAccess(ctx context.Context, tx *storage.Store, acct *model.Account) error {
	if acct.Local() {
		return c.endLocalGuest(ctx, tx, acct)
	}
	return c.endRemoteGuest(ctx, tx, acct)
}

// markEnded records the end: ExpiresAt moves to now unless it has passed already, and
// DeactivatedAt takes its value unless the account was deactivated before.
func (c *core) markEnded(ctx context.Context, tx *storage.Store, acct *model.Account) error {
	now := c.now()
	if acct.ExpiresAt == nil || acct.ExpiresAt.After(now) {
		if err := tx.SetAccountExpiry(ctx, acct.ID, &now, now); err != nil {
			return err
		}
		acct.ExpiresAt = &now
	}
	acct.UpdatedAt = now
	if acct.DeactivatedAt != nil {
		return nil
	}
	at := *acct.ExpiresAt
	if err := tx.SetDeactivated(ctx, acct.ID, &at, now); err != nil {
		return err
	}
	acct.DeactivatedAt = &at
	return nil
}

// endLocalGuest ends a local guest: its sessions end and its API tokens are revoked at
// once, instead of at their next use; other nodes are told with the Update of its
// Person (before its memberships go, so that the nodes of its groups are among them);
// it leaves every group (a remote group is sent the Undo of its join, or the decline of
// its invitation); and its follows end both ways, remote sides told.
func (c *core) endLocalGuest(ctx context.Context, tx *storage.Store, acct *model.Account) error {
	now := c.now()
	if err := tx.EndSessions(ctx, acct.ID); err != nil {
		return err
	}
	if err := tx.RevokeTokens(ctx, acct.ID, now); err != nil {
		return err
	}
	if err := c.markEnded(ctx, tx, acct); err != nil {
		return err
	}
	if err := c.Outbox.Enqueue(ctx, tx, Activity{Kind: ActivityUpdateProfile, Actor: acct}); err != nil {
		return err
	}
	left, err := c.leaveGroups(ctx, tx, acct, func(grp *model.Group, m *model.Membership) error {
		if grp.Local() || m.FollowURI == "" {
			return nil // a local group's other members, wherever they live, keep everything
		}
		kind := ActivityLeaveGroup
		if m.State == model.MemberInvited {
			kind = ActivityDeclineGroupInvite
		}
		return c.Outbox.Enqueue(ctx, tx, Activity{Kind: kind, Actor: acct, Group: grp, Membership: m})
	})
	if err != nil {
		return err
	}
	follows, err := c.dropFollows(ctx, tx, acct, func(f *model.Follow, other *model.Account) error {
		if other.Local() {
			return nil
		}
		if f.FollowerID == acct.ID {
			return c.Outbox.Enqueue(ctx, tx, Activity{Kind: ActivityUndoFollow, Actor: acct, Follow: f, Object: other})
		}
		return c.Outbox.Enqueue(ctx, tx, Activity{Kind: ActivityReject, Actor: acct, Follow: f, Object: other})
	})
	if err != nil {
		return err
	}
	c.Log.InfoContext(ctx, "guest access ended", "account", acct.Username, "expires", acct.ExpiresAt,
		"groups_left", left, "follows_dropped", follows)
	return nil
}

// endRemoteGuest ends a cached remote guest here: the account is deactivated, it is
// taken out of this node's groups (its node is told with the group's Reject, or the
// Undo of a pending invitation, as when a moderator removes it, so that the group's
// posts stop going there for it) and its follows end both ways.
func (c *core) endRemoteGuest(ctx context.Context, tx *storage.Store, acct *model.Account) error {
	if err := c.markEnded(ctx, tx, acct); err != nil {
		return err
	}
	groups := &Groups{core: c}
	left, err := c.leaveGroups(ctx, tx, acct, func(grp *model.Group, m *model.Membership) error {
		if !grp.Local() {
			return nil
		}
		return groups.tellRemoved(ctx, tx, grp, acct, m)
	})
	if err != nil {
		return err
	}
	follows, err := c.dropFollows(ctx, tx, acct, nil)
	if err != nil {
		return err
	}
	c.Log.InfoContext(ctx, "remote guest access ended", "account", acct.Handle(), "expires", acct.ExpiresAt,
		"groups_left", left, "follows_dropped", follows)
	return nil
}

// leaveGroups deletes acct's memberships, requests and invitations, calling tell first
// for each with its group; bans stay. A local group it was the last owner of gets a new
// owner (succeedOwner). It returns how many it deleted.
func (c *core) leaveGroups(ctx context.Context, tx *storage.Store, acct *model.Account, tell func(*model.Group, *model.Membership) error) (int, error) {
	list, err := tx.AccountMemberships(ctx, acct.ID)
	if err != nil || len(list) == 0 {
		return 0, err
	}
	ids := make([]string, len(list))
	for i, m := range list {
		ids[i] = m.GroupID
	}
	groups, err := tx.GroupsByIDs(ctx, ids)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, m := range list {
		if m.State == model.MemberBanned {
			continue
		}
		if grp := groups[m.GroupID]; grp != nil {
			if err := tell(grp, m); err != nil {
				return n, err
			}
		}
		if err := tx.DeleteMembership(ctx, m.GroupID, acct.ID); err != nil {
			return n, err
		}
		if grp := groups[m.GroupID]; grp != nil {
			if err := c.succeedOwner(ctx, tx, grp, acct, m); err != nil {
				return n, err
			}
		}
		n++
	}
	return n, nil
}

// dropFollows deletes every follow of and by acct, calling tell (if not nil) first for
// each with the other account. It returns how many it deleted.
func (c *core) dropFollows(ctx context.Context, tx *storage.Store, acct *model.Account, tell func(*model.Follow, *model.Account) error) (int, error) {
	list, err := tx.FollowsInvolving(ctx, acct.ID)
	if err != nil || len(list) == 0 {
		return 0, err
	}
	if tell != nil {
		ids := make([]string, 0, len(list))
		for _, f := range list {
			ids = append(ids, f.FollowerID, f.FolloweeID)
		}
		accts, err := tx.AccountsByIDs(ctx, ids)
		if err != nil {
			return 0, err
		}
		for _, f := range list {
			other := accts[f.FolloweeID]
			if f.FolloweeID == acct.ID {
				other = accts[f.FollowerID]
			}
			if other == nil {
				continue
			}
			if err := tell(f, other); err != nil {
				return 0, err
			}
		}
	}
	return len(list), tx.DeleteFollowsOf(ctx, acct.ID)
}

// reopenRemoteGuest reactivates a cached remote account whose guest access had ended
// when its node's word (a fetch or an Update of the actor) says it goes on: it is no
// guest any more, or its end moved into the future. Memberships and follows it lost
// stay lost; its groups invite it again.
func (c *core) reopenRemoteGuest(ctx context.Context, tx *storage.Store, acct *model.Account) error {
	now := c.now()
	if err := tx.SetDeactivated(ctx, acct.ID, nil, now); err != nil {
		return err
	}
	acct.DeactivatedAt, acct.UpdatedAt = nil, now
	c.Log.InfoContext(ctx, "remote guest access restored", "account", acct.Handle(), "expires", acct.ExpiresAt)
	return nil
}

// syncRemoteGuest applies what a remote account's fresh actor document says of its
// guest access: a guest whose end has come is ended here at once, an ended account
// whose access goes on is reactivated.
func (c *core) syncRemoteGuest(ctx context.Context, tx *storage.Store, acct *model.Account) error {
	now := c.now()
	switch {
	case acct.DeactivatedAt == nil && guestDue(acct, now):
		return c.endGuestAccess(ctx, tx, acct)
	case acct.DeactivatedAt != nil && !guestDue(acct, now):
		return c.reopenRemoteGuest(ctx, tx, acct)
	}
	return nil
}
