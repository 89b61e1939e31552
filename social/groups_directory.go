package social

import (
	"context"
	"time"

	"github.com/atrium-intranet/atrium/model"
)

// directoryRefreshEvery bounds how often the directory asks every sibling node for its
// groups: each ask is one signed request per sibling.
const directoryRefreshEvery = 5 * time.Minute

// RefreshDirectory asks the sibling nodes for their open and closed groups and caches
// them, at most once every few minutes for the whole node. It reports how many groups
// were read, and false when the last refresh was too recent to ask again. Guests never
// see other nodes' groups, so they cannot trigger it.
func (g *Groups) RefreshDirectory(ctx context.Context, viewer *model.Account) (int, bool, error) {
	if viewer.Role == model.RoleGuest || !viewer.Local() || !viewer.Active() {
		return 0, false, ErrForbidden
	}
	g.refreshMu.Lock()
	now := g.Now()
	if !g.refreshedAt.IsZero() && now.Sub(g.refreshedAt) < directoryRefreshEvery {
		g.refreshMu.Unlock()
		return 0, false, nil
	}
	g.refreshedAt = now
	g.refreshMu.Unlock()
	n, err := g.GroupResolver.RefreshGroups(ctx, "")
	if err != nil {
		g.Log.WarnContext(ctx, "group directory refresh incomplete", "err", err)
	}
	return n, true, nil
}
