package social_test

import (
	"context"
	"errors"
	"image"
	"os"
	"sort"
	"strings"
	"testing"

	"github.com/atrium-intranet/atrium/model"
	"github.com/atrium-intranet/atrium/social"
)

// fakePictures stands for the signed fetcher: it serves fixed bytes per URL and counts
// the fetches.
type fakePictures struct {
	data    map[string][]byte
	fetches []string
}

func (f *fakePictures) fetch(_ context.Context, url string, maxBytes int64) ([]byte, error) {
	f.fetches = append(f.fetches, url)
	b, ok := f.data[url]
	if !ok {
		return nil, errors.New("status 404")
	}
	if int64(len(b)) > maxBytes {
		return nil, errors.New("too large")
	}
	return b, nil
}

// take returns the URLs fetched since the last call.
func (f *fakePictures) take() []string {
	out := f.fetches
	f.fetches = nil
	return out
}

// pictureBounds decodes a stored picture file and returns its size.
func (e *env) pictureBounds(file string) image.Rectangle {
	e.t.Helper()
	path, err := e.svc.Profiles.AvatarPath(file)
	if err != nil {
		e.t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		e.t.Fatal(err)
	}
	defer f.Close()
	img, format, err := image.Decode(f)
	if err != nil || format != "png" {
		e.t.Fatalf("stored picture %s: %s %v", file, format, err)
	}
	return img.Bounds()
}

func TestSyncAccountAvatar(t *testing.T) {
	const base = "http://127.0.0.1:8081/avatars/"
	eachEnv(t, func(t *testing.T, e *env) {
		pics := &fakePictures{data: map[string][]byte{
			base + "one.png":  encodePNG(t, stripes(600, 300)),
			base + "two.png":  encodeJPEG(t, stripes(300, 300)),
			base + "junk.png": []byte("<svg onload=alert(1)>"),
		}}
		rita := e.insertRemote("rita")
		reload := func() *model.Account {
			a, err := e.store.Account(e.ctx, rita.ID)
			if err != nil {
				t.Fatal(err)
			}
			return a
		}

		if err := e.svc.Remote.SyncAccountAvatar(e.ctx, rita, base+"one.png", pics.fetch); err != nil {
			t.Fatal(err)
		}
		got := reload()
		if got.AvatarFile == "" || got.AvatarSourceURL != base+"one.png" || rita.AvatarFile != got.AvatarFile {
			t.Fatalf("after the first sync: %q from %q (in memory %q)", got.AvatarFile, got.AvatarSourceURL, rita.AvatarFile)
		}
		if b := e.pictureBounds(got.AvatarFile); b != image.Rect(0, 0, 256, 256) {
			t.Errorf("stored avatar is %v", b)
		}
		first := got.AvatarFile

		// The same URL again fetches nothing.
		pics.take()
		if err := e.svc.Remote.SyncAccountAvatar(e.ctx, got, base+"one.png", pics.fetch); err != nil || len(pics.take()) != 0 {
			t.Fatalf("same URL: %v", err)
		}

		// A new URL replaces the file, and the old one goes.
		if err := e.svc.Remote.SyncAccountAvatar(e.ctx, got, base+"two.png", pics.fetch); err != nil {
			t.Fatal(err)
		}
		got = reload()
		if got.AvatarFile == first || got.AvatarSourceURL != base+"two.png" {
			t.Fatalf("after the second sync: %q from %q", got.AvatarFile, got.AvatarSourceURL)
		}
		if files := avatarFiles(t, e.deps.DataDir); len(files) != 1 || files[0] != got.AvatarFile {
			t.Errorf("files %v, want only %s", files, got.AvatarFile)
		}

		// What cannot be fetched or decoded changes nothing and leaves no file behind.
		for _, url := range []string{base + "gone.png", base + "junk.png"} {
			if err := e.svc.Remote.SyncAccountAvatar(e.ctx, got, url, pics.fetch); err == nil {
				t.Errorf("%s: no error", url)
			}
			if now := reload(); now.AvatarFile != got.AvatarFile || now.AvatarSourceURL != base+"two.png" {
				t.Errorf("%s changed the avatar to %q from %q", url, now.AvatarFile, now.AvatarSourceURL)
			}
			if files := avatarFiles(t, e.deps.DataDir); len(files) != 1 {
				t.Errorf("%s: files %v", url, files)
			}
		}
		got = reload()

		// An actor that names no icon any more loses its picture.
		if err := e.svc.Remote.SyncAccountAvatar(e.ctx, got, "", pics.fetch); err != nil {
			t.Fatal(err)
		}
		if now := reload(); now.AvatarFile != "" || now.AvatarSourceURL != "" {
			t.Errorf("after clearing: %q from %q", now.AvatarFile, now.AvatarSourceURL)
		}
		if files := avatarFiles(t, e.deps.DataDir); len(files) != 0 {
			t.Errorf("files left: %v", files)
		}

		// Local accounts are this node's own business.
		mia := e.member("mia")
		pics.take()
		if err := e.svc.Remote.SyncAccountAvatar(e.ctx, mia, base+"one.png", pics.fetch); err != nil || len(pics.take()) != 0 {
			t.Errorf("local account: %v", err)
		}
		if e.reload(mia).AvatarFile != "" {
			t.Error("a local account got a remote picture")
		}
	})
}

func TestSyncGroupPictures(t *testing.T) {
	const base = "http://127.0.0.1:8081/avatars/"
	eachEnv(t, func(t *testing.T, e *env) {
		pics := &fakePictures{data: map[string][]byte{
			base + "a1.png": encodePNG(t, stripes(300, 300)),
			base + "b1.png": encodePNG(t, stripes(1500, 600)),
			base + "b2.png": encodePNG(t, stripes(2000, 400)),
		}}
		g, err := e.svc.Remote.UpsertGroup(e.ctx, model.Group{Name: "chess", Domain: "127.0.0.1:8081",
			URI: "http://127.0.0.1:8081/groups/chess", InboxURI: "http://127.0.0.1:8081/groups/chess/inbox", Kind: model.GroupOpen})
		if err != nil {
			t.Fatal(err)
		}
		reload := func() *model.Group {
			got, err := e.store.Group(e.ctx, g.ID)
			if err != nil {
				t.Fatal(err)
			}
			return got
		}
		if err := e.svc.Remote.SyncGroupPictures(e.ctx, g, base+"a1.png", base+"b1.png", pics.fetch); err != nil {
			t.Fatal(err)
		}
		got := reload()
		if got.AvatarSourceURL != base+"a1.png" || got.BannerSourceURL != base+"b1.png" || got.AvatarFile == "" || got.BannerFile == "" {
			t.Fatalf("stored %+v", got)
		}
		if b := e.pictureBounds(got.AvatarFile); b != image.Rect(0, 0, 256, 256) {
			t.Errorf("avatar is %v", b)
		}
		if b := e.pictureBounds(got.BannerFile); b != image.Rect(0, 0, 1200, 300) {
			t.Errorf("banner is %v", b)
		}
		if g.AvatarFile != got.AvatarFile || g.BannerFile != got.BannerFile {
			t.Error("the group in memory was not updated")
		}

		// A refresh fetches only what changed; the old banner file goes.
		pics.take()
		if err := e.svc.Remote.SyncGroupPictures(e.ctx, got, base+"a1.png", base+"b2.png", pics.fetch); err != nil {
			t.Fatal(err)
		}
		if f := pics.take(); len(f) != 1 || f[0] != base+"b2.png" {
			t.Errorf("fetched %v, want the new banner only", f)
		}
		now := reload()
		want := []string{now.AvatarFile, now.BannerFile}
		sort.Strings(want)
		if files := avatarFiles(t, e.deps.DataDir); strings.Join(files, " ") != strings.Join(want, " ") {
			t.Errorf("files %v, want %v", files, want)
		}

		// A failed avatar does not keep the banner from clearing.
		if err := e.svc.Remote.SyncGroupPictures(e.ctx, now, base+"gone.png", "", pics.fetch); err == nil {
			t.Error("a missing avatar was no error")
		}
		if last := reload(); last.AvatarFile != now.AvatarFile || last.BannerFile != "" || last.BannerSourceURL != "" {
			t.Errorf("after a failed avatar and a cleared banner: %+v", last)
		}
	})
}

func TestReceiveGroupActorUpdate(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		g, err := e.svc.Remote.UpsertGroup(e.ctx, model.Group{Name: "chess", Domain: "127.0.0.1:8081", DisplayName: "Chess",
			URI: "http://127.0.0.1:8081/groups/chess", InboxURI: "http://127.0.0.1:8081/groups/chess/inbox", Kind: model.GroupOpen})
		if err != nil {
			t.Fatal(err)
		}
		in := model.Group{Name: "renamed", URI: g.URI, DisplayName: "Chess Club", Kind: model.GroupClosed, PreModeration: true,
			DescriptionHTML: `<p>Moves <script>alert(1)</script><a href="javascript:x()">here</a></p>`}
		got, err := e.svc.Remote.ReceiveGroupActorUpdate(e.ctx, g.URI+"#update-1", g, in)
		if err != nil {
			t.Fatal(err)
		}
		stored, err := e.store.Group(e.ctx, g.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, x := range []*model.Group{got, stored} {
			if x.Name != "chess" || x.DisplayName != "Chess Club" || x.Kind != model.GroupClosed || !x.PreModeration ||
				strings.Contains(x.DescriptionHTML, "script") || strings.Contains(x.DescriptionHTML, "javascript") ||
				!strings.Contains(x.DescriptionHTML, "Moves") {
				t.Errorf("after the update: %+v", x)
			}
		}
		if _, err := e.svc.Remote.ReceiveGroupActorUpdate(e.ctx, g.URI+"#update-1", g, in); !errors.Is(err, social.ErrDuplicate) {
			t.Errorf("replay: %v", err)
		}

		mia := e.member("mia")
		local := e.group(mia, "local", model.GroupOpen)
		for name, c := range map[string]struct {
			grp    *model.Group
			change func(*model.Group)
		}{
			"another group":  {g, func(x *model.Group) { x.URI = "http://127.0.0.1:8081/groups/other" }},
			"site-only":      {g, func(x *model.Group) { x.SiteOnly = true }},
			"a local group":  {local, func(x *model.Group) { x.URI = local.URI }},
			"no group given": {nil, func(*model.Group) {}},
		} {
			bad := in
			c.change(&bad)
			if _, err := e.svc.Remote.ReceiveGroupActorUpdate(e.ctx, g.URI+"#update-"+name, c.grp, bad); !errors.Is(err, social.ErrForbidden) {
				t.Errorf("%s: %v, want ErrForbidden", name, err)
			}
		}
		bad := in
		bad.Kind = "public"
		if _, err := e.svc.Remote.ReceiveGroupActorUpdate(e.ctx, g.URI+"#update-kind", g, bad); err == nil {
			t.Error("an unknown kind was taken")
		}
	})
}

func TestGroupChangesFederate(t *testing.T) {
	eachEnvStore(t, func(t *testing.T, e *env, box *recordingOutbox) {
		ann := e.member("ann")
		g := e.group(ann, "federated", model.GroupOpen)
		box.take()
		if err := e.svc.Groups.Update(e.ctx, ann, g.ID, social.GroupInput{DisplayName: "Federated", Description: "New *text*",
			Kind: model.GroupClosed}); err != nil {
			t.Fatal(err)
		}
		a := one(t, box, social.ActivityGroupUpdate)
		if a.Group == nil || a.Group.ID != g.ID || a.Group.DisplayName != "Federated" || a.Actor != nil || !a.Kind.ByGroup() {
			t.Fatalf("update %+v", a)
		}
		if err := e.svc.Groups.SetImage(e.ctx, ann, g.ID, social.GroupBanner, strings.NewReader(string(encodePNG(t, stripes(1200, 300))))); err != nil {
			t.Fatal(err)
		}
		if a := one(t, box, social.ActivityGroupUpdate); a.Group.BannerFile == "" {
			t.Fatalf("image update without the banner: %+v", a.Group)
		}

		// Site-only groups never leave their node.
		if err := e.svc.Groups.Update(e.ctx, ann, g.ID, social.GroupInput{DisplayName: "Here only", Kind: model.GroupOpen,
			SiteOnly: true}); err != nil {
			t.Fatal(err)
		}
		none(t, box, "an update of a site-only group")
	})
}
