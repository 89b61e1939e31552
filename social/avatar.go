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
	invalid := &ValidationError{Fields: map[string]string{"avatar": "error.avatar.invalid"}}
	data, err := io.ReadAll(io.LimitReader(r, ps.MaxAvatarBytes+1))
	if err != nil {
		return fmt.Errorf("read avatar: %w", err)
	}
	if int64(len(data)) > ps.MaxAvatarBytes {
		return &ValidationError{Fields: map[string]string{"avatar": "error.avatar.too_large"}}
	}
	cfg, format, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil || cfg.Width <= 0 || cfg.Height <= 0 || cfg.Width*cfg.Height > maxAvatarPixels {
		return invalid
	}
	if format != "png" && format != "jpeg" && format != "gif" {
		return invalid
	}
	src, _, err := image.Decode(bytes.NewReader(data))
	if err != nil {
		return invalid
	}
	b := src.Bounds()
	side := min(b.Dx(), b.Dy())
	// The centred square: image.Rect would sort its corners, so build it from its origin.
	origin := image.Pt(b.Min.X+(b.Dx()-side)/2, b.Min.Y+(b.Dy()-side)/2)
	crop := image.Rectangle{Min: origin, Max: origin.Add(image.Pt(side, side))}
	dst := image.NewRGBA(image.Rect(0, 0, avatarSize, avatarSize))
	draw.CatmullRom.Scale(dst, dst.Bounds(), src, crop, draw.Over, nil)
	var out bytes.Buffer
	if err := png.Encode(&out, dst); err != nil {
		return fmt.Errorf("encode avatar: %w", err)
	}
	dir := filepath.Join(ps.DataDir, "avatars")
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return fmt.Errorf("avatar directory: %w", err)
	}
	name := ps.newID() + ".png"
	if err := os.WriteFile(filepath.Join(dir, name), out.Bytes(), 0o640); err != nil {
		return fmt.Errorf("write avatar: %w", err)
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
		_ = os.Remove(filepath.Join(dir, name))
		acct.AvatarFile, acct.UpdatedAt = old, oldUpdated
		return err
	}
	if old != "" && avatarFilePattern.MatchString(old) {
		_ = os.Remove(filepath.Join(dir, old))
	}
	return nil
}

// AvatarPath returns where a stored avatar file lives. Only names the node generated are
// accepted, so a request cannot walk out of the avatar directory.
func (ps *Profiles) AvatarPath(file string) (string, error) {
	if !avatarFilePattern.MatchString(file) {
		return "", fmt.Errorf("avatar %q: %w", file, ErrNotFound)
	}
	return filepath.Join(ps.DataDir, "avatars", file), nil
}
