package storage

import (
	"context"

	"github.com/atrium-intranet/atrium/model"
)

// AllowedPeer is Peer through a cache of CacheTTL, for the allowlist check of every
// signed request and fetch. Inside a transaction it reads the database. SavePeer and
// DeletePeer of this Store clear the cache once committed.
func (s *Store) AllowedPeer(ctx context.Context, origin string) (*model.Peer, error) {
	if s.caches == nil || s.afterCommit != nil {
		return s.Peer(ctx, origin)
	}
	return s.caches.peers.lookup(origin, func() (*model.Peer, error) { return s.Peer(ctx, origin) })
}

// invalidatePeers clears the peer cache once the current transaction commits.
func (s *Store) invalidatePeers() {
	if s.caches != nil {
		s.AfterCommit(s.caches.peers.invalidate)
	}
}
