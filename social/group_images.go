package social

import (
	"context"
	"io"

	"github.com/atrium-intranet/atrium/model"
	"github.com/atrium-intranet/atrium/storage"
)

// Group image kinds accepted by SetImage.
const (
	GroupAvatar = "avatar"
	GroupBanner = "banner"
)

// Banner size: wide, like a page header.
const (
	bannerWidth  = 1200
	bannerHeight = 300
)

// SetImage replaces a local group's avatar (kind "avatar", 256×256) or banner (kind
// "banner", 1200×300) with an uploaded image, processed like an account avatar (size and
// pixel limits, centre crop, re-encoded as PNG). Its owners and moderators may; the
// previous file is removed. Problems are reported on the field "image".
func (g *Groups) SetImage(ctx context.Context, actor *model.Account, groupID, kind string, r io.Reader) error {
	w, h := avatarSize, avatarSize
	switch kind {
	case GroupAvatar:
	case GroupBanner:
		w, h = bannerWidth, bannerHeight
	default:
		return &ValidationError{Fields: map[string]string{"image": "error.avatar.invalid"}}
	}
	// Check the right first, so a non-moderator learns nothing from the image checks.
	grp, m, err := g.visibleGroup(ctx, g.Store, actor, groupID)
	if err != nil {
		return err
	}
	if !moderates(m) || !grp.Local() {
		return ErrForbidden
	}
	data, err := g.imageUpload(r, "image", w, h)
	if err != nil {
		return err
	}
	name, err := g.writeImage(data)
	if err != nil {
		return err
	}
	var old string
	err = g.Store.InTx(ctx, func(tx *storage.Store) error {
		grp, m, err := g.visibleGroup(ctx, tx, actor, groupID)
		if err != nil {
			return err
		}
		if !moderates(m) || !grp.Local() {
			return ErrForbidden
		}
		column := "avatar_file"
		if kind == GroupBanner {
			column = "banner_file"
			old, grp.BannerFile = grp.BannerFile, name
		} else {
			old, grp.AvatarFile = grp.AvatarFile, name
		}
		grp.UpdatedAt = g.now()
		if err := tx.UpdateGroup(ctx, grp, column, "updated_at"); err != nil {
			return err
		}
		return g.groupChanged(ctx, tx, grp)
	})
	if err != nil {
		g.removeImage(name)
		return err
	}
	g.removeImage(old)
	g.Log.InfoContext(ctx, "group image set", "group", groupID, "kind", kind, "by", actor.Username)
	return nil
}
