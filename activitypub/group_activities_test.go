package activitypub_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/atrium-intranet/atrium/activitypub"
	"github.com/atrium-intranet/atrium/model"
	"github.com/go-fed/activity/streams/vocab"
)

// TestGroupActivitiesRoundTrip builds the group activities and parses them back.
func TestGroupActivitiesRoundTrip(t *testing.T) {
	ctx := context.Background()
	const (
		b     = "http://127.0.0.1:8082"
		group = "http://127.0.0.1:8081/groups/hiking"
	)
	bob := &model.Account{Username: "bob", URI: b + "/users/bob"}
	follow := b + "/users/bob/follows/1"
	now := time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)
	post := &model.Post{ID: "P1", URI: b + "/posts/P1", Audience: model.AudienceGroup, HTML: "<p>hi</p>", CreatedAt: now, UpdatedAt: now}
	create, err := activitypub.NewCreate(activitypub.PostActivity{URIs: model.NewURIs(b), Post: post, Author: bob,
		Extras: activitypub.NoteExtras{GroupURI: group}})
	if err != nil {
		t.Fatal(err)
	}
	del, err := activitypub.NewDelete(activitypub.PostActivity{URIs: model.NewURIs(b), Post: post, Author: bob,
		Extras: activitypub.NoteExtras{GroupURI: group}})
	if err != nil {
		t.Fatal(err)
	}
	join, _ := activitypub.NewJoin(follow, bob.URI, group)
	leave, _ := activitypub.NewLeave(follow, bob.URI, group)
	accept, _ := activitypub.NewGroupAccept(group, follow, bob.URI)
	reject, _ := activitypub.NewGroupReject(group, follow, bob.URI)
	annCreate, err := activitypub.NewAnnounce(group, create)
	if err != nil {
		t.Fatal(err)
	}
	annDelete, _ := activitypub.NewAnnounce(group, del)
	cases := []struct {
		name           string
		t              vocab.Type
		typ, actor, id string
		check          func(*activitypub.RemoteActivity) bool
	}{
		{"join", join, "Follow", bob.URI, follow, func(a *activitypub.RemoteActivity) bool { return a.ObjectID == group }},
		{"leave", leave, "Undo", bob.URI, follow + "#undo", func(a *activitypub.RemoteActivity) bool {
			return a.ObjectID == follow && a.Object != nil && a.Object.ObjectID == group
		}},
		{"accept", accept, "Accept", group, activitypub.AcceptID(group, follow), func(a *activitypub.RemoteActivity) bool {
			return a.ObjectID == follow && a.Object != nil && a.Object.ObjectID == group
		}},
		{"reject", reject, "Reject", group, activitypub.RejectID(group, follow), func(a *activitypub.RemoteActivity) bool { return a.ObjectID == follow }},
		{"announce create", annCreate, "Announce", group, "", func(a *activitypub.RemoteActivity) bool {
			o := a.Object
			return o != nil && o.Type == "Create" && o.ActorURI == bob.URI && o.Note != nil && o.Note.GroupURI == group &&
				o.Note.Post.Audience == model.AudienceGroup && o.Note.AuthorURI == bob.URI
		}},
		{"announce delete", annDelete, "Announce", group, "", func(a *activitypub.RemoteActivity) bool {
			return a.Object != nil && a.Object.Type == "Delete" && a.Object.ObjectID == post.URI
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			body, err := activitypub.Marshal(b, c.t)
			if err != nil {
				t.Fatal(err)
			}
			a, err := activitypub.ParseActivity(ctx, body)
			if err != nil {
				t.Fatalf("parse %s: %v", body, err)
			}
			if a.Type != c.typ || a.ActorURI != c.actor || (c.id != "" && a.ID != c.id) || !c.check(a) {
				t.Errorf("parsed %+v from %s", a, body)
			}
		})
	}
}

// TestGroupNoteAudience refuses a note whose audience group is not addressed.
func TestGroupNoteAudience(t *testing.T) {
	body := []byte(`{"@context":"https://www.w3.org/ns/activitystreams","id":"http://127.0.0.1:8082/posts/1#create",
	"type":"Create","actor":"http://127.0.0.1:8082/users/bob","object":{"id":"http://127.0.0.1:8082/posts/1","type":"Note",
	"attributedTo":"http://127.0.0.1:8082/users/bob","content":"x","published":"2026-11-25T09:00:00Z",
	"to":["http://127.0.0.1:8082/company"],"audience":"http://127.0.0.1:8081/groups/hiking"}}`)
	if _, err := activitypub.ParseActivity(context.Background(), body); err == nil {
		t.Error("parsed a note whose audience group is not addressed")
	} else if errors.Is(err, activitypub.ErrPublicAddressing) {
		t.Errorf("unexpected error %v", err)
	}
}
