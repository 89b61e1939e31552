package cluster_test

import (
	"context"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/atrium-intranet/atrium/activitypub"
	"github.com/atrium-intranet/atrium/federation"
	"github.com/atrium-intranet/atrium/internal/cluster"
	"github.com/atrium-intranet/atrium/internal/testrig"
	"github.com/atrium-intranet/atrium/model"
	"github.com/atrium-intranet/atrium/social"
)

// fetchGroupSigner signs with the key of g, a local group of n, as n's worker does for
// the group's own activities.
func fetchGroupSigner(t *testing.T, n *cluster.Node, g *model.Group) *federation.Signer {
	t.Helper()
	stored, err := n.Store.Group(context.Background(), g.ID)
	if err != nil {
		t.Fatal(err)
	}
	block, _ := pem.Decode([]byte(stored.PrivateKeyPEM))
	if block == nil {
		t.Fatalf("group %s: no private key", g.Name)
	}
	k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	rk, ok := k.(*rsa.PrivateKey)
	if !ok {
		t.Fatalf("group key is %T", k)
	}
	return cluster.NewSigner(t, activitypub.KeyID(stored.URI), rk, nil)
}

// fetchActiveMember makes acct (remote, known to home) an active member of g on its
// home node directly: remote invitations to secret groups, and members of site-only
// groups on other nodes, do not come about through the rules.
func fetchActiveMember(t *testing.T, home *cluster.Node, g *model.Group, acct *model.Account) {
	t.Helper()
	now := time.Now().UTC()
	err := home.Store.SaveMembership(context.Background(), &model.Membership{GroupID: g.ID, AccountID: acct.ID,
		Role: model.GroupMember, State: model.MemberActive, FollowURI: acct.URI + "/follows/" + g.Name, CreatedAt: now, UpdatedAt: now})
	if err != nil {
		t.Fatal(err)
	}
}

// TestGroupNoteFetchAcrossNodes GETs group posts signed by other nodes: a group's home
// node serves them to the nodes with an active member (partners included) and to no
// other, never pending posts, never posts of site-only groups, and no longer once the
// member is removed. A member's node serves its user's post in a remote group to the
// group's home node only.
func TestGroupNoteFetchAcrossNodes(t *testing.T) {
	for _, dialect := range testrig.Dialects {
		t.Run(dialect, func(t *testing.T) {
			ctx := context.Background()
			nodes := cluster.Start(t, dialect, "Berlin", "Munich", "Vienna", "Consult")
			berlin, munich, vienna, consult := nodes[0], nodes[1], nodes[2], nodes[3]
			cluster.Connect(berlin, munich, vienna)
			berlin.Allow(consult, model.TrustPartner)
			consult.Allow(berlin, model.TrustPartner)
			alice, amy := berlin.User("alice"), berlin.User("amy")
			bob, pia := munich.User("bob"), consult.User("pia")
			vienna.User("carl")

			open := newGroup(t, berlin, alice, "f_open", model.GroupOpen, false)
			closed := newGroup(t, berlin, alice, "f_closed", model.GroupClosed, false)
			secret := newGroup(t, berlin, alice, "f_secret", model.GroupSecret, false)
			site := newGroup(t, berlin, alice, "f_site", model.GroupOpen, true)
			news, err := berlin.Social.Groups.Create(ctx, alice, social.GroupInput{Name: "f_news", DisplayName: "News",
				Kind: model.GroupOpen, PreModeration: true})
			if err != nil {
				t.Fatal(err)
			}
			join := func(n *cluster.Node, who *model.Account, g *model.Group) *model.Group {
				t.Helper()
				v, err := n.Social.Groups.Get(ctx, who, g.Name+"@"+berlin.Host)
				if err != nil {
					t.Fatalf("%s gets %s: %v", n.Name, g.Name, err)
				}
				if _, err := n.Social.Groups.Join(ctx, who, v.Group.ID); err != nil {
					t.Fatalf("%s joins %s: %v", who.Username, g.Name, err)
				}
				return v.Group
			}
			openB := join(munich, bob, open)
			join(munich, bob, closed)
			join(munich, bob, news)
			if err := berlin.Social.Groups.Invite(ctx, alice, open.ID, berlin.Find(consult, "pia").ID); err != nil {
				t.Fatal(err)
			}
			cluster.Settle(t, nodes...)
			join(consult, pia, open)
			cluster.Settle(t, nodes...)
			bobHome := berlin.Find(munich, "bob")
			if err := berlin.Social.Groups.Decide(ctx, alice, closed.ID, bobHome.ID, true); err != nil {
				t.Fatal(err)
			}
			fetchActiveMember(t, berlin, secret, bobHome)
			fetchActiveMember(t, berlin, site, bobHome)
			if _, err := berlin.Social.Groups.Join(ctx, amy, news.ID); err != nil {
				t.Fatal(err)
			}
			cluster.Settle(t, nodes...)
			for _, g := range []*model.Group{open, closed, secret, site, news} {
				if st := membershipState(t, berlin, g.ID, bobHome.ID); st != model.MemberActive {
					t.Fatalf("bob is %q in %s", st, g.Name)
				}
			}
			if st := membershipState(t, berlin, open.ID, berlin.Find(consult, "pia").ID); st != model.MemberActive {
				t.Fatalf("pia is %q in %s", st, open.Name)
			}

			post := func(n *cluster.Node, author *model.Account, g *model.Group, src string) *model.Post {
				t.Helper()
				p, err := n.Social.Posts.Create(ctx, author, social.PostInput{Source: src, GroupID: g.ID})
				if err != nil {
					t.Fatal(err)
				}
				return p
			}
			inOpen, inClosed := post(berlin, alice, open, "Fetch-open"), post(berlin, alice, closed, "Fetch-closed")
			inSecret, inSite := post(berlin, alice, secret, "Fetch-secret"), post(berlin, alice, site, "Fetch-site")
			pending := post(berlin, amy, news, "Fetch-pending")
			if pending.State != model.PostPending {
				t.Fatalf("amy's post is %q, want pending", pending.State)
			}
			comment, err := berlin.Social.Posts.Create(ctx, alice, social.PostInput{Source: "Fetch-comment", InReplyToID: inOpen.ID})
			if err != nil {
				t.Fatal(err)
			}
			byBob := post(munich, bob, openB, "Fetch-by-bob")
			cluster.Settle(t, nodes...)

			type want struct{ munich, vienna, consult int }
			const ok, no = http.StatusOK, http.StatusNotFound
			check := func(p *model.Post, g *model.Group, w want) {
				t.Helper()
				for _, c := range []struct {
					n    *cluster.Node
					want int
				}{{munich, w.munich}, {vienna, w.vienna}, {consult, w.consult}} {
					r := berlin.SignedGet(c.n.NodeSigner(), notePath(t, p))
					if r.Status != c.want {
						t.Errorf("%s of %s to %s: %d, want %d", p.Source, g.Name, c.n.Name, r.Status, c.want)
						continue
					}
					if r.Status != ok {
						if strings.Contains(r.Body, p.Source) {
							t.Errorf("%s to %s: the refusal shows the post", p.Source, c.n.Name)
						}
						continue
					}
					var doc map[string]interface{}
					if err := json.Unmarshal([]byte(r.Body), &doc); err != nil || doc["audience"] != g.URI || doc["to"] != g.URI {
						t.Errorf("%s to %s: %v %s", p.Source, c.n.Name, err, r.Body)
					}
				}
			}
			check(inOpen, open, want{ok, no, ok})
			check(comment, open, want{ok, no, ok})
			check(inClosed, closed, want{ok, no, no})
			check(inSecret, secret, want{ok, no, no})
			check(inSite, site, want{no, no, no})
			check(pending, news, want{no, no, no})
			// Signed by the member rather than the node: the same answer.
			if r := berlin.SignedGet(munich.AccountSigner(bob), notePath(t, inClosed)); r.Status != ok {
				t.Errorf("closed post to bob's own key: %d", r.Status)
			}

			// Bob's post lives on Munich: the group's home may fetch it there, nobody else.
			if r := munich.SignedGet(berlin.NodeSigner(), notePath(t, byBob)); r.Status != ok || !strings.Contains(r.Body, open.URI) {
				t.Errorf("bob's post to the group's home: %d %s", r.Status, r.Body)
			}
			if r := munich.SignedGet(vienna.NodeSigner(), notePath(t, byBob)); r.Status != no {
				t.Errorf("bob's post to Vienna: %d", r.Status)
			}

			// Removing Munich's only member closes the door for Munich.
			if err := berlin.Social.Groups.Remove(ctx, alice, closed.ID, bobHome.ID, false); err != nil {
				t.Fatal(err)
			}
			cluster.Settle(t, nodes...)
			check(inClosed, closed, want{no, no, no})
			check(inOpen, open, want{ok, no, ok})
		})
	}
}

// TestGroupRejectAcrossNodes rejects a member's pending post on the group's home node:
// the group's Reject reaches the author's node, which drops its pending copy. A Reject
// signed by another group, by a person, or with a key not the group's changes nothing.
func TestGroupRejectAcrossNodes(t *testing.T) {
	for _, dialect := range testrig.Dialects {
		t.Run(dialect, func(t *testing.T) {
			ctx := context.Background()
			nodes := cluster.Start(t, dialect, "Berlin", "Munich", "Vienna")
			berlin, munich, vienna := nodes[0], nodes[1], nodes[2]
			cluster.Connect(berlin, munich, vienna)
			alice, bob, carl := berlin.User("alice"), munich.User("bob"), vienna.User("carl")
			news, err := berlin.Social.Groups.Create(ctx, alice, social.GroupInput{Name: "r_news", DisplayName: "News",
				Kind: model.GroupOpen, PreModeration: true})
			if err != nil {
				t.Fatal(err)
			}
			other := newGroup(t, berlin, alice, "r_other", model.GroupOpen, false)
			join := func(n *cluster.Node, who *model.Account, g *model.Group) *model.Group {
				t.Helper()
				v, err := n.Social.Groups.Get(ctx, who, g.Name+"@"+berlin.Host)
				if err != nil {
					t.Fatal(err)
				}
				if _, err := n.Social.Groups.Join(ctx, who, v.Group.ID); err != nil {
					t.Fatal(err)
				}
				return v.Group
			}
			newsB := join(munich, bob, news)
			join(munich, bob, other)
			join(vienna, carl, news)
			cluster.Settle(t, nodes...)

			p, err := munich.Social.Posts.Create(ctx, bob, social.PostInput{Source: "Please reject me", GroupID: newsB.ID})
			if err != nil {
				t.Fatal(err)
			}
			if p.State != model.PostPending {
				t.Fatalf("bob's post is %q on Munich, want pending", p.State)
			}
			cluster.Settle(t, nodes...)
			onBerlin := postOn(t, berlin, p.URI)
			if onBerlin == nil || onBerlin.State != model.PostPending {
				t.Fatalf("Berlin has %+v, want it pending", onBerlin)
			}
			pendingOnMunich := func(what string) {
				t.Helper()
				if q := postOn(t, munich, p.URI); q == nil || q.State != model.PostPending {
					t.Fatalf("%s: Munich has %+v, want it pending", what, q)
				}
			}

			// Forged rejections, straight to Munich's inbox.
			rejectJSON := func(g *model.Group) []byte {
				t.Helper()
				a, err := activitypub.NewGroupRejectPost(g.URI, bob.URI, p.URI)
				if err != nil {
					t.Fatal(err)
				}
				b, err := activitypub.Marshal(berlin.URL, a)
				if err != nil {
					t.Fatal(err)
				}
				return b
			}
			byPerson, err := json.Marshal(map[string]interface{}{
				"@context": "https://www.w3.org/ns/activitystreams", "id": alice.URI + "#rejects/1", "type": "Reject",
				"actor": alice.URI, "to": bob.URI,
				"object": map[string]interface{}{"id": p.URI + "#create", "type": "Create", "actor": bob.URI, "object": p.URI},
			})
			if err != nil {
				t.Fatal(err)
			}
			before := munich.Counts()
			for _, f := range []struct {
				name string
				s    *federation.Signer
				body []byte
			}{
				{"another group", fetchGroupSigner(t, berlin, other), rejectJSON(other)},
				{"a person", berlin.AccountSigner(alice), byPerson},
				{"the group's id with a person's key", berlin.AccountSigner(alice), rejectJSON(news)},
				{"the group's id with another group's key", fetchGroupSigner(t, berlin, other), rejectJSON(news)},
				{"the group's id with the node's key", berlin.NodeSigner(), rejectJSON(news)},
			} {
				r := munich.SignedPost(f.s, "/inbox", f.body)
				if r.Status < 400 || r.Status >= 500 {
					t.Errorf("%s: %d %s, want a refusal", f.name, r.Status, r.Body)
				}
				pendingOnMunich(f.name)
			}
			sameCounts(t, munich, before)

			// The moderator rejects: Berlin drops it and tells Munich only, as the group.
			if err := berlin.Social.Groups.Moderate(ctx, alice, onBerlin.ID, false); err != nil {
				t.Fatal(err)
			}
			told := 0
			for _, d := range berlin.Deliveries() {
				if !strings.Contains(d.Payload, `"Reject"`) || !strings.Contains(d.Payload, p.URI) {
					continue
				}
				told++
				if d.GroupID == nil || *d.GroupID != news.ID || !strings.HasPrefix(d.InboxURI, munich.URL) {
					t.Errorf("rejection delivery %+v", d)
				}
			}
			if told != 1 {
				t.Errorf("%d deliveries of the rejection, want 1 (to Munich)", told)
			}
			if postOn(t, berlin, p.URI) != nil {
				t.Error("the rejected post is still on Berlin")
			}
			cluster.Eventually(t, "the rejected post gone from Munich", func() bool { return postOn(t, munich, p.URI) == nil })
			cluster.Settle(t, nodes...)
			if postOn(t, vienna, p.URI) != nil {
				t.Error("the rejected post reached Vienna")
			}
			if _, err := munich.Social.Posts.View(ctx, bob, p.ID); err == nil {
				t.Error("bob still sees his rejected post")
			}
			// Another pending post of bob's stays pending until its own decision.
			again, err := munich.Social.Posts.Create(ctx, bob, social.PostInput{Source: "Second try", GroupID: newsB.ID})
			if err != nil {
				t.Fatal(err)
			}
			cluster.Settle(t, nodes...)
			if q := postOn(t, munich, again.URI); q == nil || q.State != model.PostPending {
				t.Errorf("the second post on Munich: %+v", q)
			}
		})
	}
}
