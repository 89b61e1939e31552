package social

import (
	"context"

	"github.com/atrium-intranet/atrium/model"
)

// AccountStats are the counts shown next to an account.
type AccountStats struct {
	Followers, Following, Posts int
}

// Stats counts an account's accepted followers, the accounts it follows, and its posts
// and comments.
func (a *Accounts) Stats(ctx context.Context, acct *model.Account) (AccountStats, error) {
	var s AccountStats
	var err error
	if s.Followers, s.Following, err = a.Store.FollowCounts(ctx, acct.ID); err != nil {
		return s, err
	}
	if s.Posts, err = a.Store.CountPostsBy(ctx, acct.ID); err != nil {
		return s, err
	}
	return s, nil
}
