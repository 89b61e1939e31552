package federation

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/atrium-intranet/atrium/internal/testrig"
	"github.com/atrium-intranet/atrium/model"
	"github.com/atrium-intranet/atrium/social"
	"github.com/atrium-intranet/atrium/storage"
)

func TestAuthorizedFetch(t *testing.T) {
	testrig.EachDB(t, func(t *testing.T, store *storage.Store) {
		w := newWorld(t, store)
		alice := w.member("alice")
		mk := func(src string, aud model.Audience) *model.Post {
			p, err := w.svc.Posts.Create(w.ctx, alice, social.PostInput{Source: src, Audience: aud})
			if err != nil {
				t.Fatal(err)
			}
			return p
		}
		company := mk("company news #plant", model.AudienceCompany)
		followers := mk("for my followers", model.AudienceFollowers)
		site := mk("site only", model.AudienceSite)
		comment, err := w.svc.Posts.Create(w.ctx, alice, social.PostInput{Source: "a comment", InReplyToID: followers.ID})
		if err != nil {
			t.Fatal(err)
		}
		sibling := w.b.signerFor("", w.keys[0], w.clock.Now)
		partner := w.c.signerFor("", w.keys[4], w.clock.Now)
		stranger := w.d.signerFor("", w.keys[6], w.clock.Now)
		path := func(p *model.Post) string { return "/posts/" + p.ID }

		check := func(name, path string, s *Signer, want int) string {
			t.Helper()
			code, body := w.get(path, s)
			if code != want {
				t.Errorf("%s: GET %s = %d (%s), want %d", name, path, code, body, want)
			}
			return body
		}
		check("unsigned", path(company), nil, http.StatusUnauthorized)
		check("unsigned actor", "/users/alice", nil, http.StatusUnauthorized)
		check("non-peer", path(company), stranger, http.StatusForbidden)
		check("non-peer actor", "/users/alice", stranger, http.StatusForbidden)
		body := check("company to sibling", path(company), sibling, http.StatusOK)
		var doc map[string]interface{}
		if err := json.Unmarshal([]byte(body), &doc); err != nil || doc["type"] != "Note" || doc["to"] != w.origin+"/company" {
			t.Errorf("note: %v %s", err, body)
		}
		check("company to partner", path(company), partner, http.StatusNotFound)
		check("site to sibling", path(site), sibling, http.StatusNotFound)
		check("followers to node without followers", path(followers), sibling, http.StatusNotFound)
		check("comment on followers post", path(comment), sibling, http.StatusNotFound)
		check("unknown post", "/posts/NOPE", sibling, http.StatusNotFound)

		// Once bob on B follows alice, B's users may see her followers posts; C's may not.
		bob := w.b.signerFor("bob", w.keys[1], w.clock.Now)
		if code, body := w.post("/inbox", mustJSON(t, activity(w.b, "bob", "Follow", alice.URI)), bob, nil); code != http.StatusAccepted {
			t.Fatalf("follow: %d %s", code, body)
		}
		check("followers to follower's node", path(followers), sibling, http.StatusOK)
		body = check("comment to follower's node", path(comment), sibling, http.StatusOK)
		if !strings.Contains(body, followers.URI) {
			t.Errorf("comment lacks inReplyTo: %s", body)
		}
		check("followers to partner", path(followers), partner, http.StatusNotFound)

		// Actors and collections are visible to any allowed peer, with totals only.
		body = check("person to partner", "/users/alice", partner, http.StatusOK)
		if !strings.Contains(body, `"publicKeyPem"`) || !strings.Contains(body, alice.URI+"#main-key") {
			t.Errorf("person: %s", body)
		}
		body = check("followers collection", "/users/alice/followers", sibling, http.StatusOK)
		if !strings.Contains(body, `"totalItems":1`) || strings.Contains(body, "orderedItems") {
			t.Errorf("followers: %s", body)
		}
		check("following collection", "/users/alice/following", sibling, http.StatusOK)
		check("outbox", "/users/alice/outbox", sibling, http.StatusOK)
		check("company collection", "/company", sibling, http.StatusOK)
		check("unknown user", "/users/nobody", sibling, http.StatusNotFound)

		// A deactivated user and their posts disappear.
		admin := testrig.CreateAccount(t, w.svc, "root", model.RoleAdmin)
		if err := w.svc.Accounts.SetActive(w.ctx, admin, alice.ID, false); err != nil {
			t.Fatal(err)
		}
		check("deactivated person", "/users/alice", sibling, http.StatusNotFound)
		check("deactivated author's post", path(company), sibling, http.StatusNotFound)
	})
}

func TestNodeActorIsPublic(t *testing.T) {
	w := newWorld(t, testrig.NewStore(t, "sqlite"))
	code, body := w.get("/actor", nil)
	if code != http.StatusOK {
		t.Fatalf("%d %s", code, body)
	}
	var doc map[string]interface{}
	if err := json.Unmarshal([]byte(body), &doc); err != nil {
		t.Fatal(err)
	}
	key, _ := doc["publicKey"].(map[string]interface{})
	if doc["type"] != "Application" || doc["id"] != w.origin+"/actor" || key["id"] != w.origin+"/actor#main-key" ||
		key["owner"] != w.origin+"/actor" || !strings.Contains(key["publicKeyPem"].(string), "PUBLIC KEY") {
		t.Errorf("node actor: %s", body)
	}
	// The same key on every start.
	k1, err := w.store.NodeKey(w.ctx)
	if err != nil {
		t.Fatal(err)
	}
	if k1.PublicKeyPEM != key["publicKeyPem"] {
		t.Error("served key differs from the stored one")
	}
}
