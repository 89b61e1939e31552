package social

import (
	"context"
	"errors"

	"github.com/atrium-intranet/atrium/model"
	"github.com/atrium-intranet/atrium/storage"
)

// Follows manages who follows whom.
type Follows struct{ *core }

// Follow makes follower follow the account followeeID. Following a local account takes
// effect at once; a remote follow is stored unaccepted and a Follow goes to the other
// node, whose Accept completes it. Following again changes nothing and sends nothing.
// Guests follow nobody and nobody follows a guest (local, remote or a partner's user):
// what guests see is their groups.
func (f *Follows) Follow(ctx context.Context, follower *model.Account, followeeID string) error {
	if follower.ID == followeeID {
		return &ValidationError{Fields: map[string]string{"account": "error.follow.self"}}
	}
	if follower.IsGuest() {
		return ErrForbidden
	}
	followee, err := f.Store.Account(ctx, followeeID)
	if err != nil {
		return err
	}
	if !followee.Active() {
		return ErrNotFound
	}
	if followee.IsGuest() {
		return ErrForbidden
	}
	created := false
	err = f.Store.InTx(ctx, func(tx *storage.Store) error {
		if _, err := tx.FollowBetween(ctx, follower.ID, followee.ID); err == nil {
			return nil
		} else if !errors.Is(err, storage.ErrNotFound) {
			return err
		}
		follow := &model.Follow{FollowerID: follower.ID, FolloweeID: followee.ID,
			URI: f.URIs.Follow(follower.Username, f.newID()), Accepted: followee.Local(), CreatedAt: f.now()}
		if err := tx.CreateFollow(ctx, follow); err != nil {
			return err
		}
		created = true
		if followee.Local() {
			return nil
		}
		return f.Outbox.Enqueue(ctx, tx, Activity{Kind: ActivityFollow, Actor: follower, Follow: follow, Object: followee})
	})
	if err == nil && created {
		f.Log.InfoContext(ctx, "follow", "follower", follower.Username, "followee", followee.Handle())
	}
	return err
}

// Unfollow ends a follow, accepted or pending; unfollowing someone not followed changes
// nothing. Ending a remote follow sends an Undo of the Follow to the other node.
func (f *Follows) Unfollow(ctx context.Context, follower *model.Account, followeeID string) error {
	followee, err := f.Store.Account(ctx, followeeID)
	if err != nil {
		return err
	}
	return f.Store.InTx(ctx, func(tx *storage.Store) error {
		follow, err := tx.FollowBetween(ctx, follower.ID, followee.ID)
		if errors.Is(err, storage.ErrNotFound) {
			return nil
		} else if err != nil {
			return err
		}
		if err := tx.DeleteFollow(ctx, follower.ID, followee.ID); err != nil {
			return err
		}
		if followee.Local() {
			return nil
		}
		return f.Outbox.Enqueue(ctx, tx, Activity{Kind: ActivityUndoFollow, Actor: follower, Follow: follow, Object: followee})
	})
}
