package social

import (
	"bytes"
	"context"
	"fmt"

	"github.com/atrium-intranet/atrium/model"
	"github.com/atrium-intranet/atrium/storage"
)

// Pictures of other nodes' accounts and groups. Nothing in Atrium is public, so a browser
// here cannot load a picture from the node it belongs to: this node fetches it once with
// a signed GET, passes it through the upload pipeline (size and pixel limits, centre crop,
// re-encoded as PNG) and keeps it as a file of its own, served like local avatars. The
// source URL is kept, so a refresh naming the same picture fetches nothing. Fetching
// happens outside any transaction, and a picture that cannot be had is logged and left
// out: it never fails the federation request that named it.

// ImageFetcher fetches the picture at url from its node, reading at most maxBytes.
// Package federation gives its signed fetcher, which asks allowed peers only.
type ImageFetcher func(ctx context.Context, url string, maxBytes int64) ([]byte, error)

// pictureSlot is one picture of a cached remote actor.
type pictureSlot struct {
	// what and owner name it in logs: "avatar" or "banner" of the actor id owner.
	what, owner string
	// source is the URL the stored copy came from; url the one the actor names now.
	source, url string
	// w×h is the size the picture is re-encoded to.
	w, h int
	// save stores file (from url; both "" to clear) in tx and returns the file replaced.
	save func(ctx context.Context, tx *storage.Store, file, url string) (string, error)
}

// SyncAccountAvatar brings the cached remote account's avatar in line with url, the
// icon its actor document names (already checked to be on its node; "" for none). It
// updates acct on success; errors are logged and returned for callers that care.
func (r *Remote) SyncAccountAvatar(ctx context.Context, acct *model.Account, url string, fetch ImageFetcher) error {
	if acct == nil || acct.Local() {
		return nil
	}
	id := acct.ID
	return r.syncPicture(ctx, fetch, pictureSlot{what: "avatar", owner: acct.URI, source: acct.AvatarSourceURL, url: url,
		w: avatarSize, h: avatarSize,
		save: func(ctx context.Context, tx *storage.Store, file, url string) (string, error) {
			cur, err := tx.Account(ctx, id)
			if err != nil {
				return "", err
			}
			if cur.Local() {
				return "", fmt.Errorf("avatar of local account %s: %w", id, ErrForbidden)
			}
			old := cur.AvatarFile
			cur.AvatarFile, cur.AvatarSourceURL = file, url
			if err := tx.UpdateAccount(ctx, cur, "avatar_file", "avatar_source_url"); err != nil {
				return "", err
			}
			acct.AvatarFile, acct.AvatarSourceURL = file, url
			return old, nil
		}})
}

// SyncGroupPictures brings the cached remote group's avatar and banner in line with the
// icon and image its Group actor names ("" for none). It updates grp on success; the
// first error is returned after both were tried.
func (r *Remote) SyncGroupPictures(ctx context.Context, grp *model.Group, avatarURL, bannerURL string, fetch ImageFetcher) error {
	if grp == nil || grp.Local() {
		return nil
	}
	id := grp.ID
	save := func(banner bool) func(context.Context, *storage.Store, string, string) (string, error) {
		return func(ctx context.Context, tx *storage.Store, file, url string) (string, error) {
			cur, err := tx.Group(ctx, id)
			if err != nil {
				return "", err
			}
			if cur.Local() {
				return "", fmt.Errorf("pictures of local group %s: %w", id, ErrForbidden)
			}
			var old string
			if banner {
				old, cur.BannerFile, cur.BannerSourceURL = cur.BannerFile, file, url
				err = tx.UpdateGroup(ctx, cur, "banner_file", "banner_source_url")
			} else {
				old, cur.AvatarFile, cur.AvatarSourceURL = cur.AvatarFile, file, url
				err = tx.UpdateGroup(ctx, cur, "avatar_file", "avatar_source_url")
			}
			if err != nil {
				return "", err
			}
			if banner {
				grp.BannerFile, grp.BannerSourceURL = file, url
			} else {
				grp.AvatarFile, grp.AvatarSourceURL = file, url
			}
			return old, nil
		}
	}
	errAvatar := r.syncPicture(ctx, fetch, pictureSlot{what: "avatar", owner: grp.URI, source: grp.AvatarSourceURL,
		url: avatarURL, w: avatarSize, h: avatarSize, save: save(false)})
	errBanner := r.syncPicture(ctx, fetch, pictureSlot{what: "banner", owner: grp.URI, source: grp.BannerSourceURL,
		url: bannerURL, w: bannerWidth, h: bannerHeight, save: save(true)})
	if errAvatar != nil {
		return errAvatar
	}
	return errBanner
}

// syncPicture fetches, re-encodes and stores the picture of slot when its URL changed,
// or drops the stored copy when the actor names none any more. The previous file is
// removed once the change committed; a file written for a change that failed is too.
func (r *Remote) syncPicture(ctx context.Context, fetch ImageFetcher, s pictureSlot) error {
	if s.url == s.source {
		return nil
	}
	file := ""
	if s.url != "" {
		var err error
		if file, err = r.fetchPicture(ctx, fetch, s); err != nil {
			r.Log.WarnContext(ctx, "remote picture left out", "actor", s.owner, "picture", s.what, "url", s.url, "err", err)
			return err
		}
	}
	var old string
	err := r.Store.InTx(ctx, func(tx *storage.Store) error {
		var err error
		old, err = s.save(ctx, tx, file, s.url)
		return err
	})
	if err != nil {
		r.removeImage(file)
		r.Log.WarnContext(ctx, "remote picture not stored", "actor", s.owner, "picture", s.what, "err", err)
		return err
	}
	r.removeImage(old)
	r.Log.InfoContext(ctx, "remote picture stored", "actor", s.owner, "picture", s.what, "url", s.url, "file", file)
	return nil
}

// fetchPicture fetches the picture of slot and writes its re-encoded copy to a new file.
func (r *Remote) fetchPicture(ctx context.Context, fetch ImageFetcher, s pictureSlot) (string, error) {
	if fetch == nil {
		return "", fmt.Errorf("picture %s: no fetcher", s.url)
	}
	data, err := fetch(ctx, s.url, r.MaxAvatarBytes)
	if err != nil {
		return "", err
	}
	png, err := r.imageUpload(bytes.NewReader(data), "image", s.w, s.h)
	if err != nil {
		return "", fmt.Errorf("picture %s: %w", s.url, err)
	}
	return r.writeImage(png)
}
