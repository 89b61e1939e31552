package storage

import (
	"context"
	"fmt"

	"github.com/atrium-intranet/atrium/model"
	"github.com/uptrace/bun"
)

// GroupsByIDs returns the groups with the given ids, keyed by id; unknown ids are absent.
func (s *Store) GroupsByIDs(ctx context.Context, ids []string) (map[string]*model.Group, error) {
	out := make(map[string]*model.Group, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	var list []*model.Group
	if err := s.db.NewSelect().Model(&list).Where("grp.id IN (?)", bun.In(ids)).Scan(ctx); err != nil {
		return nil, fmt.Errorf("groups by ids: %w", err)
	}
	for _, g := range list {
		out[g.ID] = g
	}
	return out, nil
}
