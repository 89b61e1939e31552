package ui

import (
	"context"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/atrium-intranet/atrium/internal/testrig"
	"github.com/atrium-intranet/atrium/model"
	"github.com/atrium-intranet/atrium/social"
	"github.com/atrium-intranet/atrium/storage"
)

// kickCounter stands in for the directory reader and counts the reads asked for.
type kickCounter struct{ kicks atomic.Int32 }

func (k *kickCounter) Sync(context.Context) (social.DirectorySyncResult, error) {
	return social.DirectorySyncResult{}, nil
}
func (k *kickCounter) Kick() { k.kicks.Add(1) }

const uiSibling = "127.0.0.1:9001"

// directoryUI is a UI with a sibling node whose directory listed carl (Munich, Sales)
// reporting to the local boss, and dora reporting to carl.
func directoryUI(t *testing.T, store *storage.Store) (*testUI, *kickCounter) {
	t.Helper()
	kc := &kickCounter{}
	u := newTestUIWith(t, store, func(d *social.Deps) { d.DirectorySync = kc })
	ctx := context.Background()
	if _, err := u.svc.Peers.Add(ctx, social.SystemActor(), "http://"+uiSibling, model.TrustSibling, "Munich"); err != nil {
		t.Fatal(err)
	}
	u.account("admin", model.RoleAdmin)
	boss := u.account("boss", model.RoleMember)
	setProfile(t, u, boss, social.ProfileInput{DisplayName: "Bea Boss", JobTitle: "CEO", Department: "Board", Site: "Berlin"})
	alice := u.account("alice", model.RoleMember)
	setProfile(t, u, alice, social.ProfileInput{DisplayName: "Alice Archer", JobTitle: "Chemist", Department: "Research",
		Site: "Berlin", Skills: "Go, Chemistry", Manager: "boss"})
	u.account("gus", model.RoleGuest)
	person := func(name, site, dept, manager string, skills ...string) social.ActorInput {
		base := "http://" + uiSibling + "/users/" + name
		return social.ActorInput{Account: model.Account{Username: name, Domain: uiSibling, URI: base, InboxURI: base + "/inbox",
			Role: model.RoleMember, DisplayName: name, Site: site, Department: dept, PublicKeyPEM: "PEM"},
			ManagerURI: manager, Skills: skills}
	}
	at := time.Now().UTC()
	people := []social.ActorInput{
		person("carl", "Munich", "Sales", boss.URI, "negotiation"),
		person("dora", "Munich", "Sales", "http://"+uiSibling+"/users/carl"),
	}
	if _, err := u.svc.Remote.StoreDirectoryPage(ctx, uiSibling, model.TrustSibling, people, at); err != nil {
		t.Fatal(err)
	}
	links := []social.ManagerLink{{AccountURI: people[1].Account.URI, ManagerURI: people[1].ManagerURI}}
	if _, err := u.svc.Remote.ResolveManagers(ctx, links); err != nil {
		t.Fatal(err)
	}
	return u, kc
}

func TestDirectoryPage(t *testing.T) {
	testrig.EachDB(t, func(t *testing.T, store *storage.Store) {
		u, _ := directoryUI(t, store)
		c := u.login("admin")

		rec := c.get("/people")
		wantStatus(t, rec, http.StatusOK)
		wantBody(t, rec, `<select id="site" name="site">`, `<option value="Munich">Munich</option>`,
			`<option value="Research">Research</option>`, `id="skill" name="skill"`, `href="/org"`,
			`href="/users/carl@`+uiSibling+`">carl</a> <span class="muted">@carl@`+uiSibling+`</span>`,
			`<a href="/people?skill=negotiation">negotiation</a>`, "Chemist · Research · Berlin")
		wantNoBody(t, rec, "/users/gus", "<script>")

		rec = c.get("/people?site=Munich&department=Sales&skill=Negotiation")
		wantStatus(t, rec, http.StatusOK)
		wantBody(t, rec, `/users/carl@`+uiSibling, `<option value="Munich" selected>`, `value="Negotiation"`, "Clear filters")
		wantNoBody(t, rec, "/users/dora@", "/users/alice")
		wantBody(t, c.get("/people?q=chem"), "/users/alice")
		wantBody(t, c.get("/people?site=Nowhere"), "No one found.")
		wantStatus(t, c.get("/people?skill="+strings.Repeat("x", 101)), http.StatusUnprocessableEntity)

		// Guests see neither the directory nor the org chart.
		g := u.login("gus")
		wantStatus(t, g.get("/people"), http.StatusForbidden)
		wantStatus(t, g.get("/org"), http.StatusForbidden)
	})
}

func TestOrgChartPage(t *testing.T) {
	testrig.EachDB(t, func(t *testing.T, store *storage.Store) {
		u, _ := directoryUI(t, store)
		ctx := context.Background()
		c := u.login("admin")
		boss, err := store.LocalAccountByUsername(ctx, "boss")
		if err != nil {
			t.Fatal(err)
		}
		carl, err := store.RemoteAccountByHandle(ctx, "carl", uiSibling)
		if err != nil {
			t.Fatal(err)
		}

		rec := c.get("/org")
		wantStatus(t, rec, http.StatusOK)
		wantBody(t, rec, "<details>", `<summary><a href="/users/boss">Bea Boss</a> <span class="muted">CEO</span> <span class="badge">2 reports</span>`,
			`href="/users/alice">Alice Archer</a>`, `href="/users/carl@`+uiSibling+`">carl</a>`,
			`href="/users/dora@`+uiSibling+`">dora</a>`, `href="/org?root=`+boss.ID+`"`, "5 people; 2 at the top")
		wantNoBody(t, rec, "/users/gus", "<script>")

		// One person's subtree, with the managers above.
		rec = c.get("/org?root=" + carl.ID)
		wantStatus(t, rec, http.StatusOK)
		wantBody(t, rec, "<title>Org chart: carl", "<details open>", `href="/users/dora@`+uiSibling+`"`,
			`<a href="/org?root=`+boss.ID+`">Bea Boss</a>`, `href="/org">Whole company</a>`)
		wantNoBody(t, rec, `href="/users/alice"`)
		wantStatus(t, c.get("/org?root=nobody"), http.StatusNotFound)

		// Profiles show the chain up and the reports below, local or remote.
		rec = c.get("/users/dora@" + uiSibling)
		wantStatus(t, rec, http.StatusOK)
		wantBody(t, rec, "Reports to", `<ol class="org-chain">`, `href="/users/carl@`+uiSibling+`">carl</a>`,
			`href="/users/boss">Bea Boss</a>`, "No direct reports.", `href="http://`+uiSibling+`/users/dora" rel="external"`,
			`href="/org?root=`)
		rec = c.get("/users/boss")
		wantBody(t, rec, "Direct reports", `href="/users/alice">Alice Archer</a>`, `href="/users/carl@`+uiSibling+`">carl</a>`,
			"No manager given.")
	})
}

func TestDirectorySyncButton(t *testing.T) {
	testrig.EachDB(t, func(t *testing.T, store *storage.Store) {
		u, kc := directoryUI(t, store)
		before := kc.kicks.Load() // adding the sibling asked for a read already
		if before != 1 {
			t.Errorf("adding a sibling asked for %d reads, want 1", before)
		}
		admin := u.login("admin")
		wantBody(t, admin.get("/admin/peers"), `action="/admin/directory/sync"`)
		wantRedirect(t, admin.post("/admin/directory/sync", nil), "/admin/peers?notice=directory_sync_started")
		if kc.kicks.Load() != before+1 {
			t.Error("the button did not ask for a read")
		}
		wantBody(t, admin.get("/admin/peers?notice=directory_sync_started"), "Reading the sibling directories")
		wantStatus(t, u.login("alice").post("/admin/directory/sync", nil), http.StatusForbidden)
		if kc.kicks.Load() != before+1 {
			t.Error("a member asked for a read")
		}
	})
}
