package activitypub

import (
	"context"
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/atrium-intranet/atrium/model"
)

// A withheld Person carries the key and the inboxes, and nothing of the profile; a
// receiver reads it as such whatever profile fields a sender puts in it.
func TestWithheldPerson(t *testing.T) {
	a := alice(t)
	a.Skills = []string{"go"}
	expires := time.Date(2031, 1, 2, 3, 4, 5, 0, time.UTC)
	p, err := WithheldPersonToAS(a, &expires)
	if err != nil {
		t.Fatal(err)
	}
	b, err := Marshal(origin, p)
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]interface{}
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"id", "type", "preferredUsername", "inbox", "endpoints", "publicKey", TermRole,
		TermGuestExpires, TermProfileWithheld} {
		if _, ok := doc[k]; !ok {
			t.Errorf("%s missing: %s", k, b)
		}
	}
	for _, k := range []string{"name", "summary", "icon", "outbox", "followers", "following", TermSite,
		TermDepartment, TermJobTitle, TermManager, TermSkills} {
		if _, ok := doc[k]; ok {
			t.Errorf("%s given away: %s", k, b)
		}
	}
	for _, v := range []string{a.DisplayName, a.JobTitle, a.Department, a.Site, a.Manager.URI} {
		if v != "" && strings.Contains(string(b), v) {
			t.Errorf("%q given away: %s", v, b)
		}
	}
	r, err := ParsePerson(context.Background(), b)
	if err != nil {
		t.Fatal(err)
	}
	if !r.ProfileWithheld || r.Account.PublicKeyPEM != a.PublicKeyPEM || r.Account.InboxURI != a.InboxURI ||
		r.GuestExpires == nil || !r.GuestExpires.Equal(expires) || r.Skills == nil || len(r.Skills) != 0 {
		t.Errorf("parsed: %+v", r)
	}

	// A full profile marked withheld is read without its profile.
	full, err := PersonToAS(a, PersonExtras{IconURL: origin + "/avatars/a.png", IconMediaType: "image/png"})
	if err != nil {
		t.Fatal(err)
	}
	full.GetUnknownProperties()[TermProfileWithheld] = true
	b, err = Marshal(origin, full)
	if err != nil {
		t.Fatal(err)
	}
	r, err = ParsePerson(context.Background(), b)
	if err != nil {
		t.Fatal(err)
	}
	want := model.Account{Username: a.Username, Domain: "127.0.0.1:8081", URI: a.URI, InboxURI: a.InboxURI,
		SharedInboxURI: a.SharedInboxURI, Role: model.RoleMember, PublicKeyPEM: a.PublicKeyPEM}
	if !reflect.DeepEqual(r.Account, want) || r.SummaryHTML != "" || r.ManagerURI != "" || r.IconURL != "" || len(r.Skills) != 0 || r.Skills == nil {
		t.Errorf("withheld full profile read as %+v", r)
	}

	// Anything but a boolean is refused.
	bad := strings.Replace(string(b), `"`+TermProfileWithheld+`":true`, `"`+TermProfileWithheld+`":"yes"`, 1)
	if bad == string(b) {
		t.Fatal("marker not found")
	}
	if _, err := ParsePerson(context.Background(), []byte(bad)); err == nil {
		t.Error("a non-boolean atrium:profileWithheld was accepted")
	}
}
