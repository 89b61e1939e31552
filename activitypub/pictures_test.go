package activitypub

import (
	"context"
	"encoding/json"
	"errors"
	"testing"
	"time"
)

const pictureOrigin = "http://127.0.0.1:8080"

func TestGroupPicturesRoundTrip(t *testing.T) {
	g := testGroup(t)
	g.AvatarFile, g.BannerFile = "01AVATAR.png", "01BANNER.png"
	doc, err := GroupToAS(pictureOrigin, g)
	if err != nil {
		t.Fatal(err)
	}
	icon, _ := doc["icon"].(map[string]string)
	if icon["type"] != "Image" || icon["url"] != pictureOrigin+"/avatars/01AVATAR.png" || icon["mediaType"] != "image/png" {
		t.Errorf("icon = %v", doc["icon"])
	}
	b, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	r, err := ParseGroup(b)
	if err != nil {
		t.Fatal(err)
	}
	if r.AvatarURL != pictureOrigin+"/avatars/01AVATAR.png" || r.BannerURL != pictureOrigin+"/avatars/01BANNER.png" {
		t.Errorf("pictures %q %q", r.AvatarURL, r.BannerURL)
	}

	// Without pictures the document names none.
	g.AvatarFile, g.BannerFile = "", ""
	doc, err = GroupToAS(pictureOrigin, g)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := doc["icon"]; ok {
		t.Error("icon without an avatar")
	}
	if _, ok := doc["image"]; ok {
		t.Error("image without a banner")
	}
}

func TestParseGroupPictureForms(t *testing.T) {
	own := pictureOrigin + "/avatars/A.png"
	for _, c := range []struct {
		name string
		icon interface{}
		want string
	}{
		{"image object", map[string]interface{}{"type": "Image", "url": own}, own},
		{"bare url", own, own},
		{"url as link", map[string]interface{}{"type": "Image", "url": map[string]interface{}{"type": "Link", "href": own}}, own},
		{"list, first usable", []interface{}{"ftp://x/y.png", map[string]interface{}{"type": "Image", "url": []interface{}{own}}}, own},
		{"other node", map[string]interface{}{"type": "Image", "url": "http://127.0.0.1:9999/avatars/A.png"}, ""},
		{"other scheme", "ftp://127.0.0.1:8080/avatars/A.png", ""},
		{"not an image", map[string]interface{}{"type": "Video", "url": own}, ""},
		{"number", 42, ""},
		{"too deep", []interface{}{[]interface{}{[]interface{}{[]interface{}{own}}}}, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			doc, err := GroupToAS(pictureOrigin, testGroup(t))
			if err != nil {
				t.Fatal(err)
			}
			doc["icon"], doc["image"] = c.icon, c.icon
			b, err := json.Marshal(doc)
			if err != nil {
				t.Fatal(err)
			}
			r, err := ParseGroup(b)
			if err != nil {
				t.Fatal(err)
			}
			if r.AvatarURL != c.want || r.BannerURL != c.want {
				t.Errorf("pictures %q %q, want %q", r.AvatarURL, r.BannerURL, c.want)
			}
		})
	}
}

func TestUpdateGroupRoundTrip(t *testing.T) {
	g := testGroup(t)
	g.AvatarFile, g.BannerFile = "01AVATAR.png", "01BANNER.png"
	g.UpdatedAt = time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	up, err := NewUpdateGroup(pictureOrigin, g)
	if err != nil {
		t.Fatal(err)
	}
	b, err := Marshal(pictureOrigin, up)
	if err != nil {
		t.Fatal(err)
	}
	act, err := ParseActivity(context.Background(), b)
	if err != nil {
		t.Fatalf("%v\n%s", err, b)
	}
	if act.Type != TypeUpdate || act.ActorURI != g.URI || act.ID != GroupUpdateID(g.URI, g.UpdatedAt) || act.Group == nil {
		t.Fatalf("parsed %+v", act)
	}
	got := act.Group
	if got.Group.URI != g.URI || got.Group.DisplayName != g.DisplayName || got.Group.Kind != g.Kind ||
		got.Group.DescriptionHTML != g.DescriptionHTML || got.Group.PublicKeyPEM != g.PublicKeyPEM ||
		got.Group.SharedInboxURI != g.SharedInboxURI {
		t.Errorf("group %+v", got.Group)
	}
	if got.AvatarURL != pictureOrigin+"/avatars/01AVATAR.png" || got.BannerURL != pictureOrigin+"/avatars/01BANNER.png" {
		t.Errorf("pictures %q %q", got.AvatarURL, got.BannerURL)
	}

	// A group describes itself only: an Update whose Group is another is refused.
	var m map[string]interface{}
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	other := testGroup(t)
	other.Name, other.URI, other.InboxURI = "chess", pictureOrigin+"/groups/chess", pictureOrigin+"/groups/chess/inbox"
	doc, err := GroupToAS(pictureOrigin, other)
	if err != nil {
		t.Fatal(err)
	}
	delete(doc, "@context")
	m["object"] = doc
	b, err = json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ParseActivity(context.Background(), b); !errors.Is(err, ErrInvalid) {
		t.Errorf("Update of another group: %v, want ErrInvalid", err)
	}
}
