package cluster_test

import (
	"bytes"
	"context"
	"errors"
	"image"
	"image/color"
	"image/png"
	"io/fs"
	"net/http"
	"os"
	"strings"
	"testing"

	"github.com/atrium-intranet/atrium/internal/cluster"
	"github.com/atrium-intranet/atrium/internal/testrig"
	"github.com/atrium-intranet/atrium/model"
	"github.com/atrium-intranet/atrium/social"
)

// solidPNG is a small w×h PNG of one colour.
func solidPNG(t *testing.T, w, h int, c color.RGBA) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			img.SetRGBA(x, y, c)
		}
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// storedPicture reads the picture file of n and returns its bytes and size; nil when
// the name is empty or the file is gone.
func storedPicture(t *testing.T, n *cluster.Node, file string) ([]byte, image.Rectangle) {
	t.Helper()
	if file == "" {
		return nil, image.Rectangle{}
	}
	path, err := n.Social.Profiles.AvatarPath(file)
	if err != nil {
		t.Fatalf("%s: picture %q: %v", n.Name, file, err)
	}
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, image.Rectangle{}
	} else if err != nil {
		t.Fatal(err)
	}
	cfg, format, err := image.DecodeConfig(bytes.NewReader(b))
	if err != nil || format != "png" {
		t.Fatalf("%s: picture %s is no PNG: %v", n.Name, file, err)
	}
	return b, image.Rect(0, 0, cfg.Width, cfg.Height)
}

// fetchPicture GETs a picture file of to as the node from does: signed by its node
// actor, asking for an image.
func fetchPicture(t *testing.T, from, to *cluster.Node, file string) cluster.Response {
	t.Helper()
	req := to.NewRequest(http.MethodGet, "/avatars/"+file, nil)
	req.Header.Set("Accept", "image/png")
	if err := from.NodeSigner().Sign(req, nil); err != nil {
		t.Fatal(err)
	}
	return to.Do(req)
}

// TestGroupPicturesAcrossNodes: a group's avatar and banner, and a person's avatar, reach
// the nodes that may see them as copies of their own, which their users load from there;
// the group's edits follow through its Update; a node without a member of a secret group
// cannot fetch its pictures.
func TestGroupPicturesAcrossNodes(t *testing.T) {
	blue, orange := color.RGBA{20, 90, 200, 255}, color.RGBA{240, 140, 20, 255}
	for _, dialect := range testrig.Dialects {
		t.Run(dialect, func(t *testing.T) {
			ctx := context.Background()
			nodes := cluster.Start(t, dialect, "Berlin", "Munich", "Vienna")
			berlin, munich, vienna := nodes[0], nodes[1], nodes[2]
			cluster.Connect(nodes...)
			alice, bob := berlin.User("alice"), munich.User("bob")
			vienna.User("carl")
			hiking := newGroup(t, berlin, alice, "hiking", model.GroupOpen, false)
			board := newGroup(t, berlin, alice, "board", model.GroupSecret, false)
			for _, g := range []*model.Group{hiking, board} {
				for kind, size := range map[string][2]int{social.GroupAvatar: {300, 300}, social.GroupBanner: {1600, 400}} {
					if err := berlin.Social.Groups.SetImage(ctx, alice, g.ID, kind, bytes.NewReader(solidPNG(t, size[0], size[1], blue))); err != nil {
						t.Fatalf("%s of %s: %v", kind, g.Name, err)
					}
				}
			}
			home := func(g *model.Group) *model.Group {
				t.Helper()
				got, err := berlin.Store.Group(ctx, g.ID)
				if err != nil {
					t.Fatal(err)
				}
				return got
			}
			hiking, board = home(hiking), home(board)
			secret, err := munich.Social.Auth.Login(ctx, "bob", testrig.Password, "pictures", "127.0.0.1")
			if err != nil {
				t.Fatal(err)
			}

			// Bob finds the group and joins: Munich keeps both pictures as its own files.
			v, err := munich.Social.Groups.Get(ctx, bob, "hiking@"+berlin.Host)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := munich.Social.Groups.Join(ctx, bob, v.Group.ID); err != nil {
				t.Fatal(err)
			}
			cluster.Settle(t, nodes...)
			copyOf := func() *model.Group {
				t.Helper()
				g, err := munich.Store.GroupByURI(ctx, hiking.URI)
				if err != nil {
					t.Fatal(err)
				}
				return g
			}
			g := copyOf()
			if got := membershipState(t, munich, g.ID, bob.ID); got != model.MemberActive {
				t.Fatalf("bob is %q in hiking", got)
			}
			if g.AvatarSourceURL != berlin.URL+"/avatars/"+hiking.AvatarFile || g.BannerSourceURL != berlin.URL+"/avatars/"+hiking.BannerFile {
				t.Errorf("sources %q %q", g.AvatarSourceURL, g.BannerSourceURL)
			}
			avatar, ab := storedPicture(t, munich, g.AvatarFile)
			_, bb := storedPicture(t, munich, g.BannerFile)
			if avatar == nil || ab != image.Rect(0, 0, 256, 256) || bb != image.Rect(0, 0, 1200, 300) {
				t.Fatalf("Munich's copies: avatar %v, banner %v", ab, bb)
			}

			// Munich's users load them from Munich: the group page names Munich's files.
			page := webGet(t, munich, secret, "/groups/hiking@"+berlin.Host)
			if page.Status != http.StatusOK || !strings.Contains(page.Body, "/avatars/"+g.AvatarFile) ||
				!strings.Contains(page.Body, "/avatars/"+g.BannerFile) || strings.Contains(page.Body, berlin.URL+"/avatars/") {
				t.Errorf("group page on Munich: %d, pictures missing or hotlinked", page.Status)
			}
			img := webGet(t, munich, secret, "/avatars/"+g.AvatarFile)
			if img.Status != http.StatusOK || img.Header.Get("Content-Type") != "image/png" || img.Body != string(avatar) {
				t.Errorf("Munich serves the copy: %d %s", img.Status, img.Header.Get("Content-Type"))
			}

			// Alice edits the group: name, description and avatar reach Munich.
			if err := berlin.Social.Groups.Update(ctx, alice, hiking.ID, social.GroupInput{DisplayName: "Hiking Club",
				Description: "Trails *and* peaks", Kind: model.GroupOpen}); err != nil {
				t.Fatal(err)
			}
			if err := berlin.Social.Groups.SetImage(ctx, alice, hiking.ID, social.GroupAvatar, bytes.NewReader(solidPNG(t, 256, 256, orange))); err != nil {
				t.Fatal(err)
			}
			hiking = home(hiking)
			old := g.AvatarFile
			cluster.Eventually(t, "Munich shows the edited group", func() bool {
				g = copyOf()
				return g.DisplayName == "Hiking Club" && strings.Contains(g.DescriptionHTML, "<em>and</em>") &&
					g.AvatarSourceURL == berlin.URL+"/avatars/"+hiking.AvatarFile
			})
			if b, _ := storedPicture(t, munich, g.AvatarFile); b == nil || bytes.Equal(b, avatar) {
				t.Error("Munich keeps the old avatar")
			}
			if b, _ := storedPicture(t, munich, old); b != nil {
				t.Error("the replaced avatar file is still on Munich")
			}
			if b, _ := storedPicture(t, munich, g.BannerFile); b == nil {
				t.Error("the banner went missing with the avatar change")
			}
			page = webGet(t, munich, secret, "/groups/hiking@"+berlin.Host)
			if !strings.Contains(page.Body, "Hiking Club") || !strings.Contains(page.Body, "/avatars/"+g.AvatarFile) {
				t.Error("the group page on Munich does not show the edit")
			}
			cluster.Settle(t, nodes...)
			for _, d := range berlin.DeliveriesTo(vienna) {
				if strings.Contains(d.Payload, hiking.URI+"#update-") {
					t.Error("the group's update went to a node without members")
				}
			}

			// A secret group's pictures: not to nodes without a member, nor unsigned.
			for _, n := range []*cluster.Node{munich, vienna} {
				if r := fetchPicture(t, n, berlin, board.BannerFile); r.Status != http.StatusNotFound {
					t.Errorf("%s fetches the secret group's banner: %d", n.Name, r.Status)
				}
			}
			if r := fetchPicture(t, vienna, berlin, hiking.BannerFile); r.Status != http.StatusOK {
				t.Errorf("a sibling fetches the open group's banner: %d", r.Status)
			}
			req := berlin.NewRequest(http.MethodGet, "/avatars/"+board.BannerFile, nil)
			req.Header.Set("Accept", "image/png")
			if r := berlin.Do(req); r.Status == http.StatusOK {
				t.Error("the banner is served without a session or a signature")
			}

			// A person's avatar follows her profile Update.
			aliceOnMunich := munich.Find(berlin, "alice")
			if aliceOnMunich.AvatarFile != "" {
				t.Fatalf("alice has a picture before she set one: %q", aliceOnMunich.AvatarFile)
			}
			if err := berlin.Social.Profiles.SetAvatar(ctx, alice, bytes.NewReader(solidPNG(t, 120, 120, orange))); err != nil {
				t.Fatal(err)
			}
			cluster.Eventually(t, "Munich keeps alice's avatar", func() bool {
				a, err := munich.Store.AccountByURI(ctx, alice.URI)
				return err == nil && a.AvatarFile != "" && a.AvatarSourceURL == berlin.URL+"/avatars/"+alice.AvatarFile
			})
			a, err := munich.Store.AccountByURI(ctx, alice.URI)
			if err != nil {
				t.Fatal(err)
			}
			if b, size := storedPicture(t, munich, a.AvatarFile); b == nil || size != image.Rect(0, 0, 256, 256) {
				t.Errorf("Munich's copy of alice's avatar: %v", size)
			}
			profile := webGet(t, munich, secret, "/users/alice@"+berlin.Host)
			if !strings.Contains(profile.Body, "/avatars/"+a.AvatarFile) {
				t.Errorf("alice's profile on Munich does not show her avatar: %d", profile.Status)
			}
		})
	}
}
