package cluster_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"testing"

	"github.com/atrium-intranet/atrium/activitypub"
	"github.com/atrium-intranet/atrium/federation"
	"github.com/atrium-intranet/atrium/internal/cluster"
	"github.com/atrium-intranet/atrium/internal/testrig"
	"github.com/atrium-intranet/atrium/model"
	"github.com/atrium-intranet/atrium/social"
)

// newGroup makes a group on n owned by owner.
func newGroup(t *testing.T, n *cluster.Node, owner *model.Account, name string, kind model.GroupKind, siteOnly bool) *model.Group {
	t.Helper()
	g, err := n.Social.Groups.Create(context.Background(), owner, social.GroupInput{Name: name, DisplayName: "The " + name,
		Description: "About *" + name + "*", Kind: kind, SiteOnly: siteOnly})
	if err != nil {
		t.Fatalf("create group %s: %v", name, err)
	}
	return g
}

// groupResolver is a resolver of n's, as its rules would use it.
func groupResolver(n *cluster.Node) *federation.Resolver {
	return federation.NewResolver(federation.ResolverOptions{Origin: n.URL, Store: n.Store, Remote: n.Social.Remote,
		Client: &http.Client{}, Signer: n.NodeSigner()})
}

// TestGroupActors serves Group actors to the nodes that may see them only, lists the
// open and closed ones to siblings, names them through WebFinger, and lets a sibling
// cache them by handle or through the directory.
func TestGroupActors(t *testing.T) {
	for _, dialect := range testrig.Dialects {
		t.Run(dialect, func(t *testing.T) {
			ctx := context.Background()
			nodes := cluster.Start(t, dialect, "Berlin", "Munich", "Vienna", "Consult")
			berlin, munich, vienna, consult := nodes[0], nodes[1], nodes[2], nodes[3]
			cluster.Connect(berlin, munich, vienna)
			berlin.Allow(consult, model.TrustPartner)
			consult.Allow(berlin, model.TrustSibling)
			alice := berlin.User("alice")
			mia := munich.User("mia")
			consult.User("cora")
			hiking := newGroup(t, berlin, alice, "hiking", model.GroupOpen, false)
			newGroup(t, berlin, alice, "chess", model.GroupClosed, false)
			board := newGroup(t, berlin, alice, "board", model.GroupSecret, false)
			newGroup(t, berlin, alice, "canteen", model.GroupOpen, true)

			status := func(from *cluster.Node, path string) int {
				return berlin.SignedGet(from.NodeSigner(), path).Status
			}
			// Sibling reads of open and closed groups; what the documents say.
			for _, c := range []struct {
				name   string
				manual bool
			}{{"hiking", false}, {"chess", true}} {
				resp := berlin.SignedGet(munich.AccountSigner(mia), "/groups/"+c.name)
				if resp.Status != http.StatusOK {
					t.Fatalf("%s: %d", c.name, resp.Status)
				}
				var doc map[string]interface{}
				if err := json.Unmarshal([]byte(resp.Body), &doc); err != nil {
					t.Fatal(err)
				}
				id := berlin.URL + "/groups/" + c.name
				key, _ := doc["publicKey"].(map[string]interface{})
				if doc["type"] != "Group" || doc["id"] != id || doc["preferredUsername"] != c.name || doc["inbox"] != id+"/inbox" ||
					doc["followers"] != id+"/followers" || doc["attributedTo"] != id+"/moderators" ||
					doc["manuallyApprovesFollowers"] != c.manual || key["id"] != id+"#main-key" || doc[activitypub.TermSiteOnly] != false {
					t.Errorf("%s: document %s", c.name, resp.Body)
				}
				for _, coll := range []string{"/followers", "/moderators"} {
					var cd map[string]interface{}
					r := berlin.SignedGet(munich.NodeSigner(), "/groups/"+c.name+coll)
					if err := json.Unmarshal([]byte(r.Body), &cd); err != nil || r.Status != http.StatusOK || cd["totalItems"] != 1.0 {
						t.Errorf("%s%s: %d %s", c.name, coll, r.Status, r.Body)
					}
				}
			}
			if got := berlin.SignedGet(nil, "/groups/hiking").Status; got != http.StatusUnauthorized {
				t.Errorf("unsigned: %d, want 401", got)
			}
			// Site-only: nobody outside. Secret: only nodes with a member. Partner: only
			// groups one of its users is in or invited to.
			for _, c := range []struct {
				from *cluster.Node
				path string
				want int
			}{
				{munich, "/groups/canteen", http.StatusNotFound},
				{munich, "/groups/board", http.StatusNotFound},
				{munich, "/groups/board/followers", http.StatusNotFound},
				{consult, "/groups/hiking", http.StatusNotFound},
				{consult, "/groups", http.StatusNotFound},
				{munich, "/groups/nothing", http.StatusNotFound},
			} {
				if got := status(c.from, c.path); got != c.want {
					t.Errorf("%s reads %s: %d, want %d", c.from.Name, c.path, got, c.want)
				}
			}
			miaOnBerlin := berlin.Find(munich, "mia")
			coraOnBerlin := berlin.Find(consult, "cora")
			if err := berlin.Social.Groups.Invite(ctx, alice, board.ID, miaOnBerlin.ID); err != nil {
				t.Fatal(err)
			}
			if err := berlin.Social.Groups.Invite(ctx, alice, hiking.ID, coraOnBerlin.ID); err != nil {
				t.Fatal(err)
			}
			cluster.Settle(t, nodes...) // the group's Invite tells the invitees' nodes
			for _, c := range []struct {
				from *cluster.Node
				path string
				want int
			}{
				{munich, "/groups/board", http.StatusOK},
				{vienna, "/groups/board", http.StatusNotFound},
				{consult, "/groups/hiking", http.StatusOK},
				{consult, "/groups/chess", http.StatusNotFound},
				{munich, "/groups/canteen", http.StatusNotFound},
			} {
				if got := status(c.from, c.path); got != c.want {
					t.Errorf("after invitations, %s reads %s: %d, want %d", c.from.Name, c.path, got, c.want)
				}
			}

			// The directory: open and closed groups, never secret or site-only ones.
			var coll struct {
				OrderedItems []string `json:"orderedItems"`
			}
			resp := berlin.SignedGet(vienna.NodeSigner(), "/groups")
			if err := json.Unmarshal([]byte(resp.Body), &coll); err != nil || resp.Status != http.StatusOK {
				t.Fatalf("directory: %d %s", resp.Status, resp.Body)
			}
			if len(coll.OrderedItems) != 2 || coll.OrderedItems[0] != berlin.URL+"/groups/chess" || coll.OrderedItems[1] != berlin.URL+"/groups/hiking" {
				t.Errorf("directory lists %v", coll.OrderedItems)
			}

			// WebFinger names open and closed groups; users win a name clash.
			wf := func(name string) (int, string) {
				r := berlin.Do(berlin.NewRequest(http.MethodGet, "/.well-known/webfinger?resource="+
					url.QueryEscape("acct:"+name+"@"+berlin.Host), nil))
				var j federation.JRD
				_ = json.Unmarshal([]byte(r.Body), &j)
				self, _ := j.ActorURI()
				return r.Status, self
			}
			if st, self := wf("hiking"); st != http.StatusOK || self != hiking.URI {
				t.Errorf("webfinger hiking: %d %s", st, self)
			}
			for _, name := range []string{"board", "canteen"} {
				if st, _ := wf(name); st != http.StatusNotFound {
					t.Errorf("webfinger %s: %d, want 404", name, st)
				}
			}
			chessUser := berlin.User("chess")
			if st, self := wf("chess"); st != http.StatusOK || self != chessUser.URI {
				t.Errorf("webfinger chess (user and group): %d %s, want the user", st, self)
			}
			berlin.User("zed")
			newGroup(t, berlin, alice, "zed_club", model.GroupOpen, false)

			// Munich caches a group by handle, and the whole directory of its siblings.
			res := groupResolver(munich)
			g, err := res.ResolveGroup(ctx, "hiking@"+berlin.Host)
			if err != nil {
				t.Fatal(err)
			}
			if g.Domain != berlin.Host || g.URI != hiking.URI || g.Kind != model.GroupOpen || g.PrivateKeyPEM != "" ||
				g.DescriptionHTML != "<p>About <em>hiking</em></p>\n" && g.DescriptionHTML != "<p>About <em>hiking</em></p>" {
				t.Errorf("resolved %+v", g)
			}
			if _, err := res.ResolveGroup(ctx, "board@"+berlin.Host); err == nil {
				t.Error("resolved the secret group by handle")
			}
			// Through the rules, as the directory page does it: the node's wiring reaches
			// the federation resolver.
			n, asked, err := munich.Social.Groups.RefreshDirectory(ctx, mia)
			if err != nil || !asked || n != 3 {
				t.Errorf("refresh: %d %v %v, want 3 groups", n, asked, err)
			}
			page, err := munich.Social.Groups.List(ctx, mia, social.GroupQuery{})
			if err != nil {
				t.Fatal(err)
			}
			var listed []string
			for _, v := range page.Groups {
				listed = append(listed, v.Group.Name+"@"+v.Group.Domain)
			}
			// The secret group too, for mia: she is invited to it.
			want := []string{"board@" + berlin.Host, "chess@" + berlin.Host, "hiking@" + berlin.Host, "zed_club@" + berlin.Host}
			if !slices.Equal(listed, want) {
				t.Errorf("Munich's directory: %v, want %v", listed, want)
			}
			if v, err := munich.Social.Groups.Get(ctx, mia, "chess@"+berlin.Host); err != nil || v.CanJoin || !v.CanRequest {
				t.Errorf("Munich's view of a closed Berlin group: %+v %v, want a request offered", v, err)
			}
			// A partner's view: Consult may not read Berlin's directory.
			if _, err := groupResolver(consult).RefreshGroups(ctx, berlin.URL); err == nil {
				t.Error("Consult read Berlin's directory")
			}
			if _, err := groupResolver(consult).ResolveGroup(ctx, "hiking@"+berlin.Host); err != nil {
				t.Errorf("Consult resolves the group its user is invited to: %v", err)
			}
			if _, err := groupResolver(consult).ResolveGroup(ctx, "chess@"+berlin.Host); err == nil {
				t.Error("Consult resolved a group none of its users is in")
			}
		})
	}
}
