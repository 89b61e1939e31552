package federation

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/atrium-intranet/atrium/activitypub"
	"github.com/atrium-intranet/atrium/internal/testrig"
	"github.com/atrium-intranet/atrium/model"
	"github.com/atrium-intranet/atrium/social"
	"github.com/atrium-intranet/atrium/storage"
)

// pathOf is the path and query of a page link, for world.get.
func pathOf(t *testing.T, iri string) string {
	t.Helper()
	u, err := url.Parse(iri)
	if err != nil {
		t.Fatal(err)
	}
	return u.RequestURI()
}

func TestDirectoryCollection(t *testing.T) {
	testrig.EachDB(t, func(t *testing.T, store *storage.Store) {
		w := newWorld(t, store)
		boss := w.member("boss")
		for i := 0; i < 205; i++ {
			w.member(fmt.Sprintf("u%03d", i))
		}
		anna := w.member("anna")
		err := w.svc.Profiles.Update(w.ctx, anna, social.ProfileInput{DisplayName: "Anna", JobTitle: "Chemist",
			Department: "Research", Site: "Berlin", Email: "anna@example.com", Manager: "boss", Skills: "Go, Chemistry"})
		if err != nil {
			t.Fatal(err)
		}
		testrig.CreateAccount(t, w.svc, "gus", model.RoleGuest)
		gone := w.member("gone")
		if err := w.svc.Accounts.SetActive(w.ctx, social.SystemActor(), gone.ID, false); err != nil {
			t.Fatal(err)
		}
		sibling := w.b.signerFor("", w.b.nodeKey, w.clock.Now)

		code, body := w.get(DirectoryPath, sibling)
		if code != http.StatusOK {
			t.Fatalf("directory: %d %s", code, body)
		}
		coll, err := activitypub.ParseDirectoryCollection([]byte(body))
		if err != nil || coll.TotalItems != 207 || coll.ID != w.origin+DirectoryPath || coll.First == "" {
			t.Fatalf("collection %+v, %v: %s", coll, err, body)
		}

		var people []*activitypub.RemoteActor
		pages := 0
		for next := coll.First; next != ""; pages++ {
			code, body := w.get(pathOf(t, next), sibling)
			if code != http.StatusOK {
				t.Fatalf("page %s: %d %s", next, code, body)
			}
			page, err := activitypub.ParseDirectoryPage(w.ctx, []byte(body))
			if err != nil || page.Invalid != 0 || page.PartOf != w.origin+DirectoryPath {
				t.Fatalf("page %s: %+v, %v", next, page, err)
			}
			if pages == 0 && len(page.People) != directoryPageSize {
				t.Errorf("first page lists %d people, want %d", len(page.People), directoryPageSize)
			}
			people = append(people, page.People...)
			next = page.Next
		}
		if pages != 2 || len(people) != 207 {
			t.Fatalf("%d pages, %d people; want 2 pages, 207 people", pages, len(people))
		}
		seen := map[string]*activitypub.RemoteActor{}
		for _, p := range people {
			if seen[p.Account.Username] != nil {
				t.Errorf("%s listed twice", p.Account.Username)
			}
			seen[p.Account.Username] = p
		}
		for _, absent := range []string{"gus", "gone"} {
			if seen[absent] != nil {
				t.Errorf("%s is in the directory", absent)
			}
		}
		a := seen["anna"]
		if a == nil || a.Account.Department != "Research" || a.Account.Site != "Berlin" || a.ManagerURI != boss.URI ||
			strings.Join(a.Skills, ",") != "chemistry,go" || a.Account.PublicKeyPEM == "" {
			t.Errorf("anna as listed: %+v", a)
		}
		if b := seen["boss"]; b == nil || b.Skills == nil || len(b.Skills) != 0 {
			t.Errorf("boss lists skills %v; want an empty list", b.Skills)
		}

		// Partners, users' keys, strangers and unsigned requests get nothing.
		refused := []struct {
			name   string
			signer *Signer
			want   int
		}{
			{"partner node", w.c.signerFor("", w.c.nodeKey, w.clock.Now), http.StatusNotFound},
			{"sibling user", w.b.signerFor("bob", w.keys[1], w.clock.Now), http.StatusNotFound},
			{"not a peer", w.d.signerFor("", w.d.nodeKey, w.clock.Now), http.StatusForbidden},
			{"unsigned", nil, http.StatusUnauthorized},
		}
		for _, tc := range refused {
			for _, path := range []string{DirectoryPath, DirectoryPath + "?page=1"} {
				if code, body := w.get(path, tc.signer); code != tc.want || strings.Contains(body, "anna") {
					t.Errorf("%s GET %s: %d %q, want %d", tc.name, path, code, body, tc.want)
				}
			}
		}
		if code, _ := w.get(DirectoryPath+"?page=1&after=%27%3B", sibling); code != http.StatusBadRequest {
			t.Errorf("bad cursor: %d", code)
		}
	})
}

// TestDirectorySyncBetweenNodes has node X read node A's directory as its sibling.
func TestDirectorySyncBetweenNodes(t *testing.T) {
	for _, d := range testrig.Dialects {
		t.Run(d, func(t *testing.T) {
			a := newWorld(t, testrig.NewStore(t, d))
			x := newWorld(t, testrig.NewStore(t, d))
			for _, pair := range [][2]*world{{a, x}, {x, a}} {
				norm, _ := activitypub.Origin(pair[1].origin)
				if err := pair[0].store.SavePeer(pair[0].ctx, &model.Peer{Origin: norm, Trust: model.TrustSibling,
					CreatedAt: a.clock.Now(), UpdatedAt: a.clock.Now()}); err != nil {
					t.Fatal(err)
				}
			}
			boss := x.member("boss") // X's own: A's people may report to X's
			anna := a.member("anna")
			bert := a.member("bert")
			testrig.CreateAccount(t, a.svc, "gus", model.RoleGuest)
			aHost := strings.TrimPrefix(a.origin, "http://")
			err := a.svc.Profiles.Update(a.ctx, anna, social.ProfileInput{DisplayName: "Anna", Department: "Research",
				Site: "Berlin", Email: "anna@example.com", Manager: "bert", Skills: "go"})
			if err != nil {
				t.Fatal(err)
			}
			syncer := x.syncer()
			// The fake sibling B of newWorld serves no directory: it fails, A is read.
			res, err := syncer.Sync(x.ctx)
			if res.Nodes != 1 || res.People != 2 || res.Failed != 1 {
				t.Fatalf("sync %+v, %v", res, err)
			}
			list, err := x.svc.People.Directory(x.ctx, boss, social.DirectoryQuery{})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, p := range list.People {
				got = append(got, p.Handle())
			}
			if want := []string{"@anna@" + aHost, "@bert@" + aHost, "@boss"}; strings.Join(got, " ") != strings.Join(want, " ") {
				t.Errorf("X's directory %v, want %v", got, want)
			}
			xAnna, err := x.store.AccountByURI(x.ctx, anna.URI)
			if err != nil {
				t.Fatal(err)
			}
			xBert, _ := x.store.AccountByURI(x.ctx, bert.URI)
			if xAnna.ManagerID == nil || *xAnna.ManagerID != xBert.ID || xAnna.Department != "Research" {
				t.Errorf("anna on X: %+v", xAnna)
			}

			// Bert leaves A: the next read takes him out on X, without deleting him.
			if err := a.svc.Accounts.SetActive(a.ctx, social.SystemActor(), bert.ID, false); err != nil {
				t.Fatal(err)
			}
			res, err = syncer.Sync(x.ctx)
			if res.People != 1 || res.Unlisted != 1 {
				t.Fatalf("second sync %+v, %v", res, err)
			}
			list, _ = x.svc.People.Directory(x.ctx, boss, social.DirectoryQuery{Text: "bert"})
			if len(list.People) != 0 {
				t.Error("bert is still in X's directory")
			}
			if _, err := x.store.AccountByURI(x.ctx, bert.URI); err != nil {
				t.Errorf("bert's cached account is gone: %v", err)
			}
		})
	}
}

// syncer is a DirectorySyncer of w signing as w's node actor.
func (w *world) syncer() *DirectorySyncer {
	w.t.Helper()
	id, err := LoadNodeIdentity(w.ctx, w.store, w.origin, testrig.Keys(), w.clock.Now)
	if err != nil {
		w.t.Fatal(err)
	}
	signer, err := id.Signer(w.clock.Now)
	if err != nil {
		w.t.Fatal(err)
	}
	res := NewResolver(ResolverOptions{Origin: w.origin, Store: w.store, Remote: w.svc.Remote,
		Client: &http.Client{Timeout: 10 * time.Second}, Signer: signer, Now: w.clock.Now})
	return NewDirectorySyncer(res, testLogger(w.logs))
}

// TestDirectorySyncRefusals reads a sibling that serves a malformed directory: people of
// other nodes and broken entries are left out, and a read that does not reach the end
// takes nobody out of the directory.
func TestDirectorySyncRefusals(t *testing.T) {
	w := newWorld(t, testrig.NewStore(t, "sqlite"))
	viewer := w.member("viewer")
	var loop atomic.Bool
	var srv *httptest.Server
	srv = httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		origin := srv.URL
		person := func(base, name string) map[string]interface{} {
			a := &model.Account{Username: name, URI: base + "/users/" + name, InboxURI: base + "/users/" + name + "/inbox",
				Role: model.RoleMember, PublicKeyPEM: publicPEM(t, w.keys[3])}
			item, err := activitypub.PersonItem(base, a, activitypub.PersonExtras{})
			if err != nil {
				t.Error(err)
			}
			var m map[string]interface{}
			_ = json.Unmarshal(item, &m)
			return m
		}
		var doc map[string]interface{}
		switch {
		case r.URL.Path == DirectoryPath && r.URL.Query().Get("page") == "":
			doc = map[string]interface{}{"@context": activitypub.Context(origin), "id": origin + DirectoryPath,
				"type": "OrderedCollection", "totalItems": 3, "first": origin + DirectoryPath + "?page=1"}
		case r.URL.Path == DirectoryPath:
			doc = map[string]interface{}{"@context": activitypub.Context(origin), "id": origin + r.URL.RequestURI(),
				"type": "OrderedCollectionPage", "partOf": origin + DirectoryPath,
				"orderedItems": []interface{}{
					person(origin, "ok"),
					person(w.b.origin, "elsewhere"),
					map[string]interface{}{"type": "Note", "id": origin + "/posts/1"},
				}}
			if loop.Load() {
				doc["next"] = origin + DirectoryPath + "?page=1"
			}
		default:
			http.NotFound(rw, r)
			return
		}
		rw.Header().Set("Content-Type", activitypub.ActivityContentType)
		_ = json.NewEncoder(rw).Encode(doc)
	}))
	t.Cleanup(srv.Close)
	norm, _ := activitypub.Origin(srv.URL)
	if err := w.store.SavePeer(w.ctx, &model.Peer{Origin: norm, Trust: model.TrustSibling, CreatedAt: w.clock.Now(),
		UpdatedAt: w.clock.Now()}); err != nil {
		t.Fatal(err)
	}
	syncer := w.syncer()
	ctx := context.Background()
	res, err := syncer.Sync(ctx)
	// B, the fake sibling of newWorld, serves no directory: one node fails.
	if res.Nodes != 1 || res.People != 1 || res.Failed != 1 || err == nil {
		t.Fatalf("sync %+v, %v", res, err)
	}
	host := strings.TrimPrefix(srv.URL, "http://")
	if _, err := w.store.RemoteAccountByHandle(ctx, "ok", host); err != nil {
		t.Errorf("the valid entry was not stored: %v", err)
	}
	if _, err := w.store.AccountByURI(ctx, w.b.origin+"/users/elsewhere"); err == nil {
		t.Error("a node listed another node's person and it was stored")
	}
	// Another of the node's people was cached before; a read that loops is incomplete
	// and unlists nobody.
	testrig.InsertRemoteAccount(t, w.store, "old", host)
	loop.Store(true)
	if res, err := syncer.Sync(ctx); err == nil || res.Nodes != 0 {
		t.Fatalf("looping directory: %+v, %v", res, err)
	}
	list, _ := w.svc.People.Directory(ctx, viewer, social.DirectoryQuery{Text: "old"})
	if len(list.People) != 1 {
		t.Error("an incomplete read unlisted a person")
	}
	loop.Store(false)
	if res, err := syncer.Sync(ctx); res.Unlisted != 1 || res.Nodes != 1 {
		t.Fatalf("complete read: %+v, %v", res, err)
	}
	list, _ = w.svc.People.Directory(ctx, viewer, social.DirectoryQuery{Text: "old"})
	if len(list.People) != 0 {
		t.Error("a complete read kept a person the node no longer lists")
	}
}

// TestDeleteActorUnlists takes a sibling's person out of the directory when their node
// sends the Delete of their actor; the cached account and a replay change nothing more.
func TestDeleteActorUnlists(t *testing.T) {
	testrig.EachDB(t, func(t *testing.T, store *storage.Store) {
		w := newWorld(t, store)
		bobKey := w.b.signerFor("bob", w.keys[1], w.clock.Now)
		del := mustJSON(t, activity(w.b, "bob", "Delete", w.b.actor("bob")))
		if code, body := w.post("/inbox", del, bobKey, nil); code != http.StatusAccepted {
			t.Fatalf("Delete of bob: %d %s", code, body)
		}
		bob, err := store.AccountByURI(w.ctx, w.b.actor("bob"))
		if err != nil {
			t.Fatal(err)
		}
		if listed, err := store.Listed(w.ctx, bob.ID); err != nil || listed {
			t.Errorf("bob listed %v, %v after his Delete", listed, err)
		}
		// Only the actor itself may: carol's Delete naming bob leaves him listed.
		if err := store.MarkDirectorySeen(w.ctx, []string{bob.ID}, w.clock.Now()); err != nil {
			t.Fatal(err)
		}
		other := mustJSON(t, activity(w.b, "carol", "Delete", w.b.actor("bob")))
		w.post("/inbox", other, w.b.signerFor("carol", w.keys[2], w.clock.Now), nil)
		if listed, _ := store.Listed(w.ctx, bob.ID); !listed {
			t.Error("carol's Delete took bob out of the directory")
		}
	})
}

// TestDirectorySyncerRun checks the schedule: with the interval off, a kick (a sibling
// added, an admin's button) still reads the directories, and Run ends with its context.
func TestDirectorySyncerRun(t *testing.T) {
	w := newWorld(t, testrig.NewStore(t, "sqlite"))
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		if r.URL.Path == DirectoryPath {
			hits.Add(1)
		}
		http.NotFound(rw, r)
	}))
	t.Cleanup(srv.Close)
	norm, _ := activitypub.Origin(srv.URL)
	if err := w.store.SavePeer(w.ctx, &model.Peer{Origin: norm, Trust: model.TrustSibling, CreatedAt: w.clock.Now(),
		UpdatedAt: w.clock.Now()}); err != nil {
		t.Fatal(err)
	}
	d := w.syncer()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		d.Run(ctx, 0, 0)
	}()
	d.Kick()
	d.Kick() // kicks while one is pending make one read
	deadline := time.Now().Add(10 * time.Second)
	for hits.Load() == 0 {
		if time.Now().After(deadline) {
			t.Fatal("a kick did not start a read")
		}
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	<-done
}
