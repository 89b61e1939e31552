package activitypub

import (
	"context"
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/atrium-intranet/atrium/model"
)

func TestPersonSkills(t *testing.T) {
	ctx := context.Background()
	roundTrip := func(a *model.Account) *RemoteActor {
		t.Helper()
		p, err := PersonToAS(a, PersonExtras{})
		if err != nil {
			t.Fatal(err)
		}
		b, err := Marshal(origin, p)
		if err != nil {
			t.Fatal(err)
		}
		ra, err := ParsePerson(ctx, b)
		if err != nil {
			t.Fatal(err)
		}
		return ra
	}
	a := alice(t)
	a.Skills = []string{"go", "welding"}
	if got := roundTrip(a).Skills; !reflect.DeepEqual(got, []string{"go", "welding"}) {
		t.Errorf("skills %v", got)
	}
	a.Skills = []string{}
	if got := roundTrip(a).Skills; got == nil || len(got) != 0 {
		t.Errorf("an empty list must arrive as an empty list, got %#v", got)
	}
	a.Skills = nil
	if got := roundTrip(a).Skills; got != nil {
		t.Errorf("skills not loaded must not be stated, got %#v", got)
	}

	for name, v := range map[string]interface{}{
		"number":   3,
		"numbers":  []interface{}{1},
		"too many": make([]interface{}, MaxSkills+1),
		"too long": []interface{}{strings.Repeat("x", MaxFieldBytes+1)},
	} {
		b := mutated(t, "atrium_person.json", func(m map[string]interface{}) { m[TermSkills] = v })
		if _, err := ParsePerson(ctx, b); !errors.Is(err, ErrInvalid) {
			t.Errorf("%s: %v, want ErrInvalid", name, err)
		}
	}
	b := mutated(t, "atrium_person.json", func(m map[string]interface{}) { m[TermSkills] = "go" })
	if ra, err := ParsePerson(ctx, b); err != nil || !reflect.DeepEqual(ra.Skills, []string{"go"}) {
		t.Errorf("a single skill: %v, %v", ra, err)
	}
}

func TestDirectoryPage(t *testing.T) {
	ctx := context.Background()
	a := alice(t)
	a.Skills = []string{"go"}
	item, err := PersonItem(origin, a, PersonExtras{})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(item), "@context") {
		t.Error("a directory item carries its own @context")
	}
	stranger := alice(t)
	stranger.URI, stranger.InboxURI, stranger.SharedInboxURI = "http://127.0.0.1:9999/users/alice",
		"http://127.0.0.1:9999/users/alice/inbox", ""
	foreign, err := PersonItem("http://127.0.0.1:9999", stranger, PersonExtras{})
	if err != nil {
		t.Fatal(err)
	}
	note := json.RawMessage(`{"type":"Note","id":"` + origin + `/posts/1"}`)
	b, err := DirectoryPageDocument(origin, origin+"/directory?page=1", origin+"/directory",
		origin+"/directory?after=alice&page=1", []json.RawMessage{item, foreign, note})
	if err != nil {
		t.Fatal(err)
	}
	page, err := ParseDirectoryPage(ctx, b)
	if err != nil {
		t.Fatal(err)
	}
	if len(page.People) != 1 || page.People[0].Account.URI != a.URI || !reflect.DeepEqual(page.People[0].Skills, []string{"go"}) ||
		page.People[0].ManagerURI != a.Manager.URI || page.People[0].Account.Department != "Operations" {
		t.Errorf("people %+v", page.People)
	}
	if page.Invalid != 2 || !errors.Is(page.FirstInvalid, ErrOriginMismatch) {
		t.Errorf("invalid %d, first %v", page.Invalid, page.FirstInvalid)
	}
	if page.Next != origin+"/directory?after=alice&page=1" || page.PartOf != origin+"/directory" {
		t.Errorf("links %q %q", page.Next, page.PartOf)
	}

	// A page may not lead to another node.
	b, _ = DirectoryPageDocument(origin, origin+"/directory?page=1", origin+"/directory",
		"http://127.0.0.1:9999/directory?page=2", nil)
	if _, err := ParseDirectoryPage(ctx, b); !errors.Is(err, ErrOriginMismatch) {
		t.Errorf("next on another node: %v", err)
	}
	if _, err := ParseDirectoryPage(ctx, []byte(`{"type":"OrderedCollection","id":"`+origin+`/directory"}`)); !errors.Is(err, ErrUnexpectedType) {
		t.Errorf("collection as page: %v", err)
	}
	coll, err := ParseDirectoryCollection([]byte(`{"type":"OrderedCollection","id":"` + origin + `/directory","totalItems":3,"first":"` + origin + `/directory?page=1"}`))
	if err != nil || coll.TotalItems != 3 || coll.First != origin+"/directory?page=1" {
		t.Errorf("collection %+v, %v", coll, err)
	}
	if _, err := ParseDirectoryCollection([]byte(`{"type":"OrderedCollection","id":"` + origin + `/directory","first":"http://127.0.0.1:9999/x"}`)); !errors.Is(err, ErrOriginMismatch) {
		t.Errorf("first page elsewhere: %v", err)
	}
}

func TestNewDeleteActor(t *testing.T) {
	a := alice(t)
	at := time.Date(2030, 5, 6, 9, 0, 0, 0, time.UTC)
	d, err := NewDeleteActor(model.NewURIs(origin), a, at)
	if err != nil {
		t.Fatal(err)
	}
	b, err := Marshal(origin, d)
	if err != nil {
		t.Fatal(err)
	}
	act, err := ParseActivity(context.Background(), b)
	if err != nil {
		t.Fatal(err)
	}
	if act.Type != TypeDelete || act.ObjectID != a.URI || act.ActorURI != a.URI || act.ID != ActorDeleteID(a.URI, at) {
		t.Errorf("parsed %+v", act)
	}
	if ActorDeleteID(a.URI, at) == ActorDeleteID(a.URI, at.Add(time.Second)) {
		t.Error("two deactivations share a Delete id")
	}
}
