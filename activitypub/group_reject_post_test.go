package activitypub_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/atrium-intranet/atrium/activitypub"
)

// TestGroupRejectPostRoundTrip builds a group's Reject of a member's post and parses it
// back; a join's Reject{Follow} is no rejected post.
func TestGroupRejectPostRoundTrip(t *testing.T) {
	const (
		b     = "http://127.0.0.1:8082"
		group = "http://127.0.0.1:8081/groups/news"
		bob   = b + "/users/bob"
		note  = b + "/posts/P1"
	)
	ctx := context.Background()
	rej, err := activitypub.NewGroupRejectPost(group, bob, note)
	if err != nil {
		t.Fatal(err)
	}
	body, err := activitypub.Marshal(b, rej)
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]interface{}
	if err := json.Unmarshal(body, &doc); err != nil {
		t.Fatal(err)
	}
	if doc["type"] != "Reject" || doc["actor"] != group || doc["to"] != bob || doc["id"] != activitypub.RejectPostID(group, note) {
		t.Errorf("reject: %s", body)
	}
	a, err := activitypub.ParseActivity(ctx, body)
	if err != nil {
		t.Fatalf("parse %s: %v", body, err)
	}
	got := activitypub.RejectedPostOf(a)
	if got == nil || got.AuthorURI != bob || got.NoteURI != note || a.ActorURI != group {
		t.Errorf("rejected post %+v from %s", got, body)
	}
	if activitypub.RejectPostID(group, note) == activitypub.RejectID(group, note) {
		t.Error("the Reject of a post has the id of a Reject of a follow")
	}

	join, err := activitypub.NewGroupReject(group, b+"/users/bob/follows/1", bob)
	if err != nil {
		t.Fatal(err)
	}
	jb, _ := activitypub.Marshal(b, join)
	ja, err := activitypub.ParseActivity(ctx, jb)
	if err != nil {
		t.Fatal(err)
	}
	if p := activitypub.RejectedPostOf(ja); p != nil {
		t.Errorf("a Reject{Follow} read as a rejected post: %+v", p)
	}
	if p := activitypub.RejectedPostOf(nil); p != nil {
		t.Errorf("nil activity: %+v", p)
	}
}

// TestGroupRejectPostRefusals builds nothing from bad input and parses no Reject whose
// Create names another node's note.
func TestGroupRejectPostRefusals(t *testing.T) {
	const group = "http://127.0.0.1:8081/groups/news"
	for _, c := range []struct{ name, group, author, note string }{
		{"bad group", "javascript:x", "http://127.0.0.1:8082/users/bob", "http://127.0.0.1:8082/posts/1"},
		{"bad author", group, "ftp://127.0.0.1:8082/users/bob", "http://127.0.0.1:8082/posts/1"},
		{"note elsewhere", group, "http://127.0.0.1:8082/users/bob", "http://127.0.0.1:8083/posts/1"},
	} {
		if _, err := activitypub.NewGroupRejectPost(c.group, c.author, c.note); err == nil {
			t.Errorf("%s: built", c.name)
		}
	}
	forged := `{"@context":"https://www.w3.org/ns/activitystreams","id":"` + group + `#rejects/1","type":"Reject",
	"actor":"` + group + `","object":{"id":"http://127.0.0.1:8082/posts/1#create","type":"Create",
	"actor":"http://127.0.0.1:8082/users/bob","object":"http://127.0.0.1:8083/posts/1"}}`
	if _, err := activitypub.ParseActivity(context.Background(), []byte(forged)); !errors.Is(err, activitypub.ErrOriginMismatch) {
		t.Errorf("Create of another node's note: %v", err)
	}
	valid := strings.Replace(forged, `"object":"http://127.0.0.1:8083/posts/1"`, `"object":"http://127.0.0.1:8082/posts/1"`, 1)
	a, err := activitypub.ParseActivity(context.Background(), []byte(valid))
	if err != nil {
		t.Fatal(err)
	}
	if p := activitypub.RejectedPostOf(a); p == nil || p.NoteURI != "http://127.0.0.1:8082/posts/1" {
		t.Errorf("hand-written Reject{Create}: %+v", p)
	}
}
