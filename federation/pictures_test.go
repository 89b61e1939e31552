package federation

import (
	"bytes"
	"context"
	"errors"
	"image"
	"image/color"
	"image/png"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/atrium-intranet/atrium/activitypub"
	"github.com/atrium-intranet/atrium/internal/testrig"
	"github.com/atrium-intranet/atrium/model"
	"github.com/atrium-intranet/atrium/social"
	"github.com/atrium-intranet/atrium/storage"
)

// testPNG is a small w×h PNG of one colour.
func testPNG(t *testing.T, w, h int) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			img.SetRGBA(x, y, color.RGBA{R: 20, G: 120, B: 200, A: 255})
		}
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// pictureGet GETs a picture from A as a peer would: asking for an image, signed.
func (w *world) pictureGet(file string, signer *Signer) (int, http.Header, []byte) {
	w.t.Helper()
	req, err := http.NewRequest(http.MethodGet, w.origin+"/avatars/"+file, nil)
	if err != nil {
		w.t.Fatal(err)
	}
	req.Header.Set("Accept", "image/png")
	if signer != nil {
		if err := signer.Sign(req, nil); err != nil {
			w.t.Fatal(err)
		}
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		w.t.Fatal(err)
	}
	defer resp.Body.Close()
	var b bytes.Buffer
	_, _ = b.ReadFrom(resp.Body)
	return resp.StatusCode, resp.Header, b.Bytes()
}

// TestPictureRoute serves a local picture to a signed peer request only when the peer
// may see its owner: active people's avatars as their Person, group pictures as the group
// actor itself, copies of other nodes' pictures to nobody.
func TestPictureRoute(t *testing.T) {
	testrig.EachDB(t, func(t *testing.T, store *storage.Store) {
		w := newWorld(t, store)
		alice, gone := w.member("alice"), w.member("gone")
		for _, a := range []*model.Account{alice, gone} {
			if err := w.svc.Profiles.SetAvatar(w.ctx, a, bytes.NewReader(testPNG(t, 64, 64))); err != nil {
				t.Fatal(err)
			}
		}
		admin := testrig.CreateAccount(t, w.svc, "root", model.RoleAdmin)
		if err := w.svc.Accounts.SetActive(w.ctx, admin, gone.ID, false); err != nil {
			t.Fatal(err)
		}
		bob := testrig.InsertRemoteAccount(t, store, "bob", strings.TrimPrefix(w.b.origin, "http://"))
		group := func(name string, kind model.GroupKind, siteOnly bool) *model.Group {
			g, err := w.svc.Groups.Create(w.ctx, alice, social.GroupInput{Name: name, DisplayName: name, Kind: kind, SiteOnly: siteOnly})
			if err != nil {
				t.Fatal(err)
			}
			for _, kind := range []string{social.GroupAvatar, social.GroupBanner} {
				if err := w.svc.Groups.SetImage(w.ctx, alice, g.ID, kind, bytes.NewReader(testPNG(t, 80, 40))); err != nil {
					t.Fatal(err)
				}
			}
			g, err = store.Group(w.ctx, g.ID)
			if err != nil {
				t.Fatal(err)
			}
			return g
		}
		open, secret, board, canteen := group("open", model.GroupOpen, false), group("secret", model.GroupSecret, false),
			group("board", model.GroupSecret, false), group("canteen", model.GroupOpen, true)
		now := w.clock.Now()
		if err := store.SaveMembership(w.ctx, &model.Membership{GroupID: board.ID, AccountID: bob.ID, Role: model.GroupMember,
			State: model.MemberActive, CreatedAt: now, UpdatedAt: now}); err != nil {
			t.Fatal(err)
		}
		// A copy of another node's picture, kept here: never this node's to give out.
		copied := w.svc.Remote
		pics := func(context.Context, string, int64) ([]byte, error) { return testPNG(t, 30, 30), nil }
		if err := copied.SyncAccountAvatar(w.ctx, bob, w.b.origin+"/avatars/B.png", pics); err != nil {
			t.Fatal(err)
		}
		// carl shares a group with a user of the partner node c; alice does not.
		carl := w.member("carl")
		if err := w.svc.Profiles.SetAvatar(w.ctx, carl, bytes.NewReader(testPNG(t, 64, 64))); err != nil {
			t.Fatal(err)
		}
		cora := testrig.InsertRemoteAccount(t, store, "cora", strings.TrimPrefix(w.c.origin, "http://"))
		shared, err := w.svc.Groups.Create(w.ctx, carl, social.GroupInput{Name: "shared", DisplayName: "Shared", Kind: model.GroupClosed})
		if err != nil {
			t.Fatal(err)
		}
		if err := store.SaveMembership(w.ctx, &model.Membership{GroupID: shared.ID, AccountID: cora.ID, Role: model.GroupMember,
			State: model.MemberActive, CreatedAt: now, UpdatedAt: now}); err != nil {
			t.Fatal(err)
		}
		alice, gone, carl = mustAccount(t, store, alice.ID), mustAccount(t, store, gone.ID), mustAccount(t, store, carl.ID)

		b, c := w.b.signerFor("", w.keys[0], w.clock.Now), w.c.signerFor("", w.keys[4], w.clock.Now)
		d := w.d.signerFor("", w.keys[6], w.clock.Now)
		for _, tc := range []struct {
			name, file string
			s          *Signer
			want       int
		}{
			{"unsigned", alice.AvatarFile, nil, http.StatusUnauthorized},
			{"not a peer", alice.AvatarFile, d, http.StatusForbidden},
			{"a person's avatar to a sibling", alice.AvatarFile, b, http.StatusOK},
			{"a person's avatar to a partner whose users may not see them", alice.AvatarFile, c, http.StatusNotFound},
			{"a person's avatar to a partner whose user shares a group", carl.AvatarFile, c, http.StatusOK},
			{"a deactivated person's avatar", gone.AvatarFile, b, http.StatusNotFound},
			{"an open group's banner to a sibling", open.BannerFile, b, http.StatusOK},
			{"an open group's avatar to a sibling", open.AvatarFile, b, http.StatusOK},
			{"an open group's banner to a partner without members", open.BannerFile, c, http.StatusNotFound},
			{"a secret group's banner to a node without members", secret.BannerFile, b, http.StatusNotFound},
			{"a secret group's banner to a member's node", board.BannerFile, b, http.StatusOK},
			{"a site-only group's avatar", canteen.AvatarFile, b, http.StatusNotFound},
			{"a copy of another node's picture", bob.AvatarFile, b, http.StatusNotFound},
			{"a name the node never made", "alice.png", b, http.StatusNotFound},
			{"an unknown file", "01ARZ3NDEKTSV4RRFFQ69G5FAV.png", b, http.StatusNotFound},
		} {
			code, hd, body := w.pictureGet(tc.file, tc.s)
			if code != tc.want {
				t.Errorf("%s: %d %s, want %d", tc.name, code, body, tc.want)
				continue
			}
			if code != http.StatusOK {
				if bytes.HasPrefix(body, []byte("\x89PNG")) {
					t.Errorf("%s: the refusal carries the picture", tc.name)
				}
				continue
			}
			if hd.Get("Content-Type") != "image/png" || hd.Get("X-Content-Type-Options") != "nosniff" ||
				!strings.HasPrefix(hd.Get("Cache-Control"), "private") {
				t.Errorf("%s: headers %v", tc.name, hd)
			}
			if _, format, err := image.DecodeConfig(bytes.NewReader(body)); err != nil || format != "png" {
				t.Errorf("%s: body is no PNG: %v", tc.name, err)
			}
		}

		// Whatever else lies under a picture's name is not given out.
		path, err := w.svc.Profiles.AvatarPath(alice.AvatarFile)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte("<html><script>alert(1)</script>"), 0o640); err != nil {
			t.Fatal(err)
		}
		if code, _, body := w.pictureGet(alice.AvatarFile, b); code == http.StatusOK || bytes.Contains(body, []byte("script")) {
			t.Errorf("a file that is no PNG: %d %q", code, body)
		}
	})
}

func mustAccount(t *testing.T, store *storage.Store, id string) *model.Account {
	t.Helper()
	a, err := store.Account(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// TestFetchImage fetches pictures signed, from allowed peers only, bounded, and images
// only.
func TestFetchImage(t *testing.T) {
	testrig.EachDB(t, func(t *testing.T, store *storage.Store) {
		ctx := context.Background()
		pic := testPNG(t, 20, 20)
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Header.Get("Signature") == "" {
				http.Error(w, "unsigned", http.StatusUnauthorized)
				return
			}
			switch r.URL.Path {
			case "/avatars/ok.png":
				w.Header().Set("Content-Type", "image/png")
				_, _ = w.Write(pic)
			case "/avatars/page.png":
				w.Header().Set("Content-Type", "text/html")
				_, _ = w.Write([]byte("<html></html>"))
			default:
				http.NotFound(w, r)
			}
		}))
		t.Cleanup(srv.Close)
		hits := 0
		other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hits++ }))
		t.Cleanup(other.Close)
		norm, _ := activitypub.Origin(srv.URL)
		now := time.Now()
		if err := store.SavePeer(ctx, &model.Peer{Origin: norm, Trust: model.TrustSibling, CreatedAt: now, UpdatedAt: now}); err != nil {
			t.Fatal(err)
		}
		signer, err := NewSigner("http://127.0.0.1:1/actor#main-key", distinctKeys(t)[0], nil)
		if err != nil {
			t.Fatal(err)
		}
		f := NewFetcher(store, &http.Client{Timeout: 10 * time.Second}, signer)

		got, err := f.FetchImage(ctx, srv.URL+"/avatars/ok.png", 1<<20)
		if err != nil || !bytes.Equal(got, pic) {
			t.Fatalf("fetch: %d bytes, %v", len(got), err)
		}
		if _, err := f.FetchImage(ctx, srv.URL+"/avatars/ok.png", int64(len(pic)-1)); err == nil {
			t.Error("a picture over the limit was read")
		}
		if _, err := f.FetchImage(ctx, srv.URL+"/avatars/page.png", 1<<20); err == nil {
			t.Error("an HTML page was taken for a picture")
		}
		var se *StatusError
		if _, err := f.FetchImage(ctx, srv.URL+"/avatars/none.png", 1<<20); !errors.As(err, &se) || se.Code != http.StatusNotFound {
			t.Errorf("missing picture: %v", err)
		}
		if _, err := f.FetchImage(ctx, other.URL+"/avatars/ok.png", 1<<20); !errors.Is(err, ErrNotPeer) || hits != 0 {
			t.Errorf("non-peer: %v, %d requests", err, hits)
		}
	})
}

// TestGroupUpdateInbox takes a remote group's Update of itself only when the group's
// key signed it; a missing picture does not fail it.
func TestGroupUpdateInbox(t *testing.T) {
	testrig.EachDB(t, func(t *testing.T, store *storage.Store) {
		w := newWorld(t, store)
		uri := w.b.origin + "/groups/hiking"
		g, err := w.svc.Remote.UpsertGroup(w.ctx, model.Group{Name: "hiking", Domain: strings.TrimPrefix(w.b.origin, "http://"),
			URI: uri, InboxURI: uri + "/inbox", SharedInboxURI: w.b.origin + "/inbox", DisplayName: "Hiking", Kind: model.GroupOpen,
			PublicKeyPEM: publicPEM(t, w.keys[3])})
		if err != nil {
			t.Fatal(err)
		}
		groupSigner, err := NewSigner(activitypub.KeyID(uri), w.keys[3], w.clock.Now)
		if err != nil {
			t.Fatal(err)
		}
		changed := *g
		changed.DisplayName, changed.Kind = "Hiking Club", model.GroupClosed
		changed.DescriptionHTML = `<p>Up <script>alert(1)</script></p>`
		changed.AvatarFile = "01AVATAR.png" // named in the document; B's fake node has no such file
		changed.UpdatedAt = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
		up, err := activitypub.NewUpdateGroup(w.b.origin, &changed)
		if err != nil {
			t.Fatal(err)
		}
		body, err := activitypub.Marshal(w.b.origin, up)
		if err != nil {
			t.Fatal(err)
		}
		if code, resp := w.post("/inbox", body, w.b.signerFor("bob", w.keys[1], w.clock.Now), nil); code != http.StatusUnauthorized {
			t.Errorf("signed by a member: %d %s", code, resp)
		}
		if got, _ := store.Group(w.ctx, g.ID); got.DisplayName != "Hiking" {
			t.Errorf("a refused update changed the group: %+v", got)
		}
		if code, resp := w.post("/inbox", body, groupSigner, nil); code != http.StatusAccepted {
			t.Fatalf("the group's update: %d %s", code, resp)
		}
		got, err := store.Group(w.ctx, g.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.DisplayName != "Hiking Club" || got.Kind != model.GroupClosed || strings.Contains(got.DescriptionHTML, "script") ||
			got.AvatarFile != "" {
			t.Errorf("after the update: %+v", got)
		}
		if files, _ := os.ReadDir(filepath.Join(w.svc.Profiles.DataDir, "avatars")); len(files) != 0 {
			t.Errorf("files after a failed fetch: %d", len(files))
		}
	})
}
