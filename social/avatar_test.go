package social_test

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"image/png"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/atrium-intranet/atrium/social"
)

var (
	red   = color.RGBA{255, 0, 0, 255}
	green = color.RGBA{0, 255, 0, 255}
	blue  = color.RGBA{0, 0, 255, 255}
)

// stripes is a w×h image in three equal stripes red, green, blue: left to right when
// wide, top to bottom when tall. A centred square crop shows only green.
func stripes(w, h int) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			pos, n := x, w
			if h > w {
				pos, n = y, h
			}
			c := []color.RGBA{red, green, blue}[min(2, pos*3/n)]
			img.SetRGBA(x, y, c)
		}
	}
	return img
}

func encodePNG(t *testing.T, img image.Image) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func encodeJPEG(t *testing.T, img image.Image) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, &jpeg.Options{Quality: 95}); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func encodeGIF(t *testing.T, img image.Image) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := gif.Encode(&b, img, nil); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// pngWithSize rewrites the IHDR of a valid PNG to claim w×h pixels (a decompression bomb
// header), with a correct checksum so only the size gives it away.
func pngWithSize(t *testing.T, w, h uint32) []byte {
	t.Helper()
	b := encodePNG(t, stripes(3, 3))
	// signature (8) | length (4) | "IHDR" (4) | width (4) | height (4) | ... | crc
	binary.BigEndian.PutUint32(b[16:], w)
	binary.BigEndian.PutUint32(b[20:], h)
	binary.BigEndian.PutUint32(b[29:], crc32.ChecksumIEEE(b[12:29]))
	return b
}

// gifWithSize claims a w×h logical screen.
func gifWithSize(t *testing.T, w, h uint16) []byte {
	t.Helper()
	b := encodeGIF(t, stripes(3, 3))
	binary.LittleEndian.PutUint16(b[6:], w)
	binary.LittleEndian.PutUint16(b[8:], h)
	return b
}

func near(c color.Color, want color.RGBA) bool {
	r, g, b, a := c.RGBA()
	d := func(x uint32, y uint8) bool { return int(x>>8)-int(y) < 40 && int(y)-int(x>>8) < 40 }
	return d(r, want.R) && d(g, want.G) && d(b, want.B) && d(a, want.A)
}

func avatarFiles(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(filepath.Join(dir, "avatars"))
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}

func TestProfilesSetAvatar(t *testing.T) {
	cases := []struct {
		name string
		data func(t *testing.T) []byte
	}{
		{"png wide", func(t *testing.T) []byte { return encodePNG(t, stripes(600, 200)) }},
		{"png tall", func(t *testing.T) []byte { return encodePNG(t, stripes(90, 270)) }},
		{"jpeg", func(t *testing.T) []byte { return encodeJPEG(t, stripes(300, 100)) }},
		{"gif", func(t *testing.T) []byte { return encodeGIF(t, stripes(150, 50)) }},
		{"tiny png is scaled up", func(t *testing.T) []byte { return encodePNG(t, stripes(3, 1)) }},
		{"png with offset bounds", func(t *testing.T) []byte {
			return encodePNG(t, stripes(330, 110).SubImage(image.Rect(15, 5, 315, 105)))
		}},
	}
	eachEnv(t, func(t *testing.T, e *env) {
		mia := e.member("mia")
		var previous string
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				if err := e.svc.Profiles.SetAvatar(e.ctx, mia, bytes.NewReader(c.data(t))); err != nil {
					t.Fatal(err)
				}
				stored := e.reload(mia).AvatarFile
				if stored != mia.AvatarFile || !strings.HasSuffix(stored, ".png") || len(stored) != 30 {
					t.Fatalf("avatar file %q (caller sees %q)", stored, mia.AvatarFile)
				}
				path, err := e.svc.Profiles.AvatarPath(stored)
				if err != nil || path != filepath.Join(e.deps.DataDir, "avatars", stored) {
					t.Fatalf("path %q, %v", path, err)
				}
				f, err := os.Open(path)
				if err != nil {
					t.Fatal(err)
				}
				defer f.Close()
				img, format, err := image.Decode(f)
				if err != nil || format != "png" || img.Bounds() != image.Rect(0, 0, 256, 256) {
					t.Fatalf("stored avatar: %v %s %v", img.Bounds(), format, err)
				}
				// The centred square of the stripes is green throughout.
				for _, pt := range []image.Point{{128, 128}, {8, 128}, {247, 128}, {128, 8}, {128, 247}} {
					if c := img.At(pt.X, pt.Y); !near(c, green) {
						t.Fatalf("pixel %v = %v, want green: the crop is not centred", pt, c)
					}
				}
				// The previous avatar is removed; one file remains.
				if files := avatarFiles(t, e.deps.DataDir); len(files) != 1 || files[0] != stored {
					t.Fatalf("avatar files %v, want only %s", files, stored)
				}
				if previous == stored {
					t.Fatal("new avatar reuses the old file name")
				}
				previous = stored
			})
		}
	})
}

func TestProfilesSetAvatarRejects(t *testing.T) {
	const limit = 4096
	valid := func(t *testing.T) []byte { return encodePNG(t, stripes(30, 10)) }
	padded := func(n int) func(t *testing.T) []byte {
		return func(t *testing.T) []byte {
			b := valid(t)
			return append(b, make([]byte, n-len(b))...)
		}
	}
	cases := []struct {
		name string
		data func(t *testing.T) []byte
		want map[string]string
	}{
		{"at the size limit", padded(limit), nil},
		{"one byte over", padded(limit + 1), fields("avatar", "error.avatar.too_large")},
		{"far over", func(t *testing.T) []byte { return make([]byte, 10*limit) }, fields("avatar", "error.avatar.too_large")},
		{"empty", func(t *testing.T) []byte { return nil }, fields("avatar", "error.avatar.invalid")},
		{"text", func(t *testing.T) []byte { return []byte("<svg onload=alert(1)></svg>") }, fields("avatar", "error.avatar.invalid")},
		{"bmp header", func(t *testing.T) []byte { return append([]byte("BM"), make([]byte, 100)...) }, fields("avatar", "error.avatar.invalid")},
		{"truncated png", func(t *testing.T) []byte { return valid(t)[:60] }, fields("avatar", "error.avatar.invalid")},
		{"png bomb header", func(t *testing.T) []byte { return pngWithSize(t, 100_000, 100_000) }, fields("avatar", "error.avatar.invalid")},
		{"png just over the pixel cap", func(t *testing.T) []byte { return pngWithSize(t, 40_000_001, 1) }, fields("avatar", "error.avatar.invalid")},
		{"gif bomb header", func(t *testing.T) []byte { return gifWithSize(t, 65_535, 65_535) }, fields("avatar", "error.avatar.invalid")},
		{"png zero width", func(t *testing.T) []byte { return pngWithSize(t, 0, 10) }, fields("avatar", "error.avatar.invalid")},
	}
	eachEnv(t, func(t *testing.T, e *env) {
		deps := e.deps
		deps.MaxAvatarBytes = limit
		svc := social.New(deps)
		mia := e.member("mia")
		if err := svc.Profiles.SetAvatar(e.ctx, mia, bytes.NewReader(valid(t))); err != nil {
			t.Fatal(err)
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				before := e.reload(mia).AvatarFile
				err := svc.Profiles.SetAvatar(e.ctx, mia, bytes.NewReader(c.data(t)))
				wantFields(t, err, c.want)
				after := e.reload(mia).AvatarFile
				files := avatarFiles(t, deps.DataDir)
				if len(files) != 1 || files[0] != after {
					t.Fatalf("avatar files %v, account has %q", files, after)
				}
				if c.want != nil && (after != before || mia.AvatarFile != before) {
					t.Fatalf("refused upload replaced the avatar: %q -> %q", before, after)
				}
			})
		}
	})
}

func TestProfilesSetAvatarReadsAtMostLimit(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		deps := e.deps
		deps.MaxAvatarBytes = 1000
		svc := social.New(deps)
		mia := e.member("mia")
		r := &countingReader{r: io.LimitReader(zeroReader{}, 1<<30)}
		wantFields(t, svc.Profiles.SetAvatar(e.ctx, mia, r), fields("avatar", "error.avatar.too_large"))
		if r.n != 1001 {
			t.Fatalf("read %d bytes, want 1001", r.n)
		}
	})
}

type zeroReader struct{}

func (zeroReader) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}

type countingReader struct {
	r io.Reader
	n int
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += n
	return n, err
}

func TestProfilesAvatarPath(t *testing.T) {
	svc := social.New(social.Deps{DataDir: "/data"})
	cases := []struct {
		file, want string
	}{
		{"01JDKZ3Q8M5V6X7Y8Z9A0B1C2D.png", "/data/avatars/01JDKZ3Q8M5V6X7Y8Z9A0B1C2D.png"},
		{"", ""},
		{"../01JDKZ3Q8M5V6X7Y8Z9A0B1C2D.png", ""},
		{"../../etc/passwd", ""},
		{"/etc/passwd", ""},
		{"01JDKZ3Q8M5V6X7Y8Z9A0B1C2D.png/..", ""},
		{"..%2f01JDKZ3Q8M5V6X7Y8Z9A0B1C2D.png", ""},
		{"01jdkz3q8m5v6x7y8z9a0b1c2d.png", ""},
		{"01JDKZ3Q8M5V6X7Y8Z9A0B1C2D.PNG", ""},
		{"01JDKZ3Q8M5V6X7Y8Z9A0B1C2D.svg", ""},
		{"01JDKZ3Q8M5V6X7Y8Z9A0B1C2.png", ""},
		{"01JDKZ3Q8M5V6X7Y8Z9A0B1C2D.png\n", ""},
	}
	for _, c := range cases {
		got, err := svc.Profiles.AvatarPath(c.file)
		if c.want == "" {
			if err == nil || got != "" {
				t.Errorf("AvatarPath(%q) = %q, %v; want ErrNotFound", c.file, got, err)
			}
			wantErr(t, err, social.ErrNotFound)
			continue
		}
		if err != nil || got != c.want {
			t.Errorf("AvatarPath(%q) = %q, %v; want %q", c.file, got, err, c.want)
		}
	}
}
