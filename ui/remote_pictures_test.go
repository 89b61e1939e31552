package ui

import (
	"context"
	"net/http"
	"testing"

	"github.com/atrium-intranet/atrium/internal/testrig"
	"github.com/atrium-intranet/atrium/model"
	"github.com/atrium-intranet/atrium/storage"
)

// TestRemotePictures shows the copies of other nodes' pictures where local ones show:
// a remote group's banner and avatar on its page, a remote person's avatar on her
// profile, all from this node's own /avatars/ and for logged-in users only.
func TestRemotePictures(t *testing.T) {
	testrig.EachDB(t, func(t *testing.T, store *storage.Store) {
		ctx := context.Background()
		u := newTestUI(t, store, false)
		u.account("bob", model.RoleMember)
		fetch := func(_ context.Context, url string, _ int64) ([]byte, error) { return pngImage(t, 40, 20), nil }
		g, err := u.svc.Remote.UpsertGroup(ctx, model.Group{Name: "chess", Domain: "127.0.0.1:8081", DisplayName: "Chess",
			URI: "http://127.0.0.1:8081/groups/chess", InboxURI: "http://127.0.0.1:8081/groups/chess/inbox", Kind: model.GroupOpen})
		if err != nil {
			t.Fatal(err)
		}
		if err := u.svc.Remote.SyncGroupPictures(ctx, g, "http://127.0.0.1:8081/avatars/A.png",
			"http://127.0.0.1:8081/avatars/B.png", fetch); err != nil {
			t.Fatal(err)
		}
		rita := testrig.InsertRemoteAccount(t, store, "rita", "127.0.0.1:8081")
		if err := u.svc.Remote.SyncAccountAvatar(ctx, rita, "http://127.0.0.1:8081/avatars/R.png", fetch); err != nil {
			t.Fatal(err)
		}

		c := u.login("bob")
		wantBody(t, c.get("/groups/chess@127.0.0.1:8081"), `src="/avatars/`+g.BannerFile+`"`, `src="/avatars/`+g.AvatarFile+`"`)
		wantBody(t, c.get("/users/rita@127.0.0.1:8081"), `src="/avatars/`+rita.AvatarFile+`"`)
		wantNoBody(t, c.get("/groups/chess@127.0.0.1:8081"), "127.0.0.1:8081/avatars/")
		for _, file := range []string{g.AvatarFile, g.BannerFile, rita.AvatarFile} {
			rec := c.get("/avatars/" + file)
			wantStatus(t, rec, http.StatusOK)
			if rec.Header().Get("Content-Type") != "image/png" {
				t.Errorf("%s: %s", file, rec.Header().Get("Content-Type"))
			}
			if rec := u.anonymous().get("/avatars/" + file); rec.Code == http.StatusOK {
				t.Errorf("%s served without a session", file)
			}
		}
	})
}
