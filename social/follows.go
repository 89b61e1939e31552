package social

import (
	"context"

	"github.com/atrium-intranet/atrium/model"
)

// Follows manages who follows whom.
type Follows struct{ *core }

// Follow makes follower follow the account followeeID. Following a local account takes
// effect at once; remote follows wait for the other node's Accept.
func (f *Follows) Follow(ctx context.Context, follower *model.Account, followeeID string) error {
	if follower.ID == followeeID {
		return &ValidationError{Fields: map[string]string{"account": "error.follow.self"}}
	}
	followee, err := f.Store.Account(ctx, followeeID)
	if err != nil {
		return err
	}
	if !followee.Active() {
		return ErrNotFound
	}
	id := f.newID()
	err = f.Store.CreateFollow(ctx, &model.Follow{FollowerID: follower.ID, FolloweeID: followee.ID,
		URI: f.URIs.Follow(follower.Username, id), Accepted: followee.Local(), CreatedAt: f.now()})
	if err == nil {
		f.Log.InfoContext(ctx, "follow", "follower", follower.Username, "followee", followee.Handle())
	}
	return err
}

// Unfollow ends a follow; unfollowing someone not followed changes nothing.
func (f *Follows) Unfollow(ctx context.Context, follower *model.Account, followeeID string) error {
	if _, err := f.Store.Account(ctx, followeeID); err != nil {
		return err
	}
	return f.Store.DeleteFollow(ctx, follower.ID, followeeID)
}
