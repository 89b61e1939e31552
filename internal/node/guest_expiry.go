package node

import (
	"context"
	"time"
)

// guestExpiryInterval is how often the node ends the access of guests whose end has
// come: an expired guest can no longer log in at once (auth checks the end itself);
// the sweep takes its groups, follows and the other nodes' copies away within this time.
const guestExpiryInterval = time.Minute

// runGuestExpiry ends due guests, local and cached remote, every interval until ctx
// ends (social.Guests.ExpireDue).
func (n *Node) runGuestExpiry(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if ended, err := n.Social.Guests.ExpireDue(ctx); err != nil && ctx.Err() == nil {
				n.Log.WarnContext(ctx, "guest expiry sweep failed", "ended", ended, "err", err)
			} else if ended > 0 {
				n.Log.InfoContext(ctx, "guest access ended by the sweep", "count", ended)
			}
		}
	}
}
