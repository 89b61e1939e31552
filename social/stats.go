package social

import (
	"context"

	"github.com/atrium-intranet/atrium/storage"
)

// AccountStats are the counts shown next to an account: accepted followers, accounts it
// follows, and posts with comments.
type AccountStats = storage.AccountCounts

// StatsOf counts the accepted followers, the accounts followed, and the posts and
// comments of several accounts at once (one query), keyed by account id; an id of no
// account is missing.
func (a *Accounts) StatsOf(ctx context.Context, ids []string) (map[string]AccountStats, error) {
	return a.Store.CountsOf(ctx, ids)
}
