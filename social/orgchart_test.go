package social_test

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/atrium-intranet/atrium/model"
	"github.com/atrium-intranet/atrium/social"
)

// outline writes an org chart as indented "name(root)[+]" lines; + marks hidden reports.
func outline(nodes []*social.OrgNode) string {
	var b strings.Builder
	var walk func(n *social.OrgNode, depth int)
	walk = func(n *social.OrgNode, depth int) {
		b.WriteString(strings.Repeat("  ", depth) + n.Account.Username)
		if n.Root != "" {
			b.WriteString("(" + n.Root + ")")
		}
		if n.More {
			b.WriteString("+")
		}
		b.WriteString("\n")
		for _, r := range n.Reports {
			walk(r, depth+1)
		}
	}
	for _, n := range nodes {
		walk(n, 0)
	}
	return b.String()
}

func TestOrgChart(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		e.allow(sibHost, model.TrustSibling)
		e.allow(partnerHost, model.TrustPartner)
		admin := e.admin("ceo")
		setManager := func(a *model.Account, manager string) {
			t.Helper()
			if err := e.svc.Profiles.Update(e.ctx, a, social.ProfileInput{DisplayName: a.Username, Email: a.Email,
				Manager: manager}); err != nil {
				t.Fatal(err)
			}
		}
		cto := e.member("cto")
		dev := e.member("dev")
		setManager(cto, "ceo")
		setManager(dev, "cto")
		gone := e.member("gone")
		gus := e.guest("gus")
		setManager(gus, "cto") // guests are no one's report in the chart
		pete, err := e.svc.Remote.UpsertActor(e.ctx, listed(partnerHost, "pete", "", "", "", ""), model.TrustPartner)
		if err != nil {
			t.Fatal(err)
		}
		u := func(name string) string { return "http://" + sibHost + "/users/" + name }
		at := e.clock.Now()
		people := []social.ActorInput{
			listed(sibHost, "ops", "", "", "", admin.URI),   // reports to the local ceo
			listed(sibHost, "orphan", "", "", "", gone.URI), // manager deactivated below
			listed(sibHost, "ward", "", "", "", pete.URI),   // manager on a partner node
			listed(sibHost, "xena", "", "", "", u("yuri")),
			listed(sibHost, "yuri", "", "", "", u("zack")),
			listed(sibHost, "zack", "", "", "", u("xena")),
			listed(sibHost, "walt", "", "", "", u("xena")), // hangs off the loop
			listed(sibHost, "self", "", "", "", u("self")),
		}
		e.storePage(sibHost, at, people...)
		var links []social.ManagerLink
		for _, p := range people {
			links = append(links, social.ManagerLink{AccountURI: p.Account.URI, ManagerURI: p.ManagerURI})
		}
		if _, err := e.svc.Remote.ResolveManagers(e.ctx, links); err != nil {
			t.Fatal(err)
		}
		if err := e.svc.Accounts.SetActive(e.ctx, admin, gone.ID, false); err != nil {
			t.Fatal(err)
		}

		chart, err := e.svc.People.OrgChart(e.ctx, dev, social.OrgQuery{})
		if err != nil {
			t.Fatal(err)
		}
		want := `ceo(top)
  cto
    dev
  ops
orphan(missing)
self(cycle)
ward(missing)
xena(cycle)
  walt
  zack
    yuri
`
		if got := outline(chart.Nodes); got != want {
			t.Errorf("org chart:\n%s\nwant:\n%s", got, want)
		}
		if chart.People != 11 || chart.Tops != 5 || chart.Next != "" {
			t.Errorf("people %d, tops %d, next %q", chart.People, chart.Tops, chart.Next)
		}
		for _, n := range chart.Nodes {
			if n.Account.Username == "ceo" && n.ReportCount != 2 {
				t.Errorf("ceo has %d reports, want 2", n.ReportCount)
			}
		}

		// A subtree with the managers above it.
		sub, err := e.svc.People.OrgChart(e.ctx, dev, social.OrgQuery{Root: cto.ID})
		if err != nil {
			t.Fatal(err)
		}
		if got := outline(sub.Nodes); got != "cto\n  dev\n" {
			t.Errorf("subtree of cto:\n%s", got)
		}
		if len(sub.Chain) != 1 || sub.Chain[0].ID != admin.ID {
			t.Errorf("chain above cto: %v", sub.Chain)
		}
		yuri, _ := e.store.AccountByURI(e.ctx, u("yuri"))
		sub, err = e.svc.People.OrgChart(e.ctx, dev, social.OrgQuery{Root: yuri.ID})
		if err != nil {
			t.Fatal(err)
		}
		if len(sub.Chain) != 2 || sub.Chain[0].Username != "zack" || sub.Chain[1].Username != "xena" {
			t.Errorf("chain above yuri stops at the cut: %v", sub.Chain)
		}
		for _, id := range []string{gus.ID, pete.ID, gone.ID, "nobody"} {
			if _, err := e.svc.People.OrgChart(e.ctx, dev, social.OrgQuery{Root: id}); !errors.Is(err, social.ErrNotFound) {
				t.Errorf("subtree of %s: %v, want not found", id, err)
			}
		}

		// Profiles: the chain up, bounded and loop-safe, and the reports below.
		prof, err := e.svc.Profiles.Get(e.ctx, dev, "dev")
		if err != nil {
			t.Fatal(err)
		}
		if got := accountNames(prof.Position.Chain); !reflect.DeepEqual(got, []string{"cto", "ceo"}) {
			t.Errorf("dev reports to %v", got)
		}
		prof, _ = e.svc.Profiles.Get(e.ctx, dev, "cto")
		if got := accountNames(prof.Reports); !reflect.DeepEqual(got, []string{"dev"}) || prof.Manager == nil || prof.Manager.ID != admin.ID {
			t.Errorf("cto: reports %v (the guest must not count), manager %v", got, prof.Manager)
		}
		prof, err = e.svc.Profiles.GetByHandle(e.ctx, dev, "yuri@"+sibHost)
		if err != nil {
			t.Fatal(err)
		}
		if got := accountNames(prof.Position.Chain); !reflect.DeepEqual(got, []string{"zack", "xena"}) || !prof.Position.Cycle {
			t.Errorf("yuri reports to %v, cycle %v", got, prof.Position.Cycle)
		}
		prof, _ = e.svc.Profiles.GetByHandle(e.ctx, dev, "orphan@"+sibHost)
		if len(prof.Position.Chain) != 0 || !prof.Position.Missing || prof.Manager != nil {
			t.Errorf("orphan: %+v", prof.Position)
		}
		prof, _ = e.svc.Profiles.GetByHandle(e.ctx, dev, "self@"+sibHost)
		if len(prof.Position.Chain) != 0 || !prof.Position.Cycle {
			t.Errorf("self: %+v", prof.Position)
		}
	})
}

func TestOrgChartPaging(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		viewer := e.member("aaa")
		boss := e.member("boss")
		for i := 0; i < 120; i++ {
			a := e.member(fmt.Sprintf("p%03d", i))
			if i < 60 {
				if err := e.svc.Profiles.Update(e.ctx, a, social.ProfileInput{Email: a.Email, Manager: "boss"}); err != nil {
					t.Fatal(err)
				}
			}
		}
		seen := map[string]bool{}
		q := social.OrgQuery{}
		pages := 0
		for {
			chart, err := e.svc.People.OrgChart(e.ctx, viewer, q)
			if err != nil {
				t.Fatal(err)
			}
			pages++
			for _, n := range chart.Nodes {
				if seen[n.Account.Username] {
					t.Fatalf("%s on two pages", n.Account.Username)
				}
				seen[n.Account.Username] = true
				if n.Account.Username == "boss" && (len(n.Reports) != 50 || !n.More || n.ReportCount != 60) {
					t.Errorf("boss shows %d of %d reports, more %v", len(n.Reports), n.ReportCount, n.More)
				}
			}
			if chart.Next == "" {
				break
			}
			q.After = chart.Next
		}
		// 60 tops with reports pages of 50: aaa, boss and p060…p119.
		if pages != 2 || len(seen) != 62 || !seen["boss"] || seen["p000"] {
			t.Errorf("%d pages, %d tops", pages, len(seen))
		}
		_ = boss
	})
}

func accountNames(list []*model.Account) []string {
	out := []string{}
	for _, a := range list {
		out = append(out, a.Username)
	}
	return out
}

func TestProfileRemoteManager(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		e, res := resolverEnv(t, e.store)
		e.allow(sibHost, model.TrustSibling)
		e.allow(partnerHost, model.TrustPartner)
		res.known["bob@"+sibHost] = "Bob"
		res.known["pete@"+partnerHost] = "Pete"
		anna := e.member("anna")
		boss := e.member("boss")
		update := func(manager string) error {
			return e.svc.Profiles.Update(e.ctx, anna, social.ProfileInput{Email: anna.Email, Manager: manager})
		}
		if err := update("@bob@" + sibHost); err != nil {
			t.Fatal(err)
		}
		bob, err := e.store.RemoteAccountByHandle(e.ctx, "bob", sibHost)
		if err != nil || anna.ManagerID == nil || *anna.ManagerID != bob.ID {
			t.Fatalf("anna's manager %v, bob %+v, %v", anna.ManagerID, bob, err)
		}
		prof, err := e.svc.Profiles.Get(e.ctx, boss, "anna")
		if err != nil || accountNames(prof.Position.Chain)[0] != "bob" {
			t.Errorf("anna reports to %v, %v", prof.Position, err)
		}
		// This node's own handle form names a local person.
		if err := update("boss@127.0.0.1:8080"); err != nil || anna.ManagerID == nil || *anna.ManagerID != boss.ID {
			t.Errorf("local handle: %v, %v", anna.ManagerID, err)
		}
		for manager, key := range map[string]string{
			"pete@" + partnerHost: "error.manager.unknown", // a partner's user is no one's manager
			"zed@" + sibHost:      "error.manager.unknown",
			"bad handle@x":        "error.manager.unknown",
		} {
			err := update(manager)
			if ve, ok := social.AsValidation(err); !ok || ve.Fields["manager"] != key {
				t.Errorf("manager %q: %v, want %s", manager, err, key)
			}
		}
		res.err = social.ErrRemoteUnavailable
		err = update("otto@" + sibHost)
		if ve, ok := social.AsValidation(err); !ok || ve.Fields["manager"] != "error.manager.unavailable" {
			t.Errorf("unreachable node: %v", err)
		}
		if a := e.reload(anna); a.ManagerID == nil || *a.ManagerID != boss.ID {
			t.Error("a refused manager changed the profile")
		}
	})
}
