package cluster_test

import (
	"context"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/atrium-intranet/atrium/activitypub"
	"github.com/atrium-intranet/atrium/federation"
	"github.com/atrium-intranet/atrium/internal/cluster"
	"github.com/atrium-intranet/atrium/internal/testrig"
	"github.com/atrium-intranet/atrium/model"
	"github.com/atrium-intranet/atrium/social"
	"github.com/atrium-intranet/atrium/storage"
)

// webPost submits form to path on n as a browser with the session secret ck, adding
// the session's CSRF token.
func webPost(t *testing.T, n *cluster.Node, ck, path string, form url.Values) cluster.Response {
	t.Helper()
	sess, _, err := n.Social.Auth.Session(context.Background(), ck)
	if err != nil {
		t.Fatalf("%s: session: %v", n.Name, err)
	}
	form.Set("csrf", sess.CSRFToken)
	req := n.NewRequest(http.MethodPost, path, []byte(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.AddCookie(&http.Cookie{Name: "atrium_session", Value: ck})
	return n.Do(req)
}

// groupSigner signs as the local group g of n, with the group's own key.
func groupSigner(t *testing.T, n *cluster.Node, g *model.Group) *federation.Signer {
	t.Helper()
	stored, err := n.Store.Group(context.Background(), g.ID)
	if err != nil {
		t.Fatal(err)
	}
	block, _ := pem.Decode([]byte(stored.PrivateKeyPEM))
	if block == nil {
		t.Fatal("group key: no PEM block")
	}
	k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	return cluster.NewSigner(t, activitypub.KeyID(g.URI), k.(*rsa.PrivateKey), nil)
}

// invitations is what the invitee's node lists for who.
func invitations(t *testing.T, n *cluster.Node, who *model.Account) []*social.GroupInvitation {
	t.Helper()
	list, err := n.Social.Groups.Invitations(context.Background(), who)
	if err != nil {
		t.Fatalf("%s: invitations of %s: %v", n.Name, who.Username, err)
	}
	return list
}

// cachedGroup is n's copy of the group with actor id uri, nil when n has none.
func cachedGroup(t *testing.T, n *cluster.Node, uri string) *model.Group {
	t.Helper()
	g, err := n.Store.GroupByURI(context.Background(), uri)
	if errors.Is(err, storage.ErrNotFound) {
		return nil
	} else if err != nil {
		t.Fatal(err)
	}
	return g
}

// TestGroupInvitationsAcrossNodes invites accounts of a sibling and of a partner into a
// secret group: their nodes show the invitation (and the group, to the invitee only), an
// accepted one makes a member who gets the group's posts, a declined or withdrawn one is
// gone on both nodes, a node without invitee never sees the group, and forged
// invitations are refused without a trace.
func TestGroupInvitationsAcrossNodes(t *testing.T) {
	for _, dialect := range testrig.Dialects {
		t.Run(dialect, func(t *testing.T) {
			ctx := context.Background()
			nodes := cluster.Start(t, dialect, "Berlin", "Munich", "Vienna", "Consult")
			berlin, munich, vienna, consult := nodes[0], nodes[1], nodes[2], nodes[3]
			cluster.Connect(berlin, munich, vienna)
			berlin.Allow(consult, model.TrustPartner)
			consult.Allow(berlin, model.TrustPartner)
			all := []*cluster.Node{berlin, munich, vienna, consult}
			alice := berlin.User("alice")
			bob, vic := munich.User("bob"), munich.User("vic")
			vienna.User("carl")
			pat := consult.User("pat")
			board := newGroup(t, berlin, alice, "board", model.GroupSecret, false)
			chess := newGroup(t, berlin, alice, "chess", model.GroupOpen, false)
			remoteName := "board@" + berlin.Host

			if r := berlin.SignedGet(munich.NodeSigner(), "/groups/board"); r.Status != http.StatusNotFound {
				t.Fatalf("Munich reads the secret group before any invitation: %d", r.Status)
			}

			// The invitation form takes a remote handle; the partner's user is invited too.
			ck, err := berlin.Social.Auth.Login(ctx, "alice", testrig.Password, "test", "127.0.0.1")
			if err != nil {
				t.Fatal(err)
			}
			r := webPost(t, berlin, ck, "/groups/board/members", url.Values{"handle": {"@bob@" + munich.Host}})
			if r.Status != http.StatusSeeOther || r.Header.Get("Location") != "/groups/board/members?notice=group_invited" {
				t.Fatalf("invite form: %d %s %s", r.Status, r.Header.Get("Location"), r.Body)
			}
			patHome := berlin.Find(consult, "pat")
			if err := berlin.Social.Groups.Invite(ctx, alice, board.ID, patHome.ID); err != nil {
				t.Fatal(err)
			}
			bobHome := berlin.Find(munich, "bob")
			if got := membershipState(t, berlin, board.ID, bobHome.ID); got != model.MemberInvited {
				t.Fatalf("Berlin: bob is %q", got)
			}
			cluster.Settle(t, all...)

			// Each invitee's node shows the invitation, and the group to the invitee only.
			for _, c := range []struct {
				n   *cluster.Node
				who *model.Account
			}{{munich, bob}, {consult, pat}} {
				list := invitations(t, c.n, c.who)
				if len(list) != 1 || list[0].Group.URI != board.URI || list[0].Group.Kind != model.GroupSecret ||
					list[0].InvitedBy == nil || list[0].InvitedBy.URI != alice.URI {
					t.Fatalf("%s: invitations of %s: %+v", c.n.Name, c.who.Username, list)
				}
				v, err := c.n.Social.Groups.Get(ctx, c.who, remoteName)
				if err != nil || !v.CanJoin || v.Membership == nil || v.Membership.State != model.MemberInvited {
					t.Fatalf("%s: %s's view of the group: %+v %v", c.n.Name, c.who.Username, v, err)
				}
				secret, err := c.n.Social.Auth.Login(ctx, c.who.Username, testrig.Password, "test", "127.0.0.1")
				if err != nil {
					t.Fatal(err)
				}
				if r := webGet(t, c.n, secret, "/groups"); r.Status != http.StatusOK ||
					!strings.Contains(r.Body, "/groups/"+remoteName+"/decline") || !strings.Contains(r.Body, "Invitations") {
					t.Errorf("%s: /groups of %s: %d without the invitation", c.n.Name, c.who.Username, r.Status)
				}
				if r := webGet(t, c.n, secret, "/groups/"+remoteName); r.Status != http.StatusOK ||
					!strings.Contains(r.Body, "Accept invitation") {
					t.Errorf("%s: group page for %s: %d", c.n.Name, c.who.Username, r.Status)
				}
			}
			if _, err := munich.Social.Groups.Get(ctx, vic, remoteName); !errors.Is(err, social.ErrNotFound) {
				t.Errorf("Munich shows the secret group to vic: %v", err)
			}
			if r := berlin.SignedGet(vienna.NodeSigner(), "/groups/board"); r.Status != http.StatusNotFound {
				t.Errorf("Vienna reads the secret group: %d", r.Status)
			}
			if cachedGroup(t, vienna, board.URI) != nil {
				t.Error("Vienna knows the secret group")
			}

			// Forged invitations are refused and store nothing: by a person, by another
			// group's key, by a group into another group, unsigned.
			invite := func(groupURI, object, id string) []byte {
				t.Helper()
				in := activitypub.GroupInvite{ID: id, GroupURI: groupURI, InviteeURI: vic.URI}
				a, err := activitypub.NewGroupInvite(in)
				if err != nil {
					t.Fatal(err)
				}
				body, err := activitypub.Marshal(berlin.URL, a)
				if err != nil {
					t.Fatal(err)
				}
				return []byte(strings.Replace(string(body), `"object":"`+groupURI+`"`, `"object":"`+object+`"`, 1))
			}
			for _, c := range []struct {
				name   string
				signer *federation.Signer
				body   []byte
			}{
				{"by a person", berlin.AccountSigner(alice), invite(alice.URI, alice.URI, alice.URI+"#invites/f1")},
				{"as the group, signed by a person", berlin.AccountSigner(alice), invite(board.URI, board.URI, board.URI+"#invites/f2")},
				{"as the group, signed by another group", groupSigner(t, berlin, chess), invite(board.URI, board.URI, board.URI+"#invites/f3")},
				{"into another group", groupSigner(t, berlin, chess), invite(chess.URI, board.URI, chess.URI+"#invites/f4")},
				{"unsigned", nil, invite(board.URI, board.URI, board.URI+"#invites/f5")},
			} {
				r := munich.SignedPost(c.signer, "/inbox", c.body)
				t.Logf("forged invite %s: %d %s", c.name, r.Status, r.Body)
				if r.Status < 400 || r.Status >= 500 {
					t.Errorf("forged invite %s: %d %s", c.name, r.Status, r.Body)
				}
			}
			if list := invitations(t, munich, vic); len(list) != 0 {
				t.Errorf("forged invitations stored: %+v", list)
			}
			if n := munich.Count("group_members"); n != 1 {
				t.Errorf("Munich has %d memberships, want bob's only", n)
			}

			// bob accepts: active on both nodes, and the group's posts reach Munich.
			boardB := cachedGroup(t, munich, board.URI)
			if st, err := munich.Social.Groups.Join(ctx, bob, boardB.ID); err != nil || st != model.MemberRequested {
				t.Fatalf("bob accepts: %q %v", st, err)
			}
			cluster.Settle(t, all...)
			if got := membershipState(t, berlin, board.ID, bobHome.ID); got != model.MemberActive {
				t.Fatalf("Berlin: bob is %q after accepting", got)
			}
			if got := membershipState(t, munich, boardB.ID, bob.ID); got != model.MemberActive {
				t.Fatalf("Munich: bob is %q after accepting", got)
			}

			// pat declines: the invitation is gone on both nodes.
			boardD := cachedGroup(t, consult, board.URI)
			secret, err := consult.Social.Auth.Login(ctx, "pat", testrig.Password, "test", "127.0.0.1")
			if err != nil {
				t.Fatal(err)
			}
			r = webPost(t, consult, secret, "/groups/"+remoteName+"/decline", url.Values{})
			if r.Status != http.StatusSeeOther {
				t.Fatalf("decline: %d %s", r.Status, r.Body)
			}
			cluster.Settle(t, all...)
			if got := membershipState(t, berlin, board.ID, patHome.ID); got != "" {
				t.Errorf("Berlin: pat is %q after declining", got)
			}
			if got := membershipState(t, consult, boardD.ID, pat.ID); got != "" {
				t.Errorf("Consult: pat is %q after declining", got)
			}
			if r := berlin.SignedGet(consult.NodeSigner(), "/groups/board"); r.Status != http.StatusNotFound {
				t.Errorf("Consult still reads the secret group: %d", r.Status)
			}

			post, err := berlin.Social.Posts.Create(ctx, alice, social.PostInput{Source: "Agenda", GroupID: board.ID})
			if err != nil {
				t.Fatal(err)
			}
			cluster.Settle(t, all...)
			if p := postOn(t, munich, post.URI); p == nil || p.GroupID == nil || *p.GroupID != boardB.ID {
				t.Fatalf("Munich has %+v", p)
			}
			cluster.Never(t, "the secret group's post on Consult or Vienna", func() bool {
				return postOn(t, consult, post.URI) != nil || postOn(t, vienna, post.URI) != nil
			}, all...)

			// A withdrawn invitation disappears on the invitee's node.
			vicHome := berlin.Find(munich, "vic")
			if err := berlin.Social.Groups.Invite(ctx, alice, board.ID, vicHome.ID); err != nil {
				t.Fatal(err)
			}
			cluster.Settle(t, all...)
			if list := invitations(t, munich, vic); len(list) != 1 {
				t.Fatalf("vic's invitations: %+v", list)
			}
			if err := berlin.Social.Groups.Remove(ctx, alice, board.ID, vicHome.ID, false); err != nil {
				t.Fatal(err)
			}
			cluster.Settle(t, all...)
			if list := invitations(t, munich, vic); len(list) != 0 {
				t.Errorf("vic's withdrawn invitation is still listed: %+v", list)
			}
			if _, err := munich.Social.Groups.Get(ctx, vic, remoteName); !errors.Is(err, social.ErrNotFound) {
				t.Errorf("vic still sees the secret group: %v", err)
			}
			if got := membershipState(t, munich, boardB.ID, bob.ID); got != model.MemberActive {
				t.Errorf("Munich: bob is %q after vic's withdrawal", got)
			}
			for _, n := range all {
				for _, d := range n.Deliveries() {
					if d.Status == model.DeliveryFailed {
						t.Errorf("%s: failed delivery %s to %s: %s", n.Name, d.ActivityID, d.InboxURI, d.LastError)
					}
				}
			}
		})
	}
}
