package cluster_test

import (
	"context"
	"net/http"
	"sort"
	"strings"
	"testing"

	"github.com/atrium-intranet/atrium/internal/cluster"
	"github.com/atrium-intranet/atrium/internal/testrig"
	"github.com/atrium-intranet/atrium/model"
	"github.com/atrium-intranet/atrium/social"
)

// directoryOf is what n's company directory lists for viewer, as handles with
// "site/department/skills" each.
func directoryOf(t *testing.T, n *cluster.Node, viewer *model.Account, q social.DirectoryQuery) map[string]string {
	t.Helper()
	out := map[string]string{}
	for {
		res, err := n.Social.People.Directory(context.Background(), viewer, q)
		if err != nil {
			t.Fatalf("%s: directory: %v", n.Name, err)
		}
		for _, a := range res.People {
			out[a.Handle()] = a.Site + "/" + a.Department + "/" + strings.Join(a.Skills, ",")
		}
		if res.Next == "" {
			return out
		}
		q.After = res.Next
	}
}

// syncDirectory reads the sibling directories on n now and checks every sibling was read.
func syncDirectory(t *testing.T, n *cluster.Node, siblings int) social.DirectorySyncResult {
	t.Helper()
	res, err := n.Directory.Sync(context.Background())
	if err != nil || res.Nodes != siblings || res.Failed != 0 {
		t.Fatalf("%s: directory sync %+v, %v; want %d siblings read", n.Name, res, err, siblings)
	}
	return res
}

func setProfile(t *testing.T, n *cluster.Node, a *model.Account, in social.ProfileInput) {
	t.Helper()
	if in.Email == "" {
		in.Email = a.Username + "@example.com"
	}
	if err := n.Social.Profiles.Update(context.Background(), a, in); err != nil {
		t.Fatalf("%s: profile of %s: %v", n.Name, a.Username, err)
	}
}

// TestDirectory runs the company directory over three sibling nodes and a partner:
// Berlin lists the people of Munich and Vienna with their site, department and skills,
// never the partner's users nor guests; profile changes, managers across nodes and
// deactivations reach it.
func TestDirectory(t *testing.T) {
	for _, dialect := range testrig.Dialects {
		t.Run(dialect, func(t *testing.T) {
			ctx := context.Background()
			nodes := cluster.Start(t, dialect, "Berlin", "Munich", "Vienna", "Consult")
			berlin, munich, vienna, consult := nodes[0], nodes[1], nodes[2], nodes[3]
			cluster.Connect(berlin, munich, vienna)
			for _, n := range []*cluster.Node{berlin, munich} {
				n.Allow(consult, model.TrustPartner)
				consult.Allow(n, model.TrustPartner)
			}
			alice := berlin.User("alice")
			bob := munich.User("bob")
			setProfile(t, munich, bob, social.ProfileInput{DisplayName: "Bob", JobTitle: "Head of Sales",
				Department: "Sales", Site: "Munich", Skills: "Negotiation, Go"})
			bert := munich.User("bert")
			setProfile(t, munich, bert, social.ProfileInput{DisplayName: "Bert", Department: "Sales", Site: "Munich"})
			testrig.CreateAccount(t, munich.Social, "bea", model.RoleGuest)
			carl := vienna.User("carl")
			// Carl's manager is on Munich: Vienna looks Bob up by his handle.
			setProfile(t, vienna, carl, social.ProfileInput{DisplayName: "Carl", Department: "Research", Site: "Vienna",
				Skills: "Chemistry", Manager: "bob@" + munich.Host})
			consult.User("dave")
			// Berlin knows the partner's user (a guest there), as after a group invitation.
			if _, err := berlin.Social.Accounts.ByHandle(ctx, "dave@"+consult.Host); err != nil {
				t.Fatal(err)
			}
			cluster.Settle(t, nodes...)

			syncDirectory(t, berlin, 2)
			got := directoryOf(t, berlin, alice, social.DirectoryQuery{})
			want := map[string]string{
				"@alice":               "Berlin//",
				"@bob@" + munich.Host:  "Munich/Sales/go,negotiation",
				"@bert@" + munich.Host: "Munich/Sales/",
				"@carl@" + vienna.Host: "Vienna/Research/chemistry",
			}
			if !sameMap(got, want) {
				t.Fatalf("Berlin's directory:\n%v\nwant:\n%v", got, want)
			}
			if got := directoryOf(t, berlin, alice, social.DirectoryQuery{Skill: "negotiation", Site: "Munich"}); len(got) != 1 {
				t.Errorf("skill and site filter: %v", got)
			}
			// The partner never gets the directory, and a user's key does not open it.
			if r := munich.SignedGet(consult.NodeSigner(), "/directory"); r.Status != http.StatusNotFound {
				t.Errorf("the partner reads Munich's directory: %d", r.Status)
			}
			if r := munich.SignedGet(berlin.AccountSigner(alice), "/directory"); r.Status != http.StatusNotFound {
				t.Errorf("a user's key reads Munich's directory: %d", r.Status)
			}

			// The org chart spans nodes: Carl on Vienna reports to Bob on Munich.
			chart, err := berlin.Social.People.OrgChart(ctx, alice, social.OrgQuery{})
			if err != nil {
				t.Fatal(err)
			}
			var bobNode *social.OrgNode
			for _, n := range chart.Nodes {
				if n.Account.Handle() == "@bob@"+munich.Host {
					bobNode = n
				}
			}
			if bobNode == nil || len(bobNode.Reports) != 1 || bobNode.Reports[0].Account.Handle() != "@carl@"+vienna.Host {
				t.Fatalf("Berlin's org chart has Bob as %+v", bobNode)
			}
			prof, err := berlin.Social.Profiles.GetByHandle(ctx, alice, "carl@"+vienna.Host)
			if err != nil || len(prof.Position.Chain) != 1 || prof.Position.Chain[0].Handle() != "@bob@"+munich.Host {
				t.Errorf("Carl on Berlin reports to %+v, %v", prof.Position, err)
			}

			// A profile Update reaches Berlin without a sync.
			setProfile(t, munich, bob, social.ProfileInput{DisplayName: "Bob", JobTitle: "Head of Marketing",
				Department: "Marketing", Site: "Munich", Skills: "Negotiation"})
			cluster.Eventually(t, "Berlin lists Bob in Marketing", func() bool {
				return directoryOf(t, berlin, alice, social.DirectoryQuery{Department: "Marketing"})["@bob@"+munich.Host] ==
					"Munich/Marketing/negotiation"
			})

			// Bert leaves Munich: the Delete of his actor takes him out of Berlin's directory,
			// and the next read agrees; back at Munich, the next read lists him again.
			if err := munich.Social.Accounts.SetActive(ctx, social.SystemActor(), bert.ID, false); err != nil {
				t.Fatal(err)
			}
			cluster.Eventually(t, "Bert leaves Berlin's directory", func() bool {
				_, ok := directoryOf(t, berlin, alice, social.DirectoryQuery{})["@bert@"+munich.Host]
				return !ok
			})
			syncDirectory(t, berlin, 2)
			if _, ok := directoryOf(t, berlin, alice, social.DirectoryQuery{})["@bert@"+munich.Host]; ok {
				t.Error("the sync listed deactivated Bert again")
			}
			if _, err := berlin.Store.AccountByURI(ctx, bert.URI); err != nil {
				t.Errorf("Bert's cached account was deleted: %v", err)
			}
			if err := munich.Social.Accounts.SetActive(ctx, social.SystemActor(), bert.ID, true); err != nil {
				t.Fatal(err)
			}
			syncDirectory(t, berlin, 2)
			if _, ok := directoryOf(t, berlin, alice, social.DirectoryQuery{})["@bert@"+munich.Host]; !ok {
				t.Error("reactivated Bert is not listed again")
			}
			// Vienna's directory reaches the same state from its own reads.
			syncDirectory(t, vienna, 2)
			if got := directoryOf(t, vienna, carl, social.DirectoryQuery{}); len(got) != 4 || got["@alice@"+berlin.Host] == "" {
				t.Errorf("Vienna's directory: %v", got)
			}
			noPublic(t, nodes...)
		})
	}
}

// TestDirectoryDeactivatedBySync checks the read alone: Munich's deactivation reaches
// Berlin at its next read even when the Delete could not be delivered.
func TestDirectoryDeactivatedBySync(t *testing.T) {
	for _, dialect := range testrig.Dialects {
		t.Run(dialect, func(t *testing.T) {
			ctx := context.Background()
			nodes := cluster.Start(t, dialect, "Berlin", "Munich")
			berlin, munich := nodes[0], nodes[1]
			cluster.Connect(berlin, munich)
			alice := berlin.User("alice")
			bert := munich.User("bert")
			syncDirectory(t, berlin, 1)
			if _, ok := directoryOf(t, berlin, alice, social.DirectoryQuery{})["@bert@"+munich.Host]; !ok {
				t.Fatal("Bert is not in Berlin's directory")
			}
			// Munich stops delivering to Berlin for a moment: no Delete arrives.
			if err := munich.Social.Peers.Remove(ctx, social.SystemActor(), berlin.URL); err != nil {
				t.Fatal(err)
			}
			if err := munich.Social.Accounts.SetActive(ctx, social.SystemActor(), bert.ID, false); err != nil {
				t.Fatal(err)
			}
			munich.Allow(berlin, model.TrustSibling)
			cluster.Settle(t, nodes...)
			if _, ok := directoryOf(t, berlin, alice, social.DirectoryQuery{})["@bert@"+munich.Host]; !ok {
				t.Fatal("Bert left Berlin's directory without a Delete or a read")
			}
			syncDirectory(t, berlin, 1)
			if _, ok := directoryOf(t, berlin, alice, social.DirectoryQuery{})["@bert@"+munich.Host]; ok {
				t.Error("the read kept deactivated Bert")
			}
		})
	}
}

func sameMap(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	keys := make([]string, 0, len(a))
	for k := range a {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if v, ok := b[k]; !ok || v != a[k] {
			return false
		}
	}
	return true
}
