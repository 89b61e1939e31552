package social_test

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/atrium-intranet/atrium/model"
	"github.com/atrium-intranet/atrium/social"
)

// Sibling and partner nodes of the directory tests.
const (
	sibHost     = "127.0.0.1:9001"
	sib2Host    = "127.0.0.1:9003"
	partnerHost = "127.0.0.1:9002"
)

// allow makes host a peer of the env's node.
func (e *env) allow(host string, trust model.Trust) {
	e.t.Helper()
	if _, err := e.svc.Peers.Add(e.ctx, social.SystemActor(), "http://"+host, trust, host); err != nil {
		e.t.Fatal(err)
	}
}

// listed is a person as a sibling's directory lists them.
func listed(host, username, site, dept, title, manager string, skills ...string) social.ActorInput {
	base := "http://" + host + "/users/" + username
	in := social.ActorInput{Account: model.Account{Username: username, Domain: host, URI: base,
		InboxURI: base + "/inbox", SharedInboxURI: "http://" + host + "/inbox", Role: model.RoleMember,
		DisplayName: strings.ToUpper(username[:1]) + username[1:], Site: site, Department: dept, JobTitle: title,
		PublicKeyPEM: "PEM " + username},
		SummaryHTML: `<p>Hi</p><script>alert(1)</script>`, Skills: skills}
	if manager != "" {
		in.ManagerURI = manager
	}
	return in
}

// storePage stores people as one directory page of host seen at at.
func (e *env) storePage(host string, at time.Time, people ...social.ActorInput) {
	e.t.Helper()
	if _, err := e.svc.Remote.StoreDirectoryPage(e.ctx, host, model.TrustSibling, people, at); err != nil {
		e.t.Fatalf("store directory page of %s: %v", host, err)
	}
}

func directoryHandles(res *social.DirectoryResult) []string {
	out := []string{}
	for _, a := range res.People {
		out = append(out, a.Handle())
	}
	return out
}

func TestDirectory(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		e.allow(sibHost, model.TrustSibling)
		e.allow(partnerHost, model.TrustPartner)
		anna := e.member("anna")
		if err := e.svc.Profiles.Update(e.ctx, anna, social.ProfileInput{DisplayName: "Anna Berg", JobTitle: "Chemist",
			Department: "Research", Site: "Berlin", Email: "anna@example.com", Skills: "Go, Chemistry"}); err != nil {
			t.Fatal(err)
		}
		guest := e.guest("gus")
		admin := e.admin("boss")
		at := e.clock.Now()
		e.storePage(sibHost, at,
			listed(sibHost, "carl", "Munich", "Sales", "Seller", "", "Go", "  Sales  Talk ", "go"),
			listed(sibHost, "dora", "Munich", "Research", "Physicist", ""))
		// A partner's users never count, even if a page of theirs were stored.
		if _, err := e.svc.Remote.StoreDirectoryPage(e.ctx, partnerHost, model.TrustPartner,
			[]social.ActorInput{listed(partnerHost, "pete", "Consult", "Research", "Consultant", "")}, at); !errors.Is(err, social.ErrForbidden) {
			t.Fatalf("partner page: %v, want ErrForbidden", err)
		}
		if _, err := e.svc.Remote.UpsertActor(e.ctx, listed(partnerHost, "pete", "Consult", "Research", "Consultant", ""), model.TrustPartner); err != nil {
			t.Fatal(err)
		}

		all, err := e.svc.People.Directory(e.ctx, anna, social.DirectoryQuery{})
		if err != nil {
			t.Fatal(err)
		}
		if got, want := directoryHandles(all), []string{"@anna", "@boss", "@carl@" + sibHost, "@dora@" + sibHost}; !reflect.DeepEqual(got, want) {
			t.Errorf("directory %v, want %v", got, want)
		}
		carl := all.People[2]
		if !reflect.DeepEqual(carl.Skills, []string{"go", "sales talk"}) || carl.Site != "Munich" || carl.Department != "Sales" {
			t.Errorf("carl %+v skills %v", carl, carl.Skills)
		}
		if !reflect.DeepEqual(all.People[0].Skills, []string{"chemistry", "go"}) {
			t.Errorf("anna's skills %v", all.People[0].Skills)
		}

		cases := []struct {
			q    social.DirectoryQuery
			want []string
		}{
			{social.DirectoryQuery{Site: "Munich"}, []string{"@carl@" + sibHost, "@dora@" + sibHost}},
			{social.DirectoryQuery{Department: "Research"}, []string{"@anna", "@dora@" + sibHost}},
			{social.DirectoryQuery{Skill: " GO "}, []string{"@anna", "@carl@" + sibHost}},
			{social.DirectoryQuery{Skill: "sales   talk"}, []string{"@carl@" + sibHost}},
			{social.DirectoryQuery{Text: "berg"}, []string{"@anna"}},
			{social.DirectoryQuery{Text: "physic"}, []string{"@dora@" + sibHost}},
			{social.DirectoryQuery{Text: "pete"}, []string{}},
			{social.DirectoryQuery{Text: "gus"}, []string{}},
		}
		for _, tc := range cases {
			res, err := e.svc.People.Directory(e.ctx, anna, tc.q)
			if err != nil {
				t.Fatal(err)
			}
			if got := directoryHandles(res); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("%+v: got %v, want %v", tc.q, got, tc.want)
			}
		}

		// Paging by username, remote people included.
		var pages [][]string
		q := social.DirectoryQuery{Limit: 3}
		for {
			res, err := e.svc.People.Directory(e.ctx, anna, q)
			if err != nil {
				t.Fatal(err)
			}
			pages = append(pages, directoryHandles(res))
			if res.Next == "" {
				break
			}
			q.After = res.Next
		}
		if want := [][]string{{"@anna", "@boss", "@carl@" + sibHost}, {"@dora@" + sibHost}}; !reflect.DeepEqual(pages, want) {
			t.Errorf("pages %v, want %v", pages, want)
		}

		facets, err := e.svc.People.Facets(e.ctx, anna)
		if err != nil || !reflect.DeepEqual(facets.Sites, []string{"Berlin", "Munich"}) ||
			!reflect.DeepEqual(facets.Departments, []string{"Research", "Sales"}) {
			t.Errorf("facets %+v, %v", facets, err)
		}

		// Guests see no directory, and no org chart.
		if _, err := e.svc.People.Directory(e.ctx, guest, social.DirectoryQuery{}); !errors.Is(err, social.ErrForbidden) {
			t.Errorf("guest directory: %v", err)
		}
		if _, err := e.svc.People.Facets(e.ctx, guest); !errors.Is(err, social.ErrForbidden) {
			t.Errorf("guest facets: %v", err)
		}
		if _, err := e.svc.People.OrgChart(e.ctx, guest, social.OrgQuery{}); !errors.Is(err, social.ErrForbidden) {
			t.Errorf("guest org chart: %v", err)
		}
		_, err = e.svc.People.Directory(e.ctx, anna, social.DirectoryQuery{Site: strings.Repeat("x", 101)})
		if ve, ok := social.AsValidation(err); !ok || ve.Fields["site"] == "" {
			t.Errorf("long filter: %v", err)
		}

		// Deactivated people: admins only, on request.
		if err := e.svc.Accounts.SetActive(e.ctx, admin, anna.ID, false); err != nil {
			t.Fatal(err)
		}
		res, _ := e.svc.People.Directory(e.ctx, admin, social.DirectoryQuery{Department: "Research"})
		if got := directoryHandles(res); !reflect.DeepEqual(got, []string{"@dora@" + sibHost}) {
			t.Errorf("without deactivated: %v", got)
		}
		res, _ = e.svc.People.Directory(e.ctx, admin, social.DirectoryQuery{Department: "Research", IncludeDeactivated: true})
		if got := directoryHandles(res); !reflect.DeepEqual(got, []string{"@anna", "@dora@" + sibHost}) {
			t.Errorf("with deactivated: %v", got)
		}

		// A sibling turned partner takes its people out of the directory.
		e.allow(sibHost, model.TrustPartner)
		res, _ = e.svc.People.Directory(e.ctx, admin, social.DirectoryQuery{})
		if got := directoryHandles(res); !reflect.DeepEqual(got, []string{"@boss"}) {
			t.Errorf("after the sibling became a partner: %v", got)
		}
	})
}

func TestDirectorySync(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		e.allow(sibHost, model.TrustSibling)
		e.allow(sib2Host, model.TrustSibling)
		boss := e.member("boss")
		carlURI := "http://" + sibHost + "/users/carl"
		first := e.clock.Now()
		// Dora's manager is on the other sibling, not read yet; carl's is on this node.
		e.storePage(sibHost, first,
			listed(sibHost, "carl", "Munich", "Sales", "Seller", boss.URI, "go"),
			listed(sibHost, "dora", "Munich", "Sales", "Seller", "http://"+sib2Host+"/users/erik"),
			listed(sibHost, "fred", "Munich", "Sales", "Seller", "http://"+sibHost+"/users/nobody"))
		e.storePage(sib2Host, first, listed(sib2Host, "erik", "Vienna", "Board", "Chief", ""))
		changed, err := e.svc.Remote.ResolveManagers(e.ctx, []social.ManagerLink{
			{AccountURI: carlURI, ManagerURI: boss.URI},
			{AccountURI: "http://" + sibHost + "/users/dora", ManagerURI: "http://" + sib2Host + "/users/erik"},
			{AccountURI: "http://" + sibHost + "/users/fred", ManagerURI: "http://" + sibHost + "/users/nobody"},
			{AccountURI: boss.URI, ManagerURI: carlURI}, // local people are never changed this way
		})
		if err != nil || changed != 1 {
			// carl got boss already at upsert (boss was known); dora gets erik now.
			t.Fatalf("managers changed %d, %v; want 1", changed, err)
		}
		carl, err := e.store.AccountByURI(e.ctx, carlURI)
		if err != nil || carl.ManagerID == nil || *carl.ManagerID != boss.ID {
			t.Fatalf("carl's manager: %+v %v", carl, err)
		}
		if strings.Contains(carl.AboutHTML, "script") || !strings.Contains(carl.AboutHTML, "Hi") {
			t.Errorf("profile text not sanitized: %q", carl.AboutHTML)
		}
		dora, _ := e.store.AccountByURI(e.ctx, "http://"+sibHost+"/users/dora")
		erik, _ := e.store.AccountByURI(e.ctx, "http://"+sib2Host+"/users/erik")
		if dora.ManagerID == nil || *dora.ManagerID != erik.ID {
			t.Errorf("dora's manager %v, want erik %s", dora.ManagerID, erik.ID)
		}
		fred, _ := e.store.AccountByURI(e.ctx, "http://"+sibHost+"/users/fred")
		if fred.ManagerID != nil {
			t.Errorf("fred's unknown manager became %v", *fred.ManagerID)
		}
		if b := e.reload(boss); b.ManagerID != nil {
			t.Error("a directory changed a local account's manager")
		}

		// The next read lists carl with a new department and no longer lists dora.
		second := e.clock.Now()
		in := listed(sibHost, "carl", "Munich", "Marketing", "Seller", boss.URI)
		in.Skills = []string{}
		in.Account.Role = model.RoleGuest // a document cannot raise rights, and may lower them
		e.storePage(sibHost, second, in, listed(sibHost, "fred", "Munich", "Sales", "Seller", ""))
		n, err := e.svc.Remote.UnlistUnseen(e.ctx, sibHost, second)
		if err != nil || n != 1 {
			t.Fatalf("unlisted %d, %v; want dora", n, err)
		}
		res, err := e.svc.People.Directory(e.ctx, boss, social.DirectoryQuery{})
		if err != nil {
			t.Fatal(err)
		}
		if got, want := directoryHandles(res), []string{"@boss", "@erik@" + sib2Host, "@fred@" + sibHost}; !reflect.DeepEqual(got, want) {
			t.Errorf("after the second read: %v, want %v", got, want)
		}
		carl, _ = e.store.AccountByURI(e.ctx, carlURI)
		if carl.Department != "Marketing" || carl.Role != model.RoleGuest {
			t.Errorf("carl after the second read: %+v", carl)
		}
		if skills, _ := e.store.Skills(e.ctx, carl.ID); len(skills) != 0 {
			t.Errorf("carl's skills were not cleared: %v", skills)
		}

		// An unchanged entry is not written again, only marked seen.
		third := e.clock.Now()
		fredIn := listed(sibHost, "fred", "Munich", "Sales", "Seller", "")
		page, err := e.svc.Remote.StoreDirectoryPage(e.ctx, sibHost, model.TrustSibling, []social.ActorInput{fredIn}, third)
		if err != nil || page.Stored != 0 || page.Accounts[0] == nil || page.Accounts[0].Username != "fred" {
			t.Errorf("unchanged entry stored %+v, %v", page, err)
		}
		fredIn.Account.JobTitle = "Lead seller"
		page, err = e.svc.Remote.StoreDirectoryPage(e.ctx, sibHost, model.TrustSibling, []social.ActorInput{fredIn}, third)
		if err != nil || page.Stored != 1 || page.Accounts[0].JobTitle != "Lead seller" {
			t.Errorf("changed entry stored %+v, %v", page, err)
		}
		// People of another node on a page are skipped.
		page, err = e.svc.Remote.StoreDirectoryPage(e.ctx, sibHost, model.TrustSibling,
			[]social.ActorInput{listed(sib2Host, "zoe", "", "", "", "")}, third)
		if err != nil || page.Stored != 0 || page.Accounts[0] != nil {
			t.Errorf("foreign entry stored %+v, %v", page, err)
		}
		if _, err := e.store.AccountByURI(e.ctx, "http://"+sib2Host+"/users/zoe"); err == nil {
			t.Error("a node listed another node's person")
		}

		// A Delete of the actor takes them out at once.
		fred, _ = e.store.AccountByURI(e.ctx, "http://"+sibHost+"/users/fred")
		err = e.svc.Remote.ReceiveActorDelete(e.ctx, social.Incoming{ActivityID: fred.URI + "#delete", Actor: fred, Trust: model.TrustSibling})
		if err != nil {
			t.Fatal(err)
		}
		res, _ = e.svc.People.Directory(e.ctx, boss, social.DirectoryQuery{Text: "fred"})
		if len(res.People) != 0 {
			t.Errorf("deleted actor still listed: %v", directoryHandles(res))
		}
	})
}
