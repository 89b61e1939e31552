package ui

import (
	"bytes"
	"context"
	"image/png"
	"net/http"
	"net/url"
	"os"
	"testing"

	"github.com/atrium-intranet/atrium/internal/testrig"
	"github.com/atrium-intranet/atrium/model"
	"github.com/atrium-intranet/atrium/social"
	"github.com/atrium-intranet/atrium/storage"
)

func TestGroupImageUpload(t *testing.T) {
	testrig.EachDB(t, func(t *testing.T, store *storage.Store) {
		u := newTestUI(t, store, false)
		ann := u.account("ann", model.RoleMember)
		u.account("bob", model.RoleMember)
		g := u.group(ann, "pics", model.GroupOpen, social.GroupInput{})
		c := u.login("ann")
		load := func() *model.Group {
			got, err := store.Group(context.Background(), g.ID)
			if err != nil {
				t.Fatal(err)
			}
			return got
		}

		wantBody(t, c.get("/groups/pics/settings"), `action="/groups/pics/image" enctype="multipart/form-data"`,
			`name="kind" value="avatar"`, `name="kind" value="banner"`)

		rec := c.upload("/groups/pics/image", url.Values{"kind": {"avatar"}}, "image", "a.txt", []byte("not an image"))
		wantStatus(t, rec, http.StatusUnprocessableEntity)
		wantBody(t, rec, "Upload a PNG, JPEG or GIF image.", `id="image-error"`)
		big := append(pngImage(t, 8, 8), bytes.Repeat([]byte{0}, 6<<20)...)
		wantStatus(t, c.upload("/groups/pics/image", url.Values{"kind": {"banner"}}, "image", "big.png", big),
			http.StatusRequestEntityTooLarge)
		wantStatus(t, u.login("bob").upload("/groups/pics/image", url.Values{"kind": {"avatar"}}, "image", "a.png",
			pngImage(t, 40, 30)), http.StatusForbidden)
		if got := load(); got.AvatarFile != "" || got.BannerFile != "" {
			t.Fatalf("refused uploads set %q / %q", got.AvatarFile, got.BannerFile)
		}

		var oldAvatar string
		for i := range 2 {
			wantRedirect(t, c.upload("/groups/pics/image", url.Values{"kind": {"avatar"}}, "image", "a.png", pngImage(t, 40, 30)),
				"/groups/pics/settings?notice=group_image_saved")
			avatar := load().AvatarFile
			if avatar == "" || avatar == oldAvatar {
				t.Fatalf("upload %d: avatar %q after %q", i, avatar, oldAvatar)
			}
			if oldAvatar != "" {
				path, err := u.svc.Profiles.AvatarPath(oldAvatar)
				if err != nil {
					t.Fatal(err)
				}
				if _, err := os.Stat(path); !os.IsNotExist(err) {
					t.Fatalf("old avatar kept: %v", err)
				}
				wantStatus(t, c.get("/avatars/"+oldAvatar), http.StatusNotFound)
			}
			oldAvatar = avatar
		}
		wantRedirect(t, c.upload("/groups/pics/image", url.Values{"kind": {"banner"}}, "image", "b.png", pngImage(t, 400, 100)),
			"/groups/pics/settings?notice=group_image_saved")
		banner := load().BannerFile
		wantBody(t, c.get("/groups/pics/settings?notice=group_image_saved"), "The picture is saved.")
		wantBody(t, u.login("bob").get("/groups/pics"), `src="/avatars/`+banner+`"`, `src="/avatars/`+oldAvatar+`"`)

		img := u.login("bob").get("/avatars/" + banner)
		wantStatus(t, img, http.StatusOK)
		cfg, err := png.DecodeConfig(img.Body)
		if err != nil || cfg.Width != 1200 || cfg.Height != 300 {
			t.Fatalf("banner is not a 1200×300 PNG: %+v, %v", cfg, err)
		}
	})
}
