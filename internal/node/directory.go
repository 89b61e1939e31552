package node

import (
	"context"
	"time"

	"github.com/atrium-intranet/atrium/federation"
	"github.com/atrium-intranet/atrium/social"
)

// directoryFirstDelay is how long after start the sibling directories are first read: a
// restarted node catches up soon, without slowing its start.
const directoryFirstDelay = 30 * time.Second

// directoryRef breaks the construction cycle between the rules (which ask for directory
// reads) and the directory syncer (which stores through the rules).
type directoryRef struct{ d *federation.DirectorySyncer }

var _ social.DirectorySyncer = (*directoryRef)(nil)

func (x *directoryRef) Sync(ctx context.Context) (social.DirectorySyncResult, error) {
	if x.d == nil {
		return social.DirectorySyncResult{}, nil
	}
	return x.d.Sync(ctx)
}

func (x *directoryRef) Kick() {
	if x.d != nil {
		x.d.Kick()
	}
}

// runDirectory reads the sibling directories in the background until ctx ends: soon
// after start and every directory_sync interval (unless it is 0), and when a sibling is
// added or an admin asks.
func (n *Node) runDirectory(ctx context.Context) {
	if n.Directory == nil {
		return
	}
	n.Directory.Run(ctx, n.Config.DirectorySync.Duration, directoryFirstDelay)
}
