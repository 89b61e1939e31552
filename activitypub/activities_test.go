package activitypub

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"strconv"
	"testing"
	"time"

	"github.com/atrium-intranet/atrium/model"
	"github.com/go-fed/activity/streams/vocab"
)

// Fixtures of outgoing activities: alice on this node (origin), bob on peer B.
func outFixtures(t *testing.T) (u model.URIs, a, bob *model.Account) {
	t.Helper()
	u = model.NewURIs(origin)
	a = alice(t)
	a.Manager = nil
	a.UpdatedAt = time.Date(2030, 5, 6, 9, 0, 0, 0, time.UTC)
	bob = &model.Account{Username: "bob", Domain: "127.0.0.1:8082", URI: peerB + "/users/bob",
		InboxURI: peerB + "/users/bob/inbox", SharedInboxURI: peerB + "/inbox", FollowersURI: peerB + "/users/bob/followers"}
	return u, a, bob
}

func TestOutgoingActivities(t *testing.T) {
	u, a, bob := outFixtures(t)
	comment := func() *model.Post {
		p := post(model.AudienceFollowers)
		p.ID, p.URI = "01CMT", u.Post("01CMT")
		p.Source, p.HTML = "Agreed", "<p>Agreed</p>"
		return p
	}
	edited := func() *model.Post {
		p := post(model.AudienceCompany)
		at := p.CreatedAt.Add(time.Hour)
		p.EditedAt, p.UpdatedAt = &at, at
		return p
	}
	bobPost := &model.Post{ID: "01B", URI: peerB + "/posts/01B", AccountID: "bob", Audience: model.AudienceCompany}
	follow := &model.Follow{URI: a.URI + "/follows/01F"}
	bobFollow := &model.Follow{URI: peerB + "/users/bob/follows/01BF"}
	reactedAt := time.Date(2030, 5, 6, 10, 0, 0, 0, time.UTC)
	like := &model.Reaction{Kind: model.ReactionLike, URI: u.Reaction("01L"), CreatedAt: reactedAt}
	party := &model.Reaction{Kind: "celebrate", URI: u.Reaction("01R"), CreatedAt: reactedAt}
	tags := NoteExtras{
		Mentions: []Tag{{Href: bob.URI, Name: "@bob@127.0.0.1:8082"}},
		Hashtags: []Tag{{Href: origin + "/tags/plant", Name: "#plant"}},
	}

	for _, tc := range []struct {
		file     string
		build    func() (vocab.Type, error)
		id, typ  string
		parsed   string // type ParseActivity must see, with ObjectID parsedObj
		object   string
		innerTyp string
	}{
		{"out_create_note.json", func() (vocab.Type, error) {
			return NewCreate(PostActivity{URIs: u, Post: post(model.AudienceCompany), Author: a, Extras: tags})
		}, u.Post("01HZX") + "#create", TypeCreate, TypeCreate, u.Post("01HZX"), TypeNote},
		{"out_create_comment.json", func() (vocab.Type, error) {
			return NewCreate(PostActivity{URIs: u, Post: comment(), Author: a,
				Extras: NoteExtras{InReplyToURI: bobPost.URI}, ParentAuthorURI: bob.URI})
		}, u.Post("01CMT") + "#create", TypeCreate, TypeCreate, u.Post("01CMT"), TypeNote},
		{"out_update_note.json", func() (vocab.Type, error) {
			return NewUpdate(PostActivity{URIs: u, Post: edited(), Author: a})
		}, UpdateID(u.Post("01HZX"), time.Date(2030, 5, 6, 8, 8, 9, 0, time.UTC)), TypeUpdate, TypeUpdate, u.Post("01HZX"), TypeNote},
		{"out_delete_note.json", func() (vocab.Type, error) {
			return NewDelete(PostActivity{URIs: u, Post: comment(), Author: a, ParentAuthorURI: bob.URI})
		}, u.Post("01CMT") + "#delete", TypeDelete, TypeDelete, u.Post("01CMT"), TypeTombstone},
		{"out_follow.json", func() (vocab.Type, error) {
			return NewFollow(follow, a, bob)
		}, follow.URI, TypeFollow, TypeFollow, bob.URI, ""},
		{"out_undo_follow.json", func() (vocab.Type, error) {
			return NewUndoFollow(follow, a, bob)
		}, follow.URI + "#undo", TypeUndo, TypeUndo, follow.URI, TypeFollow},
		{"out_accept_follow.json", func() (vocab.Type, error) {
			return NewAccept(bobFollow, bob, a)
		}, AcceptID(a.URI, bobFollow.URI), TypeAccept, TypeAccept, bobFollow.URI, TypeFollow},
		{"out_reject_follow.json", func() (vocab.Type, error) {
			return NewReject(bobFollow, bob, a)
		}, RejectID(a.URI, bobFollow.URI), TypeReject, TypeReject, bobFollow.URI, TypeFollow},
		{"out_like.json", func() (vocab.Type, error) {
			return NewReaction(ReactionActivity{URIs: u, Reaction: like, Actor: a, Post: bobPost, PostAuthor: bob})
		}, like.URI, TypeLike, TypeLike, bobPost.URI, ""},
		{"out_emoji_react.json", func() (vocab.Type, error) {
			return NewReaction(ReactionActivity{URIs: u, Reaction: party, Actor: a, Post: bobPost, PostAuthor: bob})
		}, party.URI, TypeEmojiReact, TypeEmojiReact, bobPost.URI, ""},
		{"out_undo_emoji_react.json", func() (vocab.Type, error) {
			return NewUndoReaction(ReactionActivity{URIs: u, Reaction: party, Actor: a, Post: bobPost, PostAuthor: bob})
		}, party.URI + "#undo", TypeUndo, TypeUndo, party.URI, TypeEmojiReact},
		{"out_update_person.json", func() (vocab.Type, error) {
			return NewUpdatePerson(u, a, PersonExtras{IconURL: origin + "/avatars/01AV.png", IconMediaType: "image/png"})
		}, a.URI + "#update-" + strconv.FormatInt(a.UpdatedAt.UnixNano(), 10), TypeUpdate, TypeUpdate, a.URI, TypePerson},
	} {
		t.Run(tc.file, func(t *testing.T) {
			act, err := tc.build()
			if err != nil {
				t.Fatal(err)
			}
			if id, err := ActivityID(act); err != nil || id != tc.id {
				t.Fatalf("id %q, %v; want %q", id, err, tc.id)
			}
			if act.GetTypeName() != tc.typ {
				t.Errorf("type name %q, want %q", act.GetTypeName(), tc.typ)
			}
			b, err := Marshal(origin, act)
			if err != nil {
				t.Fatal(err)
			}
			if bytes.Contains(b, []byte("Public")) {
				t.Errorf("addresses as:Public: %s", b)
			}
			golden(t, tc.file, b)

			// What we send is what our inbox understands.
			r, err := ParseActivity(context.Background(), b)
			if err != nil {
				t.Fatalf("our own activity does not parse: %v\n%s", err, b)
			}
			if r.ID != tc.id || r.Type != tc.parsed || r.ObjectID != tc.object || r.ActorURI == "" {
				t.Errorf("parsed %+v", r)
			}
			inner := r.ObjectType
			if r.Object != nil {
				inner = r.Object.Type
			}
			if inner != tc.innerTyp {
				t.Errorf("embedded type %q, want %q", inner, tc.innerTyp)
			}
		})
	}
}

func TestOutgoingAddressing(t *testing.T) {
	u, a, bob := outFixtures(t)
	own := post(model.AudienceFollowers)
	own.AccountID = "alice"
	like := &model.Reaction{Kind: model.ReactionLike, URI: u.Reaction("01L")}
	for _, tc := range []struct {
		name   string
		build  func() (vocab.Type, error)
		to, cc []string
	}{
		{"company post", func() (vocab.Type, error) {
			return NewCreate(PostActivity{URIs: u, Post: post(model.AudienceCompany), Author: a})
		}, []string{u.Company()}, nil},
		{"followers post", func() (vocab.Type, error) {
			return NewCreate(PostActivity{URIs: u, Post: post(model.AudienceFollowers), Author: a})
		}, []string{a.URI + "/followers"}, nil},
		{"comment on own post copies nobody", func() (vocab.Type, error) {
			return NewCreate(PostActivity{URIs: u, Post: post(model.AudienceCompany), Author: a, ParentAuthorURI: a.URI})
		}, []string{u.Company()}, nil},
		{"comment copies parent author once", func() (vocab.Type, error) {
			return NewCreate(PostActivity{URIs: u, Post: post(model.AudienceCompany), Author: a, ParentAuthorURI: bob.URI,
				Extras: NoteExtras{Mentions: []Tag{{Href: bob.URI, Name: "@bob@127.0.0.1:8082"}}}})
		}, []string{u.Company()}, []string{bob.URI}},
		{"like of a remote followers post", func() (vocab.Type, error) {
			p := &model.Post{URI: peerB + "/posts/01B", Audience: model.AudienceFollowers}
			return NewReaction(ReactionActivity{URIs: u, Reaction: like, Actor: a, Post: p, PostAuthor: bob})
		}, []string{bob.URI}, []string{bob.FollowersURI}},
		{"like of own post", func() (vocab.Type, error) {
			return NewReaction(ReactionActivity{URIs: u, Reaction: like, Actor: a, Post: own, PostAuthor: a})
		}, nil, []string{a.URI + "/followers"}},
		{"follow", func() (vocab.Type, error) {
			return NewFollow(&model.Follow{URI: a.URI + "/follows/01F"}, a, bob)
		}, []string{bob.URI}, nil},
		{"accept", func() (vocab.Type, error) {
			return NewAccept(&model.Follow{URI: bob.URI + "/follows/01BF"}, bob, a)
		}, []string{bob.URI}, nil},
		{"profile", func() (vocab.Type, error) {
			return NewUpdatePerson(u, a, PersonExtras{})
		}, []string{a.URI + "/followers"}, []string{u.Company()}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			act, err := tc.build()
			if err != nil {
				t.Fatal(err)
			}
			b, err := Marshal(origin, act)
			if err != nil {
				t.Fatal(err)
			}
			var m map[string]interface{}
			if err := json.Unmarshal(b, &m); err != nil {
				t.Fatal(err)
			}
			if got := iriList(m["to"]); !equalStrings(got, tc.to) {
				t.Errorf("to = %v, want %v", got, tc.to)
			}
			if got := iriList(m["cc"]); !equalStrings(got, tc.cc) {
				t.Errorf("cc = %v, want %v", got, tc.cc)
			}
		})
	}
}

func TestOutgoingRefusals(t *testing.T) {
	u, a, bob := outFixtures(t)
	site := post(model.AudienceSite)
	like := &model.Reaction{Kind: model.ReactionLike, URI: u.Reaction("01L")}
	for _, tc := range []struct {
		name  string
		build func() (vocab.Type, error)
		want  error
	}{
		{"create site post", func() (vocab.Type, error) {
			return NewCreate(PostActivity{URIs: u, Post: site, Author: a})
		}, ErrNotFederated},
		{"delete site post", func() (vocab.Type, error) {
			return NewDelete(PostActivity{URIs: u, Post: site, Author: a})
		}, ErrNotFederated},
		{"react to site post", func() (vocab.Type, error) {
			return NewReaction(ReactionActivity{URIs: u, Reaction: like, Actor: a, Post: site, PostAuthor: a})
		}, ErrNotFederated},
		{"parent author as:Public", func() (vocab.Type, error) {
			return NewDelete(PostActivity{URIs: u, Post: post(model.AudienceCompany), Author: a, ParentAuthorURI: "as:Public"})
		}, ErrPublicAddressing},
		{"follow id on another node", func() (vocab.Type, error) {
			return NewFollow(&model.Follow{URI: peerB + "/follows/01F"}, a, bob)
		}, ErrInvalidIRI},
		{"unknown reaction", func() (vocab.Type, error) {
			r := &model.Reaction{Kind: "angry", URI: u.Reaction("01X")}
			return NewReaction(ReactionActivity{URIs: u, Reaction: r, Actor: a, Post: post(model.AudienceCompany), PostAuthor: a})
		}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := tc.build()
			if err == nil {
				t.Fatal("built")
			}
			if tc.want != nil && !errors.Is(err, tc.want) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
		})
	}
}

func TestUpdateIDsDifferPerEdit(t *testing.T) {
	u, a, _ := outFixtures(t)
	ids := map[string]bool{}
	for i := 1; i <= 3; i++ {
		p := post(model.AudienceCompany)
		at := p.CreatedAt.Add(time.Duration(i) * time.Microsecond)
		p.EditedAt = &at
		act, err := NewUpdate(PostActivity{URIs: u, Post: p, Author: a})
		if err != nil {
			t.Fatal(err)
		}
		id, _ := ActivityID(act)
		ids[id] = true
	}
	if len(ids) != 3 {
		t.Fatalf("edits share ids: %v", ids)
	}
}

// iriList reads a to/cc value, a single IRI or an array.
func iriList(v interface{}) []string {
	switch x := v.(type) {
	case string:
		return []string{x}
	case []interface{}:
		var out []string
		for _, e := range x {
			if s, ok := e.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}

func equalStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
