package activitypub

import (
	"context"
	"encoding/json"
	"errors"
	"testing"

	"github.com/atrium-intranet/atrium/model"
)

const peerB = "http://127.0.0.1:8082"

func TestParseActivity(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		file  string
		check func(t *testing.T, a *RemoteActivity)
	}{
		{"in_create_note.json", func(t *testing.T, a *RemoteActivity) {
			if a.Type != TypeCreate || a.ObjectType != TypeNote || a.Note == nil {
				t.Fatalf("%+v", a)
			}
			n := a.Note
			if n.AuthorURI != peerB+"/users/bob" || n.Post.Audience != model.AudienceCompany ||
				n.InReplyToURI != origin+"/posts/01PARENT" || len(n.Mentions) != 1 || len(n.Hashtags) != 1 {
				t.Errorf("note %+v", n)
			}
		}},
		{"in_follow.json", func(t *testing.T, a *RemoteActivity) {
			if a.Type != TypeFollow || a.ObjectID != origin+"/users/alice" || a.ObjectType != "" {
				t.Errorf("%+v", a)
			}
		}},
		{"in_accept_follow.json", func(t *testing.T, a *RemoteActivity) {
			if a.Type != TypeAccept || a.ObjectID != origin+"/users/alice/follows/01F" || a.Object == nil || a.Object.Type != TypeFollow {
				t.Errorf("%+v", a)
			}
		}},
		{"in_undo_like.json", func(t *testing.T, a *RemoteActivity) {
			if a.Type != TypeUndo || a.Object == nil || a.Object.Type != TypeLike || a.Object.ObjectID != origin+"/posts/01P" {
				t.Errorf("%+v", a)
			}
		}},
		{"in_emoji_react.json", func(t *testing.T, a *RemoteActivity) {
			if a.Type != TypeEmojiReact || a.Content != "🎉" || a.ObjectID != origin+"/posts/01P" {
				t.Errorf("%+v", a)
			}
		}},
		{"in_delete_tombstone.json", func(t *testing.T, a *RemoteActivity) {
			if a.Type != TypeDelete || a.ObjectID != peerB+"/posts/01NOTE" || a.ObjectType != TypeTombstone {
				t.Errorf("%+v", a)
			}
		}},
		{"in_update_person.json", func(t *testing.T, a *RemoteActivity) {
			if a.Type != TypeUpdate || a.Person == nil || a.Person.Account.URI != peerB+"/users/bob" ||
				a.Person.Account.Username != "bob" || a.Person.Account.Domain != "127.0.0.1:8082" {
				t.Errorf("%+v", a)
			}
		}},
	} {
		t.Run(tc.file, func(t *testing.T) {
			a, err := ParseActivity(ctx, readTestdata(t, tc.file))
			if err != nil {
				t.Fatal(err)
			}
			if a.ActorURI != peerB+"/users/bob" {
				t.Errorf("actor %q", a.ActorURI)
			}
			tc.check(t, a)
		})
	}
}

func TestParseActivityRejects(t *testing.T) {
	ctx := context.Background()
	type doc = map[string]interface{}
	for _, tc := range []struct {
		name string
		doc  []byte
		want error
	}{
		{"not json", []byte("{"), ErrInvalid},
		{"array", []byte("[]"), ErrInvalid},
		{"trailing", append(readTestdata(t, "in_follow.json"), "{}"...), ErrInvalid},
		{"too large", make([]byte, MaxDocumentBytes+1), ErrInvalid},
		{"no id", mutated(t, "in_follow.json", func(m doc) { delete(m, "id") }), ErrInvalid},
		{"relative id", mutated(t, "in_follow.json", func(m doc) { m["id"] = "/follows/1" }), ErrInvalid},
		{"no actor", mutated(t, "in_follow.json", func(m doc) { delete(m, "actor") }), ErrInvalid},
		{"actor not http", mutated(t, "in_follow.json", func(m doc) { m["actor"] = "ftp://127.0.0.1:8082/users/bob" }), ErrInvalid},
		{"actor on other node", mutated(t, "in_follow.json", func(m doc) { m["actor"] = "http://127.0.0.1:8083/users/bob" }), ErrOriginMismatch},
		{"type array", mutated(t, "in_follow.json", func(m doc) { m["type"] = []interface{}{"Follow"} }), ErrInvalid},
		{"no object", mutated(t, "in_follow.json", func(m doc) { delete(m, "object") }), ErrInvalid},
		{"object array", mutated(t, "in_follow.json", func(m doc) { m["object"] = []interface{}{"http://a/b"} }), ErrInvalid},
		{"create of other node's note", mutated(t, "in_create_note.json", func(m doc) {
			o := m["object"].(doc)
			o["id"] = origin + "/posts/forged"
		}), ErrOriginMismatch},
		{"note author elsewhere", mutated(t, "in_create_note.json", func(m doc) {
			m["object"].(doc)["attributedTo"] = "http://127.0.0.1:8083/users/eve"
		}), ErrOriginMismatch},
		{"public note", mutated(t, "in_create_note.json", func(m doc) {
			m["object"].(doc)["to"] = ActivityStreamsContext + "#Public"
		}), ErrPublicAddressing},
		{"delete of other node's object", mutated(t, "in_delete_tombstone.json", func(m doc) {
			m["object"] = origin + "/posts/01P"
		}), ErrOriginMismatch},
		{"update of another person", mutated(t, "in_update_person.json", func(m doc) {
			m["actor"] = peerB + "/users/carol"
			m["id"] = peerB + "/users/carol#updates/1"
		}), ErrInvalid},
		{"undo of someone else's like", mutated(t, "in_undo_like.json", func(m doc) {
			o := m["object"].(doc)
			o["actor"] = peerB + "/users/carol"
		}), ErrInvalid},
		{"content not a string", mutated(t, "in_emoji_react.json", func(m doc) { m["content"] = 3 }), ErrInvalid},
		{"deep nesting", mutated(t, "in_undo_like.json", func(m doc) {
			inner := m["object"].(doc)
			inner["type"] = "Undo"
			inner["object"] = doc{"id": peerB + "/x/1", "type": "Undo", "actor": peerB + "/users/bob",
				"object": doc{"id": peerB + "/x/2", "type": "Undo", "actor": peerB + "/users/bob", "object": peerB + "/x/3"}}
		}), ErrInvalid},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a, err := ParseActivity(ctx, tc.doc)
			if !errors.Is(err, tc.want) {
				t.Fatalf("err = %v, want %v (got %+v)", err, tc.want, a)
			}
		})
	}
}

func TestParseActivityUnknownType(t *testing.T) {
	b := mutated(t, "in_follow.json", func(m map[string]interface{}) { m["type"] = "Announce" })
	a, err := ParseActivity(context.Background(), b)
	if err != nil || a.Type != "Announce" {
		t.Fatalf("%+v %v", a, err)
	}
}

func TestParseApplicationKey(t *testing.T) {
	good := func() map[string]interface{} {
		return map[string]interface{}{
			"id": peerB + "/actor", "type": "Application",
			"publicKey": map[string]interface{}{"id": peerB + "/actor#main-key", "owner": peerB + "/actor",
				"publicKeyPem": publicPEM(t, "key2.pem")},
		}
	}
	b := mutated2(t, good(), func(map[string]interface{}) {})
	k, err := ParseApplicationKey(b)
	if err != nil || k.KeyID != peerB+"/actor#main-key" || k.ActorURI != peerB+"/actor" {
		t.Fatalf("%+v %v", k, err)
	}
	for name, fn := range map[string]func(m map[string]interface{}){
		"person": func(m map[string]interface{}) { m["type"] = "Person" },
		"key elsewhere": func(m map[string]interface{}) {
			m["publicKey"].(map[string]interface{})["id"] = "http://127.0.0.1:9/actor#main-key"
		},
		"other owner": func(m map[string]interface{}) {
			m["publicKey"].(map[string]interface{})["owner"] = peerB + "/users/bob"
		},
		"weak key": func(m map[string]interface{}) {
			m["publicKey"].(map[string]interface{})["publicKeyPem"] = pemFile(t, "weak_key.pem")
		},
	} {
		t.Run(name, func(t *testing.T) {
			if _, err := ParseApplicationKey(mutated2(t, good(), fn)); !errors.Is(err, ErrInvalid) {
				t.Errorf("err = %v", err)
			}
		})
	}
}

// mutated2 applies fn to m and encodes it.
func mutated2(t *testing.T, m map[string]interface{}, fn func(m map[string]interface{})) []byte {
	t.Helper()
	fn(m)
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestParseActorFollowers(t *testing.T) {
	ctx := context.Background()
	r, err := ParseActor(ctx, readTestdata(t, "atrium_person.json"))
	if err != nil || r.Account.FollowersURI != origin+"/users/alice/followers" {
		t.Fatalf("%+v %v", r, err)
	}
	b := mutated(t, "atrium_person.json", func(m map[string]interface{}) { m["followers"] = peerB + "/users/alice/followers" })
	if _, err := ParseActor(ctx, b); !errors.Is(err, ErrOriginMismatch) {
		t.Errorf("followers elsewhere: %v", err)
	}
}
