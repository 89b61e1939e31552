package storage

import (
	"context"

	"github.com/atrium-intranet/atrium/model"
)

// LocalAccountByAvatar returns the local account whose avatar is the stored file name.
// Copies of other nodes' pictures are never found: they are not this node's to serve.
func (s *Store) LocalAccountByAvatar(ctx context.Context, file string) (*model.Account, error) {
	a := new(model.Account)
	err := s.db.NewSelect().Model(a).Where("account.avatar_file = ? AND account.avatar_file <> ''", file).
		Where("account.domain = ''").Limit(1).Scan(ctx)
	if err != nil {
		return nil, notFound(err, "account with avatar "+file)
	}
	return a, nil
}

// LocalGroupByPicture returns the local group whose avatar or banner is the stored file
// name. Copies of other nodes' pictures are never found.
func (s *Store) LocalGroupByPicture(ctx context.Context, file string) (*model.Group, error) {
	g := new(model.Group)
	err := s.db.NewSelect().Model(g).
		Where("(grp.avatar_file = ? AND grp.avatar_file <> '') OR (grp.banner_file = ? AND grp.banner_file <> '')", file, file).
		Where("grp.domain = ''").Limit(1).Scan(ctx)
	if err != nil {
		return nil, notFound(err, "group with picture "+file)
	}
	return g, nil
}
