package activitypub_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/atrium-intranet/atrium/activitypub"
	"github.com/go-fed/activity/streams/vocab"
)

// TestGroupInviteRoundTrip builds Invite, Undo{Invite} and Reject{Invite}, parses them
// back with ParseActivity and reads the invitation with InviteOf.
func TestGroupInviteRoundTrip(t *testing.T) {
	ctx := context.Background()
	const (
		a     = "http://127.0.0.1:8081"
		group = a + "/groups/board"
		bob   = "http://127.0.0.1:8082/users/bob"
	)
	in := activitypub.GroupInvite{ID: group + "#invites/01J", GroupURI: group, InviteeURI: bob, InviterURI: a + "/users/alice"}
	invite, err := activitypub.NewGroupInvite(in)
	if err != nil {
		t.Fatal(err)
	}
	undo, err := activitypub.NewUndoGroupInvite(in)
	if err != nil {
		t.Fatal(err)
	}
	decline, err := activitypub.NewDeclineGroupInvite(activitypub.GroupInvite{ID: in.ID, GroupURI: group, InviteeURI: bob})
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name             string
		t                vocab.Type
		typ, actor, id   string
		objectID, target string
		inviter          string
	}{
		{"invite", invite, "Invite", group, in.ID, group, bob, in.InviterURI},
		{"undo", undo, "Undo", group, activitypub.UndoInviteID(in.ID), in.ID, bob, in.InviterURI},
		{"decline", decline, "Reject", bob, activitypub.DeclineInviteID(bob, in.ID), in.ID, bob, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			body, err := activitypub.Marshal(a, c.t)
			if err != nil {
				t.Fatal(err)
			}
			act, err := activitypub.ParseActivity(ctx, body)
			if err != nil {
				t.Fatalf("parse %s: %v", body, err)
			}
			if act.Type != c.typ || act.ActorURI != c.actor || act.ID != c.id || act.ObjectID != c.objectID {
				t.Errorf("parsed %+v from %s", act, body)
			}
			if c.typ != "Invite" && (act.Object == nil || act.Object.Type != "Invite" || act.Object.ActorURI != group) {
				t.Errorf("embedded invite %+v", act.Object)
			}
			got, err := activitypub.InviteOf(body)
			if err != nil {
				t.Fatalf("InviteOf %s: %v", body, err)
			}
			want := activitypub.GroupInvite{ID: in.ID, GroupURI: group, InviteeURI: c.target, InviterURI: c.inviter}
			if *got != want {
				t.Errorf("InviteOf = %+v, want %+v", *got, want)
			}
		})
	}
}

// TestInviteOfRefuses checks that malformed invitations are refused.
func TestInviteOfRefuses(t *testing.T) {
	const ok = `"id":"http://a:1/groups/g#invites/1","actor":"http://a:1/groups/g","object":"http://a:1/groups/g"`
	cases := []struct{ name, body string }{
		{"not json", `{`},
		{"note", `{"type":"Note","id":"http://a:1/n/1"}`},
		{"undo of a follow", `{"type":"Undo","object":{"type":"Follow"}}`},
		{"no target", `{"type":"Invite",` + ok + `}`},
		{"two targets", `{"type":"Invite",` + ok + `,"target":["http://b:2/users/x","http://b:2/users/y"]}`},
		{"into another group", `{"type":"Invite","id":"http://a:1/groups/g#invites/1","actor":"http://a:1/groups/g",` +
			`"object":"http://a:1/groups/h","target":"http://b:2/users/x"}`},
		{"id elsewhere", `{"type":"Invite","id":"http://c:3/invites/1","actor":"http://a:1/groups/g",` +
			`"object":"http://a:1/groups/g","target":"http://b:2/users/x"}`},
		{"inviter elsewhere", `{"type":"Invite",` + ok + `,"target":"http://b:2/users/x","attributedTo":"http://c:3/users/z"}`},
		{"bad target", `{"type":"Invite",` + ok + `,"target":"mailto:x@b"}`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if _, err := activitypub.InviteOf([]byte(c.body)); !errors.Is(err, activitypub.ErrInvalid) {
				t.Errorf("InviteOf(%s) = %v, want ErrInvalid", c.body, err)
			}
		})
	}
	if _, err := activitypub.InviteOf([]byte(`{"type":"Invite",` + ok + `,"target":{"id":"http://b:2/users/x"}}`)); err != nil {
		t.Errorf("target given as an object: %v", err)
	}
	if _, err := activitypub.NewGroupInvite(activitypub.GroupInvite{ID: "http://c:3/x", GroupURI: "http://a:1/groups/g",
		InviteeURI: "http://b:2/users/x"}); err == nil || !strings.Contains(err.Error(), "id") {
		t.Errorf("invite with an id on another node: %v", err)
	}
}
