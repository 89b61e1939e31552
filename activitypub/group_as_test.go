package activitypub

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/atrium-intranet/atrium/model"
)

func testGroup(t *testing.T) *model.Group {
	return &model.Group{Name: "hiking", URI: "http://127.0.0.1:8080/groups/hiking",
		InboxURI: "http://127.0.0.1:8080/groups/hiking/inbox", SharedInboxURI: "http://127.0.0.1:8080/inbox",
		DisplayName: "Hiking", Kind: model.GroupClosed, SiteOnly: false, DescriptionHTML: "<p>Up the hills</p>",
		PublicKeyPEM: publicPEM(t, "key1.pem")}
}

func TestGroupRoundTrip(t *testing.T) {
	for _, kind := range []model.GroupKind{model.GroupOpen, model.GroupClosed, model.GroupSecret} {
		t.Run(string(kind), func(t *testing.T) {
			g := testGroup(t)
			g.Kind = kind
			g.PreModeration = kind == model.GroupClosed
			doc, err := GroupToAS("http://127.0.0.1:8080", g)
			if err != nil {
				t.Fatal(err)
			}
			if got := doc["manuallyApprovesFollowers"]; got != (kind != model.GroupOpen) {
				t.Errorf("manuallyApprovesFollowers = %v", got)
			}
			if doc["attributedTo"] != g.URI+"/moderators" || doc["followers"] != g.URI+"/followers" {
				t.Errorf("collections: %v %v", doc["attributedTo"], doc["followers"])
			}
			b, err := json.Marshal(doc)
			if err != nil {
				t.Fatal(err)
			}
			r, err := ParseGroup(b)
			if err != nil {
				t.Fatal(err)
			}
			got := r.Group
			if got.Name != "hiking" || got.Domain != "127.0.0.1:8080" || got.URI != g.URI || got.InboxURI != g.InboxURI ||
				got.SharedInboxURI != g.SharedInboxURI || got.DisplayName != "Hiking" || got.Kind != kind ||
				got.DescriptionHTML != g.DescriptionHTML || got.PublicKeyPEM != g.PublicKeyPEM || got.SiteOnly ||
				got.PreModeration != g.PreModeration {
				t.Errorf("parsed %+v", got)
			}
		})
	}
}

func TestGroupToASRefuses(t *testing.T) {
	for name, change := range map[string]func(*model.Group){
		"no key":               func(g *model.Group) { g.PublicKeyPEM = "" },
		"foreign inbox":        func(g *model.Group) { g.InboxURI = "http://127.0.0.1:9999/inbox" },
		"foreign shared inbox": func(g *model.Group) { g.SharedInboxURI = "http://127.0.0.1:9999/inbox" },
		"bad id":               func(g *model.Group) { g.URI = "ftp://x" },
	} {
		t.Run(name, func(t *testing.T) {
			g := testGroup(t)
			change(g)
			if _, err := GroupToAS("http://127.0.0.1:8080", g); err == nil {
				t.Error("converted")
			}
		})
	}
}

func TestParseGroupRefuses(t *testing.T) {
	good := func(t *testing.T) map[string]interface{} {
		doc, err := GroupToAS("http://127.0.0.1:8080", testGroup(t))
		if err != nil {
			t.Fatal(err)
		}
		return doc
	}
	for _, c := range []struct {
		name   string
		change func(map[string]interface{})
		want   error
	}{
		{"a person", func(d map[string]interface{}) { d["type"] = "Person" }, ErrUnexpectedType},
		{"no name", func(d map[string]interface{}) { delete(d, "preferredUsername") }, ErrInvalid},
		{"fragment id", func(d map[string]interface{}) { d["id"] = "http://127.0.0.1:8080/groups/hiking#x" }, ErrInvalid},
		{"foreign inbox", func(d map[string]interface{}) { d["inbox"] = "http://127.0.0.1:9999/inbox" }, ErrInvalid},
		{"foreign shared inbox", func(d map[string]interface{}) {
			d["endpoints"] = map[string]string{"sharedInbox": "http://127.0.0.1:9999/inbox"}
		}, ErrInvalid},
		{"key of another", func(d map[string]interface{}) {
			d["publicKey"].(map[string]string)["owner"] = "http://127.0.0.1:8080/users/ann"
		}, ErrInvalid},
		{"foreign key id", func(d map[string]interface{}) {
			d["publicKey"].(map[string]string)["id"] = "http://127.0.0.1:9999/actor#main-key"
		}, ErrInvalid},
		{"bad key", func(d map[string]interface{}) { d["publicKey"].(map[string]string)["publicKeyPem"] = "nope" }, ErrInvalid},
		{"bad kind", func(d map[string]interface{}) { d[TermGroupKind] = "public" }, ErrInvalid},
	} {
		t.Run(c.name, func(t *testing.T) {
			d := good(t)
			c.change(d)
			b, _ := json.Marshal(d)
			if _, err := ParseGroup(b); !errors.Is(err, c.want) {
				t.Errorf("err = %v, want %v", err, c.want)
			}
		})
	}
	t.Run("too big", func(t *testing.T) {
		if _, err := ParseGroup([]byte(`{"x":"` + strings.Repeat("a", MaxDocumentBytes) + `"}`)); !errors.Is(err, ErrInvalid) {
			t.Errorf("err = %v", err)
		}
	})
	t.Run("kind from manuallyApprovesFollowers", func(t *testing.T) {
		for _, manual := range []bool{false, true} {
			d := good(t)
			delete(d, TermGroupKind)
			d["manuallyApprovesFollowers"] = manual
			b, _ := json.Marshal(d)
			r, err := ParseGroup(b)
			want := model.GroupOpen
			if manual {
				want = model.GroupClosed
			}
			if err != nil || r.Group.Kind != want {
				t.Errorf("manual %v: %v %v, want %s", manual, r, err, want)
			}
		}
	})
}
