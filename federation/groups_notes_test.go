package federation

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/atrium-intranet/atrium/activitypub"
	"github.com/atrium-intranet/atrium/internal/testrig"
	"github.com/atrium-intranet/atrium/model"
	"github.com/atrium-intranet/atrium/social"
	"github.com/atrium-intranet/atrium/storage"
)

// hostOf is the host:port of an origin, as remote accounts and groups store it.
func hostOf(origin string) string { return strings.TrimPrefix(origin, "http://") }

// joinAs stores acct's membership of g in state.
func (w *world) joinAs(g *model.Group, acct *model.Account, state model.MemberState) {
	w.t.Helper()
	now := w.clock.Now()
	err := w.store.SaveMembership(w.ctx, &model.Membership{GroupID: g.ID, AccountID: acct.ID, Role: model.GroupMember,
		State: state, FollowURI: acct.URI + "/follows/" + g.Name, CreatedAt: now, UpdatedAt: now})
	if err != nil {
		w.t.Fatal(err)
	}
}

// remoteGroup caches a group of the peer p, whose key is pub's.
func (w *world) remoteGroup(p *fakePeer, name, pub string, pre bool) *model.Group {
	w.t.Helper()
	uri := p.origin + "/groups/" + name
	g, err := w.svc.Remote.UpsertGroup(w.ctx, model.Group{Name: name, Domain: hostOf(p.origin), URI: uri,
		InboxURI: uri + "/inbox", SharedInboxURI: p.origin + "/inbox", Kind: model.GroupOpen, PreModeration: pre, PublicKeyPEM: pub})
	if err != nil {
		w.t.Fatal(err)
	}
	return g
}

// TestGroupNoteFetch serves a group's posts by signed fetch only to the nodes of its
// active members (the group's home node for a post in a remote group), never pending
// posts nor site-only groups' posts, with the group as the Note's audience.
func TestGroupNoteFetch(t *testing.T) {
	testrig.EachDB(t, func(t *testing.T, store *storage.Store) {
		w := newWorld(t, store)
		alice, lou := w.member("alice"), w.member("lou")
		mk := func(name string, kind model.GroupKind, siteOnly, pre bool) *model.Group {
			g, err := w.svc.Groups.Create(w.ctx, alice, social.GroupInput{Name: name, DisplayName: name, Kind: kind,
				SiteOnly: siteOnly, PreModeration: pre})
			if err != nil {
				t.Fatal(err)
			}
			return g
		}
		open, closed, secret := mk("open", model.GroupOpen, false, false), mk("closed", model.GroupClosed, false, false), mk("secret", model.GroupSecret, false, false)
		site, news := mk("canteen", model.GroupOpen, true, false), mk("news", model.GroupOpen, false, true)
		bob := testrig.InsertRemoteAccount(t, store, "bob", hostOf(w.b.origin))
		carol := testrig.InsertRemoteAccount(t, store, "carol", hostOf(w.b.origin))
		pat := testrig.InsertRemoteAccount(t, store, "pat", hostOf(w.c.origin))
		w.joinAs(open, bob, model.MemberActive)
		w.joinAs(open, pat, model.MemberActive)
		w.joinAs(closed, bob, model.MemberRequested)
		w.joinAs(secret, bob, model.MemberInvited)
		w.joinAs(site, bob, model.MemberActive) // cannot happen by the rules; still never served
		w.joinAs(news, bob, model.MemberActive)
		w.joinAs(news, lou, model.MemberActive)

		post := func(author *model.Account, g *model.Group, src string) *model.Post {
			p, err := w.svc.Posts.Create(w.ctx, author, social.PostInput{Source: src, GroupID: g.ID})
			if err != nil {
				t.Fatal(err)
			}
			return p
		}
		inOpen, inClosed := post(alice, open, "Text-open"), post(alice, closed, "Text-closed")
		inSecret, inSite := post(alice, secret, "Text-secret"), post(alice, site, "Text-site")
		pending := post(lou, news, "Text-waiting")
		if pending.State != model.PostPending {
			t.Fatalf("lou's post is %q", pending.State)
		}
		comment, err := w.svc.Posts.Create(w.ctx, alice, social.PostInput{Source: "Text-comment", InReplyToID: inOpen.ID})
		if err != nil {
			t.Fatal(err)
		}
		onPending, err := w.svc.Posts.Create(w.ctx, alice, social.PostInput{Source: "Text-on-pending", InReplyToID: pending.ID})
		if err != nil {
			t.Fatal(err)
		}
		// A local member's post in a group of B: B, the group's home, may fetch it.
		far := w.remoteGroup(w.b, "far", publicPEM(t, w.keys[3]), false)
		w.joinAs(far, alice, model.MemberActive)
		inFar := post(alice, far, "Text-far")

		b, c := w.b.signerFor("", w.keys[0], w.clock.Now), w.c.signerFor("", w.keys[4], w.clock.Now)
		bobSigner := w.b.signerFor("bob", w.keys[1], w.clock.Now)
		for _, tc := range []struct {
			name string
			p    *model.Post
			s    *Signer
			want int
		}{
			{"open to member node", inOpen, b, http.StatusOK},
			{"open to member node, signed by the member", inOpen, bobSigner, http.StatusOK},
			{"open to partner with a member", inOpen, c, http.StatusOK},
			{"comment to member node", comment, b, http.StatusOK},
			{"closed to node with a request only", inClosed, b, http.StatusNotFound},
			{"secret to node with an invitation only", inSecret, b, http.StatusNotFound},
			{"site-only to member node", inSite, b, http.StatusNotFound},
			{"pending to member node", pending, b, http.StatusNotFound},
			{"comment on a pending post", onPending, b, http.StatusNotFound},
			{"closed to partner", inClosed, c, http.StatusNotFound},
			{"remote group's post to its home", inFar, b, http.StatusOK},
			{"remote group's post elsewhere", inFar, c, http.StatusNotFound},
		} {
			code, body := w.get("/posts/"+tc.p.ID, tc.s)
			if code != tc.want {
				t.Errorf("%s: %d %s, want %d", tc.name, code, body, tc.want)
				continue
			}
			if code != http.StatusOK {
				if strings.Contains(body, tc.p.Source) {
					t.Errorf("%s: refusal shows the content: %s", tc.name, body)
				}
				continue
			}
			var doc map[string]interface{}
			if err := json.Unmarshal([]byte(body), &doc); err != nil {
				t.Fatal(err)
			}
			g := open.URI
			if tc.p == inFar {
				g = far.URI
			}
			if doc["audience"] != g || doc["to"] != g {
				t.Errorf("%s: audience %v, to %v, want %s", tc.name, doc["audience"], doc["to"], g)
			}
			n, err := activitypub.ParseNote(w.ctx, []byte(body))
			if err != nil || n.GroupURI != g || n.Post.Audience != model.AudienceGroup {
				t.Errorf("%s: parsed %+v %v", tc.name, n, err)
			}
		}

		// Once the member is gone, so is the node's access; an archived group stays
		// readable to its members' nodes.
		if err := store.DeleteMembership(w.ctx, open.ID, pat.ID); err != nil {
			t.Fatal(err)
		}
		if code, _ := w.get("/posts/"+inOpen.ID, c); code != http.StatusNotFound {
			t.Errorf("after the partner's member left: %d", code)
		}
		w.joinAs(closed, carol, model.MemberActive)
		if err := w.svc.Groups.SetArchived(w.ctx, alice, closed.ID, true); err != nil {
			t.Fatal(err)
		}
		if code, body := w.get("/posts/"+inClosed.ID, b); code != http.StatusOK {
			t.Errorf("archived group to member node: %d %s", code, body)
		}
	})
}

// TestGroupRejectPostInbox takes a remote group's Reject{Create} of a local user's
// pending post only when the group signed it and the post is that user's, pending in
// that group; every other rejection changes nothing.
func TestGroupRejectPostInbox(t *testing.T) {
	testrig.EachDB(t, func(t *testing.T, store *storage.Store) {
		w := newWorld(t, store)
		alice := w.member("alice")
		news := w.remoteGroup(w.b, "news", publicPEM(t, w.keys[3]), true)
		other := w.remoteGroup(w.b, "other", publicPEM(t, w.keys[6]), false)
		w.joinAs(news, alice, model.MemberActive)
		w.joinAs(other, alice, model.MemberActive)
		p, err := w.svc.Posts.Create(w.ctx, alice, social.PostInput{Source: "please approve", GroupID: news.ID})
		if err != nil || p.State != model.PostPending {
			t.Fatalf("pending post: %+v %v", p, err)
		}
		groupSigner := func(g *model.Group, i int) *Signer {
			s, err := NewSigner(activitypub.KeyID(g.URI), w.keys[i], w.clock.Now)
			if err != nil {
				t.Fatal(err)
			}
			return s
		}
		rejectBy := func(g *model.Group, author, note string) []byte {
			a, err := activitypub.NewGroupRejectPost(g.URI, author, note)
			if err != nil {
				t.Fatal(err)
			}
			b, err := activitypub.Marshal(w.b.origin, a)
			if err != nil {
				t.Fatal(err)
			}
			return b
		}
		kept := func(what string) {
			t.Helper()
			got, err := store.Post(w.ctx, p.ID)
			if err != nil || got.State != model.PostPending {
				t.Fatalf("%s: post %+v %v, want it pending", what, got, err)
			}
		}
		byPerson := activity(w.b, "bob", "Reject", map[string]interface{}{"id": p.URI + "#create", "type": "Create",
			"actor": alice.URI, "object": p.URI})
		for _, tc := range []struct {
			name string
			body []byte
			s    *Signer
			want int
		}{
			{"another group", rejectBy(other, alice.URI, p.URI), groupSigner(other, 6), http.StatusForbidden},
			{"the group's id, a member's key", rejectBy(news, alice.URI, p.URI), w.b.signerFor("bob", w.keys[1], w.clock.Now), http.StatusUnauthorized},
			{"the group's id, another group's key", rejectBy(news, alice.URI, p.URI), groupSigner(other, 6), http.StatusUnauthorized},
			{"a person", mustJSON(t, byPerson), w.b.signerFor("bob", w.keys[1], w.clock.Now), http.StatusNotFound},
			{"another author", rejectBy(news, w.origin+"/users/nobody", w.origin+"/posts/"+p.ID), groupSigner(news, 3), http.StatusForbidden},
			{"another node's post", rejectBy(news, w.b.actor("bob"), w.b.origin+"/posts/1"), groupSigner(news, 3), http.StatusForbidden},
		} {
			if code, body := w.post("/inbox", tc.body, tc.s, nil); code != tc.want {
				t.Errorf("%s: %d %s, want %d", tc.name, code, body, tc.want)
			}
			kept(tc.name)
		}

		body := rejectBy(news, alice.URI, p.URI)
		if code, resp := w.post("/inbox", body, groupSigner(news, 3), nil); code != http.StatusAccepted {
			t.Fatalf("the group's rejection: %d %s", code, resp)
		}
		if _, err := store.Post(w.ctx, p.ID); !errors.Is(err, storage.ErrNotFound) {
			t.Errorf("rejected post still here: %v", err)
		}
		if code, _ := w.post("/inbox", body, groupSigner(news, 3), nil); code != http.StatusAccepted {
			t.Errorf("replayed rejection: %d", code)
		}
	})
}
