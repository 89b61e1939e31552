package cluster_test

import (
	"context"
	"errors"
	"net/http"
	"net/url"
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

// guestViewer is one viewer of the guest matrix: an account on its own node with a
// session and an API token.
type guestViewer struct {
	name        string
	node        *cluster.Node
	acct        *model.Account
	cook, token string
	// partner: the viewer's node is a partner of the home node, whose people it sees
	// only where they share a group with one of its users.
	partner bool
}

// guestPost is one post of the matrix: made on the home node, found by its token.
type guestPost struct {
	name, token string
	post        *model.Post
}

const day = 24 * time.Hour

// TestGuestAccessMatrix checks the guest scope on three real nodes: Atrium (the home of
// the groups and of a local guest), Branch (a sibling with a guest and a member) and
// Partner (a partner node whose users are guests on Atrium whatever they are at home).
// Every viewer (local guest, the sibling's guest, the partner's user, expired guests,
// a revoked guest) is tried on every page, API endpoint and ActivityPub fetch that shows
// content; each cell is either allowed and shows the content or refused and shows
// nothing of it. Then the clock moves a day on: expiry and revocation end the guests'
// access on their node and on the nodes that knew them, and deliveries for them stop.
func TestGuestAccessMatrix(t *testing.T) {
	for _, dialect := range testrig.Dialects {
		t.Run(dialect, func(t *testing.T) {
			ctx := context.Background()
			clock := &cluster.Clock{}
			nodes := cluster.StartClocked(t, dialect, clock, "Atrium", "Branch", "Partner")
			a, b, d := nodes[0], nodes[1], nodes[2]
			cluster.Connect(a, b)
			a.Allow(d, model.TrustPartner)
			d.Allow(a, model.TrustPartner)
			must := func(what string, err error) {
				t.Helper()
				if err != nil {
					t.Fatalf("%s: %v", what, err)
				}
			}
			settle := func() {
				t.Helper()
				cluster.Settle(t, nodes...)
			}

			// The guest role and its end are terms of the context document every node serves.
			if r := a.SignedGet(nil, activitypub.ContextPath); r.Status != http.StatusOK ||
				!strings.Contains(r.Body, `"`+activitypub.TermRole+`"`) || !strings.Contains(r.Body, `"`+activitypub.TermGuestExpires+`"`) {
				t.Fatalf("context document: %d %s", r.Status, r.Body)
			}

			ann := testrig.CreateAccount(t, a.Social, "ann", model.RoleAdmin)
			boss := testrig.CreateAccount(t, b.Social, "boss", model.RoleAdmin)
			mia, bob := a.User("mia"), a.User("bob")
			bea := b.User("bea")
			dora := d.User("dora")
			guest := func(n *cluster.Node, admin *model.Account, name string, lasts time.Duration) *model.Account {
				t.Helper()
				g := testrig.CreateAccount(t, n.Social, name, model.RoleGuest)
				must("end of "+name, n.Social.Guests.Extend(ctx, admin, g.ID, clock.Now().Add(lasts)))
				return g
			}
			gus, gex, grev := guest(a, ann, "gus", 90*day), guest(a, ann, "gex", day), guest(a, ann, "grev", 90*day)
			bgus, bgex := guest(b, boss, "bgus", 90*day), guest(b, boss, "bgex", day)

			group := func(name, display string, kind model.GroupKind) *model.Group {
				t.Helper()
				g, err := a.Social.Groups.Create(ctx, mia, social.GroupInput{Name: name, DisplayName: display, Kind: kind})
				must("group "+name, err)
				return g
			}
			team := group("gteam", "Teamgroupname", model.GroupClosed)
			proj := group("gproj", "Projgroupname", model.GroupClosed)
			other := group("gother", "Othergroupname", model.GroupOpen)
			secret := group("gsecret", "Secretgroupname", model.GroupSecret)

			// Local memberships on Atrium: guests by invitation only.
			invite := func(g *model.Group, who *model.Account) {
				t.Helper()
				must("invite "+who.Username, a.Social.Groups.Invite(ctx, mia, g.ID, who.ID))
			}
			for _, x := range []*model.Account{gus, gex, grev} {
				invite(team, x)
				_, err := a.Social.Groups.Join(ctx, x, team.ID)
				must("join team", err)
			}
			for _, x := range []*model.Account{gex, grev} {
				invite(proj, x)
				_, err := a.Social.Groups.Join(ctx, x, proj.ID)
				must("join proj", err)
			}
			_, err := a.Social.Groups.Join(ctx, gus, other.ID)
			wantErrIs(t, "guest joins an open group uninvited", err, social.ErrNotFound)
			_, err = a.Social.Groups.Join(ctx, bob, other.ID)
			must("bob joins other", err)
			invite(secret, bob)
			_, err = a.Social.Groups.Join(ctx, bob, secret.ID)
			must("bob joins secret", err)

			// Remote memberships: the sibling's guests and the partner's user by
			// invitation, the sibling's member by joining the open group.
			remoteJoin := func(n *cluster.Node, who *model.Account, g *model.Group) {
				t.Helper()
				cached, err := n.Store.GroupByURI(ctx, g.URI)
				must(n.Name+" caches "+g.Name, err)
				_, err = n.Social.Groups.Join(ctx, who, cached.ID)
				must(who.Username+" joins "+g.Name, err)
			}
			for _, x := range []struct {
				n   *cluster.Node
				who *model.Account
				g   *model.Group
			}{{b, bgus, team}, {b, bgex, team}, {d, dora, team}, {b, bgex, proj}} {
				invite(x.g, a.Find(x.n, x.who.Username))
				settle()
				remoteJoin(x.n, x.who, x.g)
				settle()
			}
			otherOnB, err := b.Social.Groups.Get(ctx, bea, "gother@"+a.Host)
			must("bea finds other", err)
			_, err = b.Social.Groups.Join(ctx, bea, otherOnB.Group.ID)
			must("bea joins other", err)
			must("bea follows mia", b.Social.Follows.Follow(ctx, bea, b.Find(a, "mia").ID))
			settle()
			for _, x := range []struct {
				g   *model.Group
				who *model.Account
			}{{team, gus}, {team, gex}, {team, grev}, {team, bgus}, {team, bgex}, {team, dora}, {proj, bgex}, {other, bea}} {
				if st := membershipState(t, a, x.g.ID, onAtrium(t, a, x.who)); st != model.MemberActive {
					t.Fatalf("%s in %s on Atrium is %q", x.who.Username, x.g.Name, st)
				}
			}
			if r := accountOn(t, a, dora.URI); r == nil || r.Role != model.RoleGuest {
				t.Fatalf("the partner's user on Atrium: %+v", r)
			}

			// Guests follow nobody: refused at home, and a Follow signed by a guest's or a
			// partner user's own key is answered with a Reject on Atrium.
			wantErrIs(t, "sibling guest follows", b.Social.Follows.Follow(ctx, bgus, b.Find(a, "mia").ID), social.ErrForbidden)
			wantErrIs(t, "local guest follows", a.Social.Follows.Follow(ctx, gus, mia.ID), social.ErrForbidden)
			wantErrIs(t, "member follows a guest", a.Social.Follows.Follow(ctx, mia, gus.ID), social.ErrForbidden)
			for _, x := range []struct {
				n   *cluster.Node
				who *model.Account
			}{{b, bgus}, {d, dora}} {
				rawFollow(t, x.n, x.who, a, mia)
			}
			settle()
			for _, who := range []*model.Account{bgus, dora} {
				if n := followsOf(t, a, onAtrium(t, a, who)); n != 0 {
					t.Errorf("%s follows %d people on Atrium", who.Username, n)
				}
			}

			// The posts: one per audience and group, and the local guest's in its group.
			posts := map[string]*guestPost{}
			publish := func(name string, author *model.Account, in social.PostInput) {
				t.Helper()
				gp := &guestPost{name: name, token: strings.ToUpper(name[:1]) + name[1:] + "zeta"}
				in.Source = gp.token + " cellword #gmatrix"
				p, err := a.Social.Posts.Create(ctx, author, in)
				must("post "+name, err)
				gp.post = p
				posts[name] = gp
			}
			publish("company", mia, social.PostInput{Audience: model.AudienceCompany})
			publish("site", mia, social.PostInput{Audience: model.AudienceSite})
			publish("followers", mia, social.PostInput{Audience: model.AudienceFollowers})
			publish("team", mia, social.PostInput{GroupID: team.ID})
			publish("other", bob, social.PostInput{GroupID: other.ID})
			publish("secret", bob, social.PostInput{GroupID: secret.ID})
			publish("proj", mia, social.PostInput{GroupID: proj.ID})
			publish("gus", gus, social.PostInput{GroupID: team.ID})
			for _, aud := range []model.Audience{model.AudienceCompany, model.AudienceSite, model.AudienceFollowers} {
				_, err := a.Social.Posts.Create(ctx, gus, social.PostInput{Source: "nope", Audience: aud})
				wantErrIs(t, "guest posts to "+string(aud), err, social.ErrForbidden)
			}
			settle()

			// Deliveries: the sibling gets the company, its member's and its guests' posts;
			// the partner only the posts of the group its user is in.
			delivered := map[*cluster.Node][]string{
				b: {"company", "followers", "team", "other", "proj", "gus"},
				d: {"team", "gus"},
			}
			for n, want := range delivered {
				for name, gp := range posts {
					if got := postOn(t, n, gp.post.URI) != nil; got != contains(want, name) {
						t.Errorf("delivery of %s to %s: %v, want %v", name, n.Name, got, !got)
					}
				}
			}

			viewers := map[string]*guestViewer{}
			for _, x := range []*guestViewer{
				{name: "local guest", node: a, acct: gus}, {name: "sibling guest", node: b, acct: bgus},
				{name: "partner user", node: d, acct: dora, partner: true}, {name: "expiring guest", node: a, acct: gex},
				{name: "expiring sibling guest", node: b, acct: bgex}, {name: "revoked guest", node: a, acct: grev},
			} {
				x.cook, err = x.node.Social.Auth.Login(ctx, x.acct.Username, testrig.Password, "matrix", "127.0.0.1")
				must("login "+x.name, err)
				x.token, _, err = x.node.Social.Tokens.Create(ctx, x.acct.ID, "matrix")
				must("token "+x.name, err)
				viewers[x.name] = x
			}

			// Web and API, each active viewer on its own node: the posts of its groups
			// only, by every way of reading.
			sees := []string{"team", "gus"}
			for _, name := range []string{"local guest", "sibling guest", "partner user"} {
				x := viewers[name]
				t.Run(name, func(t *testing.T) {
					checkGuestReads(t, x, a, posts, sees)
				})
			}

			// Signed fetches on Atrium: a guest's own key gets its groups only; node keys
			// get what their node's users as a whole may see.
			type signer struct {
				name string
				s    *federation.Signer
			}
			bgusKey, doraKey := signer{"sibling guest key", b.AccountSigner(bgus)}, signer{"partner user key", d.AccountSigner(dora)}
			beaKey := signer{"sibling member key", b.AccountSigner(bea)}
			bNode, dNode := signer{"sibling node key", b.NodeSigner()}, signer{"partner node key", d.NodeSigner()}
			signers := []signer{bgusKey, doraKey, beaKey, bNode, dNode}
			post := func(name string) string { return "/posts/" + posts[name].post.ID }
			fetches := []struct {
				path  string
				token string
				ok    []signer
			}{
				{post("company"), posts["company"].token, []signer{beaKey, bNode}},
				{post("followers"), posts["followers"].token, []signer{beaKey, bNode}},
				{post("site"), posts["site"].token, nil},
				{post("team"), posts["team"].token, signers},
				{post("gus"), posts["gus"].token, signers},
				{post("other"), posts["other"].token, []signer{beaKey, bNode}},
				{post("secret"), posts["secret"].token, nil},
				{"/groups/gteam", "Teamgroupname", signers},
				{"/groups/gother", "Othergroupname", []signer{beaKey, bNode}},
				{"/groups/gsecret", "Secretgroupname", nil},
				{"/groups", "gother", []signer{beaKey, bNode}},
				{federation.DirectoryPath + "?page=1", "/users/bob", []signer{bNode}},
				{"/users/mia", "/users/mia", signers},
				{"/users/bob", "/users/bob", []signer{beaKey, bNode, dNode}},
				{"/company", "/company", []signer{beaKey, bNode, dNode}},
			}
			for _, f := range fetches {
				for _, s := range signers {
					ok := false
					for _, o := range f.ok {
						ok = ok || o.name == s.name
					}
					r := a.SignedGet(s.s, f.path)
					shown := strings.Contains(r.Body, f.token)
					if ok && (r.Status != http.StatusOK || !shown) {
						t.Errorf("ap %s by %s: %d (content %v), want 200", f.path, s.name, r.Status, shown)
					} else if !ok && (!refusedStatus(r.Status) || shown) {
						t.Errorf("ap %s by %s: LEAK %d (content %v)", f.path, s.name, r.Status, shown)
					}
				}
			}

			// The partner's node gets bob, who shares no group with its users, as a key
			// only (see TestGuestPartnerPersons); mia, dora's co-member, in full.
			if r := a.SignedGet(dNode.s, "/users/bob"); r.Status != http.StatusOK ||
				!strings.Contains(r.Body, activitypub.TermProfileWithheld) || strings.Contains(r.Body, `"name"`) {
				t.Errorf("ap /users/bob by the partner node key: %d %s, want the key only", r.Status, r.Body)
			}
			if r := a.SignedGet(dNode.s, "/users/mia"); r.Status != http.StatusOK ||
				strings.Contains(r.Body, activitypub.TermProfileWithheld) || !strings.Contains(r.Body, `"name"`) {
				t.Errorf("ap /users/mia by the partner node key: %d %s, want the profile", r.Status, r.Body)
			}

			// A day later: two guests expire, one is revoked.
			clock.Advance(day + time.Minute)
			must("revoke grev", a.Social.Guests.Revoke(ctx, ann, grev.ID))
			for _, n := range []*cluster.Node{a, b} {
				_, err := n.Social.Guests.ExpireDue(ctx)
				must("sweep "+n.Name, err)
			}
			settle()
			for _, name := range []string{"expiring guest", "expiring sibling guest", "revoked guest"} {
				x := viewers[name]
				t.Run(name, func(t *testing.T) {
					_, err := x.node.Social.Auth.Login(ctx, x.acct.Username, testrig.Password, "matrix", "127.0.0.1")
					wantErrIs(t, "login", err, social.ErrAccountExpired)
					for _, path := range []string{"/", "/groups/" + viewerGroup(x, a, team), "/search?q=cellword"} {
						if r := webGet(t, x.node, x.cook, path); r.Status != http.StatusSeeOther || !strings.HasPrefix(r.Header.Get("Location"), "/login") {
							t.Errorf("web %s: %d to %q, want the login page", path, r.Status, r.Header.Get("Location"))
						}
					}
					for _, path := range []string{"/api/v1/accounts/verify_credentials", "/api/v1/timelines/tag/gmatrix", "/api/v2/search?q=cellword"} {
						if r := apiGet(t, x.node, x.token, path); r.Status != http.StatusUnauthorized || anyToken(r.Body, posts) != "" {
							t.Errorf("api %s: %d, want 401", path, r.Status)
						}
					}
					// On Atrium it is out of every group; every node that knew it has
					// ended it (deactivated its cached account).
					for _, g := range []*model.Group{team, proj} {
						if st := membershipState(t, a, g.ID, onAtrium(t, a, x.acct)); st != "" {
							t.Errorf("still %q in %s on Atrium", st, g.Name)
						}
					}
					for _, n := range nodes {
						if n == x.node {
							continue
						}
						if cached := accountOn(t, n, x.acct.URI); cached != nil {
							cluster.Eventually(t, x.acct.Username+" ended on "+n.Name, func() bool {
								c := accountOn(t, n, x.acct.URI)
								return c.DeactivatedAt != nil
							})
						}
					}
				})
			}
			// The sibling's expired guest's own key fetches nothing any more; its active
			// guest's still does. (Signed on the nodes' clock, a day ahead.)
			clocked := func(who *model.Account) *federation.Signer {
				return cluster.NewSigner(t, activitypub.KeyID(who.URI), b.AccountKey(who), clock.Now)
			}
			for _, path := range []string{post("team"), "/groups/gteam", "/users/mia"} {
				if r := a.SignedGet(clocked(bgex), path); !refusedStatus(r.Status) {
					t.Errorf("ap %s by the expired guest's key: LEAK %d", path, r.Status)
				}
				if r := a.SignedGet(clocked(bgus), path); r.Status != http.StatusOK {
					t.Errorf("ap %s by the active guest's key: %d, want 200", path, r.Status)
				}
			}
			// The active guests keep their access: the clock moved, their end did not come.
			checkGuestReads(t, viewers["local guest"], a, posts, sees)
			checkGuestReads(t, viewers["sibling guest"], a, posts, sees)

			// Deliveries stop for the ended guests: proj has no member left on Branch; the
			// team still goes to Branch and Partner for their active users.
			publish("after", mia, social.PostInput{GroupID: proj.ID})
			publish("teamafter", mia, social.PostInput{GroupID: team.ID})
			settle()
			cluster.Never(t, "a proj post reaches Branch after its guest ended", func() bool {
				return postOn(t, b, posts["after"].post.URI) != nil
			}, a, b)
			for _, n := range []*cluster.Node{b, d} {
				if postOn(t, n, posts["teamafter"].post.URI) == nil {
					t.Errorf("the team post did not reach %s", n.Name)
				}
			}
			// Extended after its end, the local guest is back, without its groups.
			must("extend gex", a.Social.Guests.Extend(ctx, ann, gex.ID, clock.Now().Add(7*day)))
			_, err = a.Social.Auth.Login(ctx, "gex", testrig.Password, "matrix", "127.0.0.1")
			must("login after extension", err)
			settle()
			cluster.Eventually(t, "gex active again on Branch", func() bool {
				c := accountOn(t, b, gex.URI)
				return c != nil && c.DeactivatedAt == nil
			})
			if st := membershipState(t, a, team.ID, gex.ID); st != "" {
				t.Errorf("gex back in team as %q", st)
			}
		})
	}
}

// checkGuestReads checks every page and API endpoint of viewer x's node that shows
// content: the posts named in sees appear where posts are listed, no other post of the
// matrix appears anywhere, and pages outside the guest scope are refused.
func checkGuestReads(t *testing.T, x *guestViewer, home *cluster.Node, posts map[string]*guestPost, sees []string) {
	t.Helper()
	remote := x.node != home
	handle := func(name string) string {
		if remote {
			return name + "@" + home.Host
		}
		return name
	}
	// Pages that list posts: exactly the visible ones.
	for _, path := range []string{"/", "/search?q=cellword", "/tags/gmatrix", "/groups/" + handle("gteam")} {
		r := webGet(t, x.node, x.cook, path)
		if r.Status != http.StatusOK {
			t.Errorf("web %s: %d, want 200", path, r.Status)
		}
		for name, gp := range posts {
			if strings.Contains(r.Body, gp.token) != contains(sees, name) {
				t.Errorf("web %s: shows %s = %v", path, name, !contains(sees, name))
			}
		}
	}
	for _, path := range []string{"/api/v2/search?q=cellword", "/api/v1/timelines/tag/gmatrix"} {
		r := apiGet(t, x.node, x.token, path)
		if r.Status != http.StatusOK {
			t.Errorf("api %s: %d, want 200", path, r.Status)
		}
		for name, gp := range posts {
			if strings.Contains(r.Body, gp.token) != contains(sees, name) {
				t.Errorf("api %s: shows %s = %v", path, name, !contains(sees, name))
			}
		}
	}
	if r := apiGet(t, x.node, x.token, "/api/v1/timelines/home"); r.Status != http.StatusOK || anyToken(r.Body, posts) != "" {
		t.Errorf("api home timeline: %d, shows %q", r.Status, anyToken(r.Body, posts))
	}
	if r := apiGet(t, x.node, x.token, "/api/v1/accounts/verify_credentials"); r.Status != http.StatusOK {
		t.Errorf("api verify_credentials: %d", r.Status)
	}
	// Every post by itself: allowed for the visible ones, refused without content else.
	for name, gp := range posts {
		id := gp.post.ID
		if remote {
			local := postOn(t, x.node, gp.post.URI)
			if local == nil {
				if contains(sees, name) {
					t.Errorf("%s never reached %s", name, x.node.Name)
				}
				continue
			}
			id = local.ID
		}
		for _, r := range []struct {
			via string
			res cluster.Response
		}{{"web", webGet(t, x.node, x.cook, "/posts/"+id)}, {"api", apiGet(t, x.node, x.token, "/api/v1/statuses/"+id)}} {
			shown := strings.Contains(r.res.Body, gp.token)
			if contains(sees, name) && (r.res.Status != http.StatusOK || !shown) {
				t.Errorf("%s post %s: %d (content %v), want 200", r.via, name, r.res.Status, shown)
			} else if !contains(sees, name) && (!refusedStatus(r.res.Status) || shown) {
				t.Errorf("%s post %s: LEAK %d (content %v)", r.via, name, r.res.Status, shown)
			}
		}
	}
	// Groups: its own in the list and by name, no other.
	r := webGet(t, x.node, x.cook, "/groups")
	if r.Status != http.StatusOK || !strings.Contains(r.Body, "Teamgroupname") ||
		strings.Contains(r.Body, "Othergroupname") || strings.Contains(r.Body, "Secretgroupname") {
		t.Errorf("web group list: %d, want its group only", r.Status)
	}
	for _, g := range []string{"gother", "gsecret"} {
		if r := webGet(t, x.node, x.cook, "/groups/"+handle(g)); r.Status == http.StatusOK || strings.Contains(r.Body, "groupname") {
			t.Errorf("web group %s: LEAK %d", g, r.Status)
		}
	}
	// People: itself and the people of its groups; no directory, no org chart.
	guest := x.acct.IsGuest()
	for _, c := range []struct {
		path string
		ok   bool
	}{
		{"/users/" + x.acct.Username, true},
		{"/users/" + handle("mia"), true},
		{"/users/" + handle("bob"), !guest && !x.partner},
	} {
		r := webGet(t, x.node, x.cook, c.path)
		if c.ok != (r.Status == http.StatusOK) {
			t.Errorf("web %s: %d, want allowed %v", c.path, r.Status, c.ok)
		}
	}
	for _, path := range []string{"/people", "/org", "/people?q=" + url.QueryEscape("bob")} {
		r := webGet(t, x.node, x.cook, path)
		switch {
		case guest && !refusedStatus(r.Status):
			t.Errorf("web %s: LEAK %d", path, r.Status)
		case strings.Contains(r.Body, home.Host) && x.node != home:
			// A partner's directory never holds the home node's people.
			t.Errorf("web %s: LEAK of %s's people", path, home.Name)
		}
	}
}

// viewerGroup is the handle of g as x's node names it.
func viewerGroup(x *guestViewer, home *cluster.Node, g *model.Group) string {
	if x.node == home {
		return g.Name
	}
	return g.Name + "@" + home.Host
}

// rawFollow sends, signed with who's own key, who's Follow of target (an account of
// home) to home's shared inbox, and checks that home takes it (202).
func rawFollow(t *testing.T, n *cluster.Node, who *model.Account, home *cluster.Node, target *model.Account) {
	t.Helper()
	f := &model.Follow{FollowerID: who.ID, FolloweeID: target.ID, URI: model.NewURIs(n.URL).Follow(who.Username, "raw1")}
	act, err := activitypub.NewFollow(f, who, target)
	if err != nil {
		t.Fatal(err)
	}
	body, err := activitypub.Marshal(n.URL, act)
	if err != nil {
		t.Fatal(err)
	}
	if r := home.SignedPost(n.AccountSigner(who), "/inbox", body); r.Status != http.StatusAccepted {
		t.Fatalf("raw follow by %s: %d %s", who.Username, r.Status, r.Body)
	}
}

// onAtrium is who's account id on n, failing when n does not know it.
func onAtrium(t *testing.T, n *cluster.Node, who *model.Account) string {
	t.Helper()
	c := accountOn(t, n, who.URI)
	if c == nil {
		t.Fatalf("%s does not know %s", n.Name, who.URI)
	}
	return c.ID
}

// accountOn is the account uri as n stores it, nil when n does not know it.
func accountOn(t *testing.T, n *cluster.Node, uri string) *model.Account {
	t.Helper()
	a, err := n.Store.AccountByURI(context.Background(), uri)
	if errors.Is(err, social.ErrNotFound) {
		return nil
	} else if err != nil {
		t.Fatalf("%s: account %s: %v", n.Name, uri, err)
	}
	return a
}

// followsOf counts the follows the account id has or is the object of on n.
func followsOf(t *testing.T, n *cluster.Node, id string) int {
	t.Helper()
	c, err := n.Store.DB().NewSelect().Table("follows").Where("follower_id = ? OR followee_id = ?", id, id).Count(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return int(c)
}

func refusedStatus(status int) bool {
	return status == http.StatusNotFound || status == http.StatusForbidden || status == http.StatusUnauthorized
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// anyToken is the token of a matrix post that body shows, "" for none.
func anyToken(body string, posts map[string]*guestPost) string {
	for _, gp := range posts {
		if strings.Contains(body, gp.token) {
			return gp.token
		}
	}
	return ""
}

func wantErrIs(t *testing.T, what string, err, target error) {
	t.Helper()
	if !errors.Is(err, target) {
		t.Fatalf("%s: %v, want %v", what, err, target)
	}
}
