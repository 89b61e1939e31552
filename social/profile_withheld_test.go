package social_test

import (
	"errors"
	"testing"

	"github.com/atrium-intranet/atrium/model"
	"github.com/atrium-intranet/atrium/social"
)

// A withheld Person (its node shares the key, not the profile) replaces whatever was
// cached of the profile, keeps the key, and shows no profile, to admins neither.
func TestWithheldProfile(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		root, alice := e.admin("root"), e.member("alice")
		full := social.ActorInput{Account: model.Account{Username: "bob", Domain: "127.0.0.1:8082", URI: nodeB + "/users/bob",
			InboxURI: nodeB + "/users/bob/inbox", Role: model.RoleMember, DisplayName: "Bob Secretname", JobTitle: "Secretjob",
			Department: "Secretdept", Site: "Secretsite", PublicKeyPEM: "k1"},
			SummaryHTML: "<p>Secretabout</p>", ManagerURI: alice.URI, Skills: []string{"secretskill"}}
		bob, err := e.svc.Remote.UpsertActor(e.ctx, full, model.TrustPartner)
		if err != nil || social.ProfileWithheld(bob) {
			t.Fatalf("full profile: %+v %v", bob, err)
		}
		withheld := social.ActorInput{Account: model.Account{Username: "bob", Domain: "127.0.0.1:8082", URI: nodeB + "/users/bob",
			InboxURI: nodeB + "/users/bob/inbox", Role: model.RoleMember, PublicKeyPEM: "k2"},
			Skills: []string{}, ProfileWithheld: true}
		kept, err := e.svc.Remote.UpsertActor(e.ctx, withheld, model.TrustPartner)
		if err != nil {
			t.Fatal(err)
		}
		if kept.ID != bob.ID || !social.ProfileWithheld(kept) || kept.PublicKeyPEM != "k2" || kept.DisplayName != "" ||
			kept.JobTitle != "" || kept.Department != "" || kept.Site != "" || kept.AboutHTML != "" || kept.ManagerID != nil {
			t.Errorf("withheld actor kept as %+v", kept)
		}
		if n := e.count("skills", "account_id = ?", bob.ID); n != 0 {
			t.Errorf("%d skills kept", n)
		}
		for _, viewer := range []*model.Account{alice, root} {
			if _, err := e.svc.Profiles.GetByHandle(e.ctx, viewer, "bob@127.0.0.1:8082"); !errors.Is(err, social.ErrNotFound) {
				t.Errorf("profile shown to %s: %v", viewer.Username, err)
			}
		}
		// A later full document (the person became visible) is a profile again.
		again, err := e.svc.Remote.UpsertActor(e.ctx, full, model.TrustPartner)
		if err != nil || social.ProfileWithheld(again) || again.DisplayName != "Bob Secretname" {
			t.Errorf("full profile again: %+v %v", again, err)
		}
	})
}
