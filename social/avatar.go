package social

import (
	"bytes"
	"context"
	"fmt"
	"image"
	_ "image/gif" // decoders for accepted upload types
	_ "image/jpeg"
	"image/png"
	"io"
	"os"
	"path/filepath"
	"regexp"

	"github.com/atrium-intranet/atrium/model"
	"github.com/atrium-intranet/atrium/storage"
	"golang.org/x/image/draw"
)

// avatarSize is the edge of the square PNG every avatar is re-encoded to.
const avatarSize = 256

// maxAvatarPixels refuses decompression bombs before decoding.
const maxAvatarPixels = 40_000_000

var avatarFilePattern = regexp.MustCompile(`^[0-9A-Z]{26}\.png$`)

// SetAvatar reads an uploaded image (PNG, JPEG or GIF, at most MaxAvatarBytes), crops it
// to a square, re-encodes it as a 256×256 PNG (dropping metadata and any payload) and
// makes it the account's avatar.
func (ps *Profiles) SetAvatar(ctx context.Context, acct *model.Account, r io.Reader) error {
	data, err := ps.imageUpload(r, "avatar", avatarSize, avatarSize)
	if err != nil {
		return err
	}
	name, err := ps.writeImage(data)
	if err != nil {
		return err
	}
	old := acct.AvatarFile
	oldUpdated := acct.UpdatedAt
	acct.AvatarFile, acct.UpdatedAt = name, ps.now()
	err = ps.Store.InTx(ctx, func(tx *storage.Store) error {
		if err := tx.UpdateAccount(ctx, acct, "avatar_file", "updated_at"); err != nil {
			return err
		}
		return ps.profileChanged(ctx, tx, acct)
	})
	if err != nil {
		ps.removeImage(name)
		acct.AvatarFile, acct.UpdatedAt = old, oldUpdated
		return err
	}
	ps.removeImage(old)
	return nil
}

// imageUpload reads an uploaded image (PNG, JPEG or GIF, at most MaxAvatarBytes), crops
// its centre to the w:h ratio and re-encodes it as a w×h PNG, dropping metadata and any
// payload. Problems are reported on the form field named field.
func (c *core) imageUpload(r io.Reader, field string, w, h int) ([]byte, error) {
	invalid := &ValidationError{Fields: map[string]string{field: "error.avatar.invalid"}}
	data, err := io.ReadAll(io.LimitReader(r, c.MaxAvatarBytes+1))
	if err != nil {
		return nil, fmt.Errorf("read image: %w", err)
	}
	if int64(len(data)) > c.MaxAvatarBytes {
		return nil, &ValidationError{Fields: map[string]string{field: "error.avatar.too_large"}}
	}
	cfg, format, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil || cfg.Width <= 0 || cfg.Height <= 0 || cfg.Width*cfg.Height > maxAvatarPixels {
		return nil, invalid
	}
	if format != "png" && format != "jpeg" && format != "gif" {
		return nil, invalid
	}
	src, _, err := image.Decode(bytes.NewReader(data))
	if err != nil {
		return nil, invalid
	}
	b := src.Bounds()
	// The largest centred rectangle of ratio w:h (at least one pixel each way).
	cw, ch := b.Dx(), b.Dx()*h/w
	if ch > b.Dy() {
		cw, ch = b.Dy()*w/h, b.Dy()
	}
	cw, ch = max(cw, 1), max(ch, 1)
	// image.Rect would sort its corners, so build the crop from its origin.
	origin := image.Pt(b.Min.X+(b.Dx()-cw)/2, b.Min.Y+(b.Dy()-ch)/2)
	crop := image.Rectangle{Min: origin, Max: origin.Add(image.Pt(cw, ch))}
	dst := image.NewRGBA(image.Rect(0, 0, w, h))
	draw.CatmullRom.Scale(dst, dst.Bounds(), src, crop, draw.Over, nil)
	var out bytes.Buffer
	if err := png.Encode(&out, dst); err != nil {
		return nil, fmt.Errorf("encode image: %w", err)
	}
	return out.Bytes(), nil
}

// writeImage stores a re-encoded PNG under a new generated name in the avatar directory.
func (c *core) writeImage(data []byte) (string, error) {
	dir := filepath.Join(c.DataDir, "avatars")
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return "", fmt.Errorf("avatar directory: %w", err)
	}
	name := c.newID() + ".png"
	if err := os.WriteFile(filepath.Join(dir, name), data, 0o640); err != nil {
		return "", fmt.Errorf("write image: %w", err)
	}
	return name, nil
}

// removeImage deletes a stored image; names the node did not generate are left alone.
func (c *core) removeImage(name string) {
	if name != "" && avatarFilePattern.MatchString(name) {
		_ = os.Remove(filepath.Join(c.DataDir, "avatars", name))
	}
}

// AvatarPath returns where a stored avatar file lives. Only names the node generated are
// accepted, so a request cannot walk out of the avatar directory.
func (ps *Profiles) AvatarPath(file string) (string, error) {
	if !avatarFilePattern.MatchString(file) {
		return "", fmt.Errorf("avatar %q: %w", file, ErrNotFound)
	}
	return filepath.Join(ps.DataDir, "avatars", file), nil
}
