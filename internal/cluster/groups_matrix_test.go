package cluster_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/atrium-intranet/atrium/internal/cluster"
	"github.com/atrium-intranet/atrium/internal/testrig"
	"github.com/atrium-intranet/atrium/model"
	"github.com/atrium-intranet/atrium/social"
)

// matrixViewer is one viewer of the visibility matrix: an account on one node and what
// it is in each group ("member", "pending", "removed", "" for none).
type matrixViewer struct {
	name  string
	node  *cluster.Node
	acct  *model.Account
	state map[string]string
	token string
	cook  string
}

// matrixGroup is one group of the matrix with the post made in it on the home node.
type matrixGroup struct {
	name string
	g    *model.Group
	post *model.Post
	text string
}

// webGet GETs path on n as an HTML page with the session cookie ck.
func webGet(t *testing.T, n *cluster.Node, ck, path string) cluster.Response {
	t.Helper()
	req := n.NewRequest(http.MethodGet, path, nil)
	req.Header.Set("Accept", "text/html")
	req.AddCookie(&http.Cookie{Name: "atrium_session", Value: ck})
	return n.Do(req)
}

// apiGet GETs path on n with the bearer token tok.
func apiGet(t *testing.T, n *cluster.Node, tok, path string) cluster.Response {
	t.Helper()
	req := n.NewRequest(http.MethodGet, path, nil)
	req.Header.Set("Accept", "application/json")
	req.Header.Set("Authorization", "Bearer "+tok)
	return n.Do(req)
}

// TestGroupVisibilityMatrix checks every group kind against every kind of viewer on
// every access path (web page, JSON API, signed ActivityPub fetch, delivery): members
// read the group's post, everybody else gets a refusal without content. Not one cell
// leaks. A signed fetch is answered per node: a node with an active member gets the Note.
func TestGroupVisibilityMatrix(t *testing.T) {
	for _, dialect := range testrig.Dialects {
		t.Run(dialect, func(t *testing.T) {
			ctx := context.Background()
			nodes := cluster.Start(t, dialect, "Berlin", "Munich", "Vienna", "Consult")
			berlin, munich, vienna, consult := nodes[0], nodes[1], nodes[2], nodes[3]
			cluster.Connect(berlin, munich, vienna)
			berlin.Allow(consult, model.TrustPartner)
			consult.Allow(berlin, model.TrustPartner)
			alice := berlin.User("alice")

			groups := []*matrixGroup{{name: "open"}, {name: "closed"}, {name: "secret"}, {name: "siteonly"}}
			kinds := map[string]model.GroupKind{"open": model.GroupOpen, "closed": model.GroupClosed,
				"secret": model.GroupSecret, "siteonly": model.GroupOpen}
			for _, mg := range groups {
				mg.g = newGroup(t, berlin, alice, "m_"+mg.name, kinds[mg.name], mg.name == "siteonly")
			}
			v := func(name string, n *cluster.Node) *matrixViewer {
				return &matrixViewer{name: name, node: n, acct: n.User(name), state: map[string]string{}}
			}
			amy, anna, paul, rita := v("amy", berlin), v("anna", berlin), v("paul", berlin), v("rita", berlin)
			bob, pat, rex := v("bob", munich), v("pat", munich), v("rex", munich)
			carl, pia := v("carl", vienna), v("pia", consult)
			viewers := []*matrixViewer{amy, bob, anna, carl, paul, pat, rita, rex, pia}

			must := func(what string, err error) {
				t.Helper()
				if err != nil {
					t.Fatalf("%s: %v", what, err)
				}
			}
			all := []*cluster.Node{berlin, munich, vienna, consult}
			byName := map[string]*matrixGroup{}
			for _, mg := range groups {
				byName[mg.name] = mg
			}
			onHome := func(x *matrixViewer) *model.Account {
				if x.node == berlin {
					return x.acct
				}
				return berlin.Find(x.node, x.acct.Username)
			}
			// Local memberships on Berlin.
			for _, mg := range groups {
				id := mg.g.ID
				switch mg.name {
				case "open", "siteonly":
					for _, x := range []*matrixViewer{amy, rita} {
						_, err := berlin.Social.Groups.Join(ctx, x.acct, id)
						must("join "+mg.name, err)
					}
				case "closed":
					for _, x := range []*matrixViewer{amy, rita, paul} {
						_, err := berlin.Social.Groups.Join(ctx, x.acct, id)
						must("request "+mg.name, err)
					}
					must("approve amy", berlin.Social.Groups.Decide(ctx, alice, id, amy.acct.ID, true))
					must("approve rita", berlin.Social.Groups.Decide(ctx, alice, id, rita.acct.ID, true))
					paul.state[mg.name] = "pending"
				case "secret":
					for _, x := range []*matrixViewer{amy, rita} {
						must("invite", berlin.Social.Groups.Invite(ctx, alice, id, x.acct.ID))
						_, err := berlin.Social.Groups.Join(ctx, x.acct, id)
						must("join secret", err)
					}
				}
				amy.state[mg.name] = "member"
				must("remove rita", berlin.Social.Groups.Remove(ctx, alice, id, rita.acct.ID, false))
				rita.state[mg.name] = "removed"
			}
			// Remote memberships: open and closed groups take siblings' users; partner
			// users only by invitation (secret groups take no remote joins).
			remote := func(x *matrixViewer, mg *matrixGroup) *model.Group {
				t.Helper()
				gv, err := x.node.Social.Groups.Get(ctx, x.acct, mg.g.Name+"@"+berlin.Host)
				must(x.name+" gets "+mg.name, err)
				return gv.Group
			}
			for _, name := range []string{"open", "closed"} {
				mg := byName[name]
				for _, x := range []*matrixViewer{bob, rex, pat} {
					if x == pat && name == "open" {
						continue // an open group has no pending state
					}
					_, err := x.node.Social.Groups.Join(ctx, x.acct, remote(x, mg).ID)
					must(x.name+" joins "+name, err)
				}
				must("invite pia", berlin.Social.Groups.Invite(ctx, alice, mg.g.ID, berlin.Find(consult, "pia").ID))
				cluster.Settle(t, all...)
				_, err := consult.Social.Groups.Join(ctx, pia.acct, remote(pia, mg).ID)
				must("pia joins "+name, err)
				cluster.Settle(t, all...)
				if name == "closed" {
					must("approve bob", berlin.Social.Groups.Decide(ctx, alice, mg.g.ID, onHome(bob).ID, true))
					must("approve rex", berlin.Social.Groups.Decide(ctx, alice, mg.g.ID, onHome(rex).ID, true))
					pat.state[name] = "pending"
					cluster.Settle(t, all...)
				}
				bob.state[name], pia.state[name] = "member", "member"
				must("remove rex", berlin.Social.Groups.Remove(ctx, alice, mg.g.ID, onHome(rex).ID, false))
				rex.state[name] = "removed"
				cluster.Settle(t, all...)
			}
			// The partner is invited to the secret group: its node shows her the invitation
			// (the group's about page), never the group's posts.
			must("invite pia to secret", berlin.Social.Groups.Invite(ctx, alice, byName["secret"].g.ID, berlin.Find(consult, "pia").ID))

			// Check the memberships are what the matrix assumes.
			for _, x := range viewers {
				for _, mg := range groups {
					want := map[string]model.MemberState{"member": model.MemberActive, "pending": model.MemberRequested}[x.state[mg.name]]
					got := membershipState(t, berlin, mg.g.ID, onHomeOrNil(t, berlin, x))
					if x == pia && mg.name == "secret" {
						want = model.MemberInvited
					}
					if got != want {
						t.Fatalf("%s in %s on Berlin is %q, want %q", x.name, mg.name, got, want)
					}
				}
			}

			// One post per group by its owner.
			for _, mg := range groups {
				mg.text = "Secret-" + mg.name + "-text"
				p, err := berlin.Social.Posts.Create(ctx, alice, social.PostInput{Source: mg.text, GroupID: mg.g.ID})
				must("post in "+mg.name, err)
				mg.post = p
			}
			cluster.Settle(t, all...)
			for _, n := range all {
				n.Flush()
			}
			cluster.Settle(t, all...)

			// Sessions and tokens.
			for _, x := range viewers {
				secret, err := x.node.Social.Auth.Login(ctx, x.acct.Username, testrig.Password, "matrix", "127.0.0.1")
				must("login "+x.name, err)
				x.cook = secret
				tok, _, err := x.node.Social.Tokens.Create(ctx, x.acct.ID, "matrix")
				must("token "+x.name, err)
				x.token = tok
			}

			refused := func(status int) bool {
				return status == http.StatusNotFound || status == http.StatusForbidden || status == http.StatusUnauthorized
			}
			for _, mg := range groups {
				for _, x := range viewers {
					member := x.state[mg.name] == "member"
					cell := mg.name + "/" + x.name + "@" + x.node.Name + "(" + x.state[mg.name] + ")"
					t.Run(cell, func(t *testing.T) {
						// Delivery: the post is on the viewer's node only if a member lives there.
						local := postOn(t, x.node, mg.post.URI)
						nodeHasMember := false
						for _, y := range viewers {
							nodeHasMember = nodeHasMember || y.node == x.node && y.state[mg.name] == "member"
						}
						if x.node != berlin && (local != nil) != nodeHasMember {
							t.Errorf("delivery: post on %s = %v, want %v", x.node.Name, local != nil, nodeHasMember)
						}
						postID := mg.post.ID
						if local != nil {
							postID = local.ID
						}

						// Web: the post page and the group page.
						r := webGet(t, x.node, x.cook, "/posts/"+postID)
						leak := strings.Contains(r.Body, mg.text)
						if member && (r.Status != http.StatusOK || !leak) {
							t.Errorf("web post: member gets %d (content %v)", r.Status, leak)
						} else if !member && (!refused(r.Status) || leak) {
							t.Errorf("web post: LEAK %d (content %v)", r.Status, leak)
						}
						groupPath := "/groups/" + mg.g.Name
						if x.node != berlin {
							groupPath += "@" + berlin.Host
						}
						r = webGet(t, x.node, x.cook, groupPath)
						leak = strings.Contains(r.Body, mg.text)
						if member && (r.Status != http.StatusOK || !leak) {
							t.Errorf("web group: member gets %d (content %v)", r.Status, leak)
						} else if !member && leak {
							t.Errorf("web group: LEAK %d shows the post", r.Status)
						}
						invited := x == pia && mg.name == "secret"
						hidden := mg.name == "siteonly" && x.node != berlin || mg.name == "secret" && !member && !invited
						// WebFinger never names secret groups; an invited partner opens the
						// secret group from its node because the group's Invite told it.
						// A group the viewer's node may not fetch answers exactly like a
						// group that does not exist (a remote one: 502, the home node's 404
						// is not told apart from an unreachable node), so no oracle either.
						absent := webGet(t, x.node, x.cook, strings.Replace(groupPath, mg.g.Name, "m_nosuch", 1)).Status
						switch {
						case hidden && r.Status != absent:
							t.Errorf("web group: LEAK hidden group answers %d, a missing one %d", r.Status, absent)
						case hidden && x.node == berlin && !refused(r.Status):
							t.Errorf("web group: LEAK hidden group answers %d", r.Status)
						case !hidden && r.Status != http.StatusOK:
							t.Errorf("web group: %d, want 200", r.Status)
						}

						// JSON API.
						r = apiGet(t, x.node, x.token, "/api/v1/statuses/"+postID)
						leak = strings.Contains(r.Body, mg.text)
						if member && (r.Status != http.StatusOK || !leak) {
							t.Errorf("api: member gets %d (content %v)", r.Status, leak)
						} else if !member && (!refused(r.Status) || leak) {
							t.Errorf("api: LEAK %d (content %v)", r.Status, leak)
						}

						// Feeds: the home page (web, "All") shows the post to members only; the
						// API home timeline is the Following tab, which has no group posts.
						if r := apiGet(t, x.node, x.token, "/api/v1/timelines/home"); r.Status != http.StatusOK ||
							strings.Contains(r.Body, mg.text) {
							t.Errorf("api home timeline: %d, shows the group post", r.Status)
						}
						if r := webGet(t, x.node, x.cook, "/"); r.Status != http.StatusOK || strings.Contains(r.Body, mg.text) != member {
							t.Errorf("web home feed: %d, shows the post %v", r.Status, !member)
						}

						// Signed ActivityPub fetch, as the viewer, of the group and the note.
						if x.node == berlin {
							return
						}
						s := x.node.AccountSigner(x.acct)
						r = berlin.SignedGet(s, "/groups/"+mg.g.Name)
						sibling := x.node != consult
						nodeMember := false
						for _, y := range viewers {
							nodeMember = nodeMember || y.node == x.node && (y.state[mg.name] == "member" || y == pia && mg.name == "secret")
						}
						want := mg.name != "siteonly" && (sibling && mg.name != "secret" || nodeMember)
						if want && r.Status != http.StatusOK {
							t.Errorf("ap group: %d, want 200", r.Status)
						} else if !want && !refused(r.Status) {
							t.Errorf("ap group: LEAK %d", r.Status)
						}
						// Group notes go by signed fetch to the nodes with an active member of
						// the group (their own rules then decide who reads them), never of a
						// site-only group, to no other node.
						r = berlin.SignedGet(s, "/posts/"+mg.post.ID)
						if nodeHasMember && mg.name != "siteonly" {
							if r.Status != http.StatusOK || !strings.Contains(r.Body, mg.text) {
								t.Errorf("ap note: member node gets %d", r.Status)
							}
						} else if !refused(r.Status) || strings.Contains(r.Body, mg.text) {
							t.Errorf("ap note: LEAK %d", r.Status)
						}
					})
				}
			}
		})
	}
}

// onHomeOrNil is x's account id on n ("" when n does not know it).
func onHomeOrNil(t *testing.T, n *cluster.Node, x *matrixViewer) string {
	t.Helper()
	if x.node == n {
		return x.acct.ID
	}
	a, err := n.Store.AccountByURI(context.Background(), x.acct.URI)
	if err != nil {
		return ""
	}
	return a.ID
}
