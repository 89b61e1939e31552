package social_test

import (
	"bytes"
	"errors"
	"image"
	"os"
	"reflect"
	"testing"

	"github.com/atrium-intranet/atrium/model"
	"github.com/atrium-intranet/atrium/social"
)

func TestGroupsSetImage(t *testing.T) {
	cases := []struct {
		kind   string
		bounds image.Rectangle
		file   func(g *model.Group) string
	}{
		{social.GroupAvatar, image.Rect(0, 0, 256, 256), func(g *model.Group) string { return g.AvatarFile }},
		{social.GroupBanner, image.Rect(0, 0, 1200, 300), func(g *model.Group) string { return g.BannerFile }},
	}
	eachEnv(t, func(t *testing.T, e *env) {
		ann, mod := e.member("ann"), e.member("mod")
		g := e.group(ann, "imaging", model.GroupClosed)
		e.joined(g, ann, mod)
		if err := e.svc.Groups.SetRole(e.ctx, ann, g.ID, mod.ID, model.GroupModerator); err != nil {
			t.Fatal(err)
		}
		for _, c := range cases {
			t.Run(c.kind, func(t *testing.T) {
				var previous string
				for _, by := range []*model.Account{ann, mod} {
					if err := e.svc.Groups.SetImage(e.ctx, by, g.ID, c.kind, bytes.NewReader(encodePNG(t, stripes(1500, 600)))); err != nil {
						t.Fatalf("%s: %v", by.Username, err)
					}
					got, err := e.store.Group(e.ctx, g.ID)
					if err != nil {
						t.Fatal(err)
					}
					stored := c.file(got)
					if stored == "" || stored == previous {
						t.Fatalf("stored %q after %q", stored, previous)
					}
					path, err := e.svc.Profiles.AvatarPath(stored)
					if err != nil {
						t.Fatal(err)
					}
					f, err := os.Open(path)
					if err != nil {
						t.Fatal(err)
					}
					img, format, err := image.Decode(f)
					f.Close()
					if err != nil || format != "png" || img.Bounds() != c.bounds {
						t.Fatalf("stored image: %v %s %v", img.Bounds(), format, err)
					}
					if !near(img.At(c.bounds.Dx()/2, c.bounds.Dy()/2), green) {
						t.Fatal("the crop is not centred")
					}
					if previous != "" {
						if _, err := os.Stat(imagePath(t, e, previous)); !os.IsNotExist(err) {
							t.Fatalf("old image %s kept: %v", previous, err)
						}
					}
					previous = stored
				}
			})
		}
	})
}

func imagePath(t *testing.T, e *env, name string) string {
	t.Helper()
	p, err := e.svc.Profiles.AvatarPath(name)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestGroupsSetImageRefuses(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		ann, bob, eve := e.member("ann"), e.member("bob"), e.member("eve")
		g := e.group(ann, "strict", model.GroupOpen)
		hidden := e.group(ann, "hidden", model.GroupSecret)
		e.joined(g, ann, bob)
		valid := encodePNG(t, stripes(30, 10))
		cases := []struct {
			name      string
			by        *model.Account
			group     *model.Group
			kind      string
			data      []byte
			wantErr   error
			wantField map[string]string
		}{
			{"plain member", bob, g, social.GroupAvatar, valid, social.ErrForbidden, nil},
			{"outsider", eve, g, social.GroupBanner, valid, social.ErrForbidden, nil},
			{"secret group outsider", eve, hidden, social.GroupAvatar, valid, social.ErrNotFound, nil},
			{"not an image", ann, g, social.GroupAvatar, []byte("<svg onload=alert(1)>"), nil, fields("image", "error.avatar.invalid")},
			{"too large", ann, g, social.GroupBanner, make([]byte, 6<<20), nil, fields("image", "error.avatar.too_large")},
			{"unknown kind", ann, g, "icon", valid, nil, fields("image", "error.avatar.invalid")},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				err := e.svc.Groups.SetImage(e.ctx, c.by, c.group.ID, c.kind, bytes.NewReader(c.data))
				if c.wantErr != nil {
					if !errors.Is(err, c.wantErr) {
						t.Fatalf("error %v, want %v", err, c.wantErr)
					}
					return
				}
				ve, ok := social.AsValidation(err)
				if !ok || !reflect.DeepEqual(ve.Fields, c.wantField) {
					t.Fatalf("error %v, want fields %v", err, c.wantField)
				}
			})
		}
		if files := avatarFiles(t, e.deps.DataDir); len(files) != 0 {
			t.Fatalf("refused uploads left files %v", files)
		}
	})
}
