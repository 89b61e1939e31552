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
	all, err := a.StatsOf(ctx, []string{acct.ID})
	return all[acct.ID], err
}

// StatsOf is Stats of several accounts at once (one query), keyed by account id.
func (a *Accounts) StatsOf(ctx context.Context, ids []string) (map[string]AccountStats, error) {
	counts, err := a.Store.CountsOf(ctx, ids)
	if err != nil {
		return nil, err
	}
	out := make(map[string]AccountStats, len(counts))
	for id, c := range counts {
		out[id] = AccountStats{Followers: c.Followers, Following: c.Following, Posts: c.Posts}
	}
	return out, nil
}
