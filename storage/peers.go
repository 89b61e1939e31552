package storage

import (
	"context"
	"fmt"
	"time"

	"github.com/atrium-intranet/atrium/model"
)

// Peer returns the allowed peer with the given origin (scheme://host:port).
func (s *Store) Peer(ctx context.Context, origin string) (*model.Peer, error) {
	p := new(model.Peer)
	if err := s.db.NewSelect().Model(p).Where("origin = ?", origin).Scan(ctx); err != nil {
		return nil, notFound(err, "peer")
	}
	return p, nil
}

// Peers lists the allowed peers by origin.
func (s *Store) Peers(ctx context.Context) ([]*model.Peer, error) {
	var list []*model.Peer
	if err := s.db.NewSelect().Model(&list).Order("origin").Scan(ctx); err != nil {
		return nil, fmt.Errorf("list peers: %w", err)
	}
	return list, nil
}

// PeersByTrust lists the allowed peers of one trust level.
func (s *Store) PeersByTrust(ctx context.Context, trust model.Trust) ([]*model.Peer, error) {
	var list []*model.Peer
	if err := s.db.NewSelect().Model(&list).Where("trust = ?", trust).Order("origin").Scan(ctx); err != nil {
		return nil, fmt.Errorf("list peers: %w", err)
	}
	return list, nil
}

// SavePeer adds a peer or changes its trust and name; AllowedPeer sees it once committed.
func (s *Store) SavePeer(ctx context.Context, p *model.Peer) error {
	_, err := s.db.NewInsert().Model(p).
		On("CONFLICT (origin) DO UPDATE").
		Set("trust = EXCLUDED.trust").Set("name = EXCLUDED.name").Set("updated_at = EXCLUDED.updated_at").
		Exec(ctx)
	if err != nil {
		return fmt.Errorf("save peer: %w", err)
	}
	s.invalidatePeers()
	return nil
}

// DeletePeer removes a peer and cancels its pending deliveries, in one transaction;
// AllowedPeer of this Store stops returning it once committed.
func (s *Store) DeletePeer(ctx context.Context, origin string, now time.Time) error {
	return s.InTx(ctx, func(tx *Store) error {
		res, err := tx.db.NewDelete().Model((*model.Peer)(nil)).Where("origin = ?", origin).Exec(ctx)
		if err != nil {
			return fmt.Errorf("delete peer: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("peer %s: %w", origin, ErrNotFound)
		}
		_, err = tx.db.NewUpdate().Model((*model.Delivery)(nil)).
			Set("status = ?", model.DeliveryCancelled).Set("updated_at = ?", now).
			Set("last_error = ?", "peer removed").
			Where("origin = ? AND status = ?", origin, model.DeliveryPending).Exec(ctx)
		if err != nil {
			return fmt.Errorf("cancel deliveries: %w", err)
		}
		tx.invalidatePeers()
		return nil
	})
}
